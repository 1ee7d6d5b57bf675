// The second half of an archival PDF: Ghostscript turns cairo's PDF into PDF/A-2b (sRGB
// output intent, XMP metadata), run as a bounded child process in a private temporary
// folder; the XMP title and subject then get back the Unicode text Ghostscript flattens.

#include "archive/pdfa_conversion.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "archive/pdf_identity.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace boligflyt::archive {
namespace {

namespace fs = std::filesystem;

constexpr auto kGhostscriptTimeout = std::chrono::seconds(60);

// ---- Ghostscript -------------------------------------------------------------------------

Error gs_unavailable(std::string log_message) {
  return make_error(ErrorKind::kUnavailable, "pdfa-unavailable", "Arkivformat utilgjengelig",
                    "Dokumentet kan ikke lages i arkivformatet PDF/A nå, fordi programmet som "
                    "trengs (Ghostscript) mangler på tjeneren. Kontakt systemansvarlig.",
                    {}, std::move(log_message));
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path_env = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string path = path_env != nullptr && *path_env != 0 ? path_env : "/usr/bin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> find_srgb_profile() {
  static const std::array<const char*, 4> kCandidates = {
      "/usr/share/color/icc/ghostscript/srgb.icc",
      "/usr/share/color/icc/sRGB.icc",
      "/usr/share/color/icc/colord/sRGB.icc",
      "/usr/share/ghostscript/iccprofiles/srgb.icc",
  };
  std::error_code ec;
  for (const char* p : kCandidates) {
    if (fs::is_regular_file(p, ec)) return std::string(p);
  }
  // Versioned Ghostscript resource folders: /usr/share/ghostscript/<version>/iccprofiles.
  for (const auto& entry : fs::directory_iterator("/usr/share/ghostscript", ec)) {
    const auto candidate = entry.path() / "iccprofiles" / "srgb.icc";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return std::nullopt;
}

/// A PostScript string holding `text` as PDF text: ASCII as it is (escaped), anything else
/// as UTF-16BE with a byte order mark, which is how PDF stores Unicode in DocInfo.
std::string ps_text(const std::string& text) {
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out = "(";
    for (char c : text) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      if (c == '\n' || c == '\r') c = ' ';
      out += c;
    }
    return out + ")";
  }
  std::u16string utf16;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b >> 5) == 0x6 && i + 1 < text.size()) {
      cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((b >> 4) == 0xE && i + 2 < text.size()) {
      cp = ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((b >> 3) == 0x1E && i + 3 < text.size()) {
      cp = ((b & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(text[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 3]) & 0x3Fu);
      len = 4;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      utf16 += static_cast<char16_t>(0xD800 + (cp >> 10));
      utf16 += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      utf16 += static_cast<char16_t>(cp);
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "<FEFF";
  for (char16_t u : utf16) {
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(u >> shift) & 0xF];
  }
  return out + ">";
}

/// "2026-03-02T10:15:00Z" → "(D:20260302101500Z)", or "" when it is not that shape.
std::string pdf_date(const std::string& iso) {
  if (iso.size() < 19 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T') return {};
  std::string digits;
  for (std::size_t i = 0; i < 19; ++i) {
    if (std::isdigit(static_cast<unsigned char>(iso[i])) != 0) digits += iso[i];
  }
  if (digits.size() != 14) return {};
  return "(D:" + digits + "Z)";
}

std::string pdfa_definition(const PdfDocument& document, const std::string& icc_path) {
  std::string ps = "%!\n% PDF/A-2b prefix for boligflyt (after Ghostscript's lib/PDFA_def.ps)\n";
  ps += "[ /Title " + ps_text(document.title);
  if (!document.author.empty()) ps += " /Author " + ps_text(document.author);
  if (!document.subject.empty()) ps += " /Subject " + ps_text(document.subject);
  ps += " /Creator (boligflyt)";
  if (const auto date = pdf_date(document.created_at); !date.empty()) {
    ps += " /CreationDate " + date + " /ModDate " + date;
  }
  ps += " /DOCINFO pdfmark\n";
  ps += "/ICCProfile " + ps_text(icc_path) + " def\n";
  ps +=
      "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark\n"
      "[{icc_PDFA} << /N 3 >> /PUT pdfmark\n"
      "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark\n"
      "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark\n"
      "[{OutputIntent_PDFA} <<\n"
      "  /Type /OutputIntent\n"
      "  /S /GTS_PDFA1\n"
      "  /DestOutputProfile {icc_PDFA}\n"
      "  /OutputConditionIdentifier (sRGB)\n"
      "  /Info (sRGB IEC61966-2.1)\n"
      ">> /PUT pdfmark\n"
      "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark\n";
  return ps;
}

/// A private temporary folder, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::string base = fs::temp_directory_path(ec).string();
    if (ec || base.empty()) base = "/tmp";
    std::string pattern = base + "/boligflyt-pdfa-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;  // mode 0700
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  bool ok() const { return !path_.empty(); }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct RunOutcome {
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;  // -1 when killed by a signal
  std::string error;   // why it could not be started
};

/// Runs `argv` (no shell) with stdout and stderr into `log_path`; kills it after `timeout`.
RunOutcome run_bounded(const std::vector<std::string>& argv, const std::string& log_path,
                       std::chrono::milliseconds timeout) {
  RunOutcome outcome;
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // A small, fixed environment: nothing from the host (GS_OPTIONS, GS_LIB) changes the result.
  std::array<char*, 3> env = {const_cast<char*>("PATH=/usr/bin:/bin"),
                              const_cast<char*>("LC_ALL=C"), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a kill reaches anything it starts.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    outcome.error = std::strerror(rc);  // NOLINT(concurrency-mt-unsafe)
    return outcome;
  }
  outcome.started = true;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      // Someone else reaped it (SIGCHLD ignored by the host): the output file decides.
      status = 0;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      outcome.timed_out = true;
      break;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string tail(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : text.substr(text.size() - max);
}

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// The integer after `key` (e.g. "/Size ") at or after `from`, or -1.
long long number_after(const std::string& text, const std::string& key, std::size_t from) {
  const auto at = text.find(key, from);
  if (at == std::string::npos) return -1;
  std::size_t i = at + key.size();
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  long long value = 0;
  bool any = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    value = value * 10 + (text[i++] - '0');
    any = true;
  }
  return any ? value : -1;
}

/// The end (one past the closing ']') of the PDF array that starts at `open` (a '['), or
/// npos. The file identifiers in it are strings of random bytes: a literal string may hold
/// ']', ')' and '(' escaped or balanced, so the array is read token by token (ISO 32000-1
/// 7.3.4), never by searching for the first ']'.
std::size_t array_end(const std::string& text, std::size_t open) {
  if (open >= text.size() || text[open] != '[') return std::string::npos;
  std::size_t i = open + 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ']') return i + 1;
    if (c == '(') {
      int depth = 1;
      ++i;
      while (i < text.size() && depth > 0) {
        if (text[i] == '\\') {
          i += 2;  // an escaped byte, whatever it is
          continue;
        }
        if (text[i] == '(') ++depth;
        if (text[i] == ')') --depth;
        ++i;
      }
      if (depth > 0) return std::string::npos;
      continue;
    }
    if (c == '<') {
      const auto close = text.find('>', i);
      if (close == std::string::npos) return std::string::npos;
      i = close + 1;
      continue;
    }
    ++i;  // white space between the strings
  }
  return std::string::npos;
}

}  // namespace

/// Ghostscript 10.0 drops DOCINFO text it cannot carry into XMP, which is any non-ASCII
/// text ("Text string detected in DOCINFO cannot be represented in XMP"). Title, author and
/// subject with æøå are then put back by an incremental update, as PDF allows: a new Info
/// dictionary and a new XMP packet with the same object numbers, consistent with each other
/// as PDF/A requires.
Result<std::string> restore_unicode_metadata(std::string pdf, const PdfDocument& document) {
  if (is_ascii(document.title) && is_ascii(document.author) && is_ascii(document.subject)) {
    return pdf;
  }
  const auto trailer = pdf.rfind("trailer");
  const auto startxref_at = pdf.rfind("startxref");
  if (trailer == std::string::npos || startxref_at == std::string::npos) {
    return internal_error("PDF/A: Ghostscript output has no classic trailer");
  }
  const long long size = number_after(pdf, "/Size", trailer);
  const long long root = number_after(pdf, "/Root", trailer);
  const long long info = number_after(pdf, "/Info", trailer);
  const long long prev = number_after(pdf, "startxref", startxref_at);
  const auto id_at = pdf.find("/ID", trailer);
  const auto id_open = id_at == std::string::npos ? id_at : pdf.find('[', id_at);
  const auto id_end = id_open == std::string::npos ? id_open : array_end(pdf, id_open);
  if (size < 0 || root < 0 || info < 0 || prev < 0 || id_end == std::string::npos) {
    return internal_error("PDF/A: cannot read the trailer of Ghostscript's output");
  }
  const std::string id = pdf.substr(id_at, id_end - id_at);
  const auto root_at = pdf.find("\n" + std::to_string(root) + " 0 obj");
  const long long metadata =
      root_at == std::string::npos ? -1 : number_after(pdf, "/Metadata", root_at);
  const auto metadata_at = pdf.find("\n" + std::to_string(metadata) + " 0 obj");
  const auto info_at = pdf.find("\n" + std::to_string(info) + " 0 obj");
  if (metadata < 0 || metadata_at == std::string::npos || info_at == std::string::npos) {
    return internal_error("PDF/A: cannot find the Info and Metadata objects");
  }
  const auto stream_at = pdf.find("stream\n", metadata_at);
  const auto stream_end = pdf.find("endstream", stream_at);
  const auto info_open = pdf.find("<<", info_at);
  const auto info_close = pdf.find(">>\nendobj", info_open);
  if (stream_at == std::string::npos || stream_end == std::string::npos ||
      info_open == std::string::npos || info_close == std::string::npos) {
    return internal_error("PDF/A: unexpected shape of the Info or Metadata object");
  }
  std::string xmp = pdf.substr(stream_at + 7, stream_end - (stream_at + 7));
  std::string info_dict = pdf.substr(info_open + 2, info_close - (info_open + 2));

  auto alt = [](const char* element, const std::string& text) {
    return std::string("<") + element + "><rdf:Alt><rdf:li xml:lang='x-default'>" +
           xml_escaped(text) + "</rdf:li></rdf:Alt></" + element + ">";
  };
  const auto title_at = xmp.find("<dc:title>");
  const auto title_end = xmp.find("</dc:title>");
  if (title_at == std::string::npos || title_end == std::string::npos) {
    return internal_error("PDF/A: Ghostscript's XMP has no dc:title");
  }
  std::string dc = alt("dc:title", document.title);
  if (info_dict.find("/Author") == std::string::npos && !document.author.empty()) {
    dc += "<dc:creator><rdf:Seq><rdf:li>" + xml_escaped(document.author) +
          "</rdf:li></rdf:Seq></dc:creator>";
    info_dict += "/Author" + ps_text(document.author) + "\n";
  }
  if (info_dict.find("/Subject") == std::string::npos && !document.subject.empty()) {
    dc += alt("dc:description", document.subject);
    info_dict += "/Subject" + ps_text(document.subject) + "\n";
  }
  xmp.replace(title_at, title_end + 11 - title_at, dc);
  if (info_dict.find("/Title") == std::string::npos) {
    info_dict += "/Title" + ps_text(document.title) + "\n";
  }

  std::string update = "\n";
  const auto info_offset = pdf.size() + update.size();
  update += std::to_string(info) + " 0 obj\n<<" + info_dict + ">>\nendobj\n";
  const auto metadata_offset = pdf.size() + update.size();
  update += std::to_string(metadata) + " 0 obj\n<</Type/Metadata/Subtype/XML/Length " +
            std::to_string(xmp.size()) + ">>stream\n" + xmp + "endstream\nendobj\n";
  const auto xref_offset = pdf.size() + update.size();
  auto entry = [](std::size_t offset) {
    std::array<char, 24> line{};
    std::snprintf(line.data(), line.size(), "%010zu 00000 n \n", offset);
    return std::string(line.data());
  };
  std::vector<std::pair<long long, std::size_t>> objects = {{info, info_offset},
                                                            {metadata, metadata_offset}};
  std::sort(objects.begin(), objects.end());
  update += "xref\n0 1\n0000000000 65535 f \n";
  for (const auto& [number, offset] : objects) {
    update += std::to_string(number) + " 1\n" + entry(offset);
  }
  update += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(root) +
            " 0 R /Info " + std::to_string(info) + " 0 R\n" + id + " /Prev " +
            std::to_string(prev) + " >>\nstartxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
  pdf += update;
  return pdf;
}

Result<std::string> convert_to_pdfa(const PdfDocument& document, const std::string& pdf) {
  const auto gs = find_program("gs");
  if (!gs) return gs_unavailable("PDF/A: the program gs (Ghostscript) is not on PATH");
  const auto icc = find_srgb_profile();
  if (!icc) return internal_error("PDF/A: no sRGB ICC profile found (package ghostscript)");
  TempDir dir;
  if (!dir.ok())
    return internal_error(std::string("PDF/A: mkdtemp failed: ") +
                          std::strerror(errno));  // NOLINT(concurrency-mt-unsafe)
  const std::string in = dir.file("in.pdf");
  const std::string out = dir.file("out.pdf");
  const std::string def = dir.file("pdfa_def.ps");
  const std::string log = dir.file("gs.log");
  if (!write_file(in, pdf) || !write_file(def, pdfa_definition(document, *icc))) {
    return internal_error("PDF/A: cannot write temporary files in " + dir.file(""));
  }
  const std::vector<std::string> argv = {*gs,
                                         "-q",
                                         "-dPDFA=2",
                                         "-dBATCH",
                                         "-dNOPAUSE",
                                         "-dNOOUTERSAVE",
                                         "-dSAFER",
                                         "--permit-file-read=" + *icc,
                                         "-sColorConversionStrategy=RGB",
                                         "-dPDFACompatibilityPolicy=1",
                                         "-sDEVICE=pdfwrite",
                                         "-sOutputFile=" + out,
                                         def,
                                         in};
  const auto run = run_bounded(argv, log, kGhostscriptTimeout);
  if (!run.started) {
    return gs_unavailable("PDF/A: cannot start " + *gs + ": " + run.error);
  }
  const std::string messages = read_file(log).value_or("");
  if (run.timed_out) {
    return internal_error("PDF/A: Ghostscript did not finish within " +
                          std::to_string(kGhostscriptTimeout.count()) + " s; killed");
  }
  if (run.exit_code != 0) {
    return internal_error("PDF/A: Ghostscript exited with " + std::to_string(run.exit_code) + ": " +
                          tail(messages, 2000));
  }
  auto result = read_file(out);
  if (!result || result->compare(0, 5, "%PDF-") != 0) {
    return internal_error("PDF/A: Ghostscript wrote no PDF: " + tail(messages, 2000));
  }
  auto restored = restore_unicode_metadata(std::move(*result), document);
  if (!restored) return restored.error();
  return with_content_identity(std::move(*restored));
}

}  // namespace boligflyt::archive

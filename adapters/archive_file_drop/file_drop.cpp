#include "archive_file_drop/file_drop.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "archive/message_name.h"

namespace boligflyt::adapters {
using archive::folder_name_for;
using ports::ArchivePackage;
using ports::InboxItem;
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kTempPrefix = ".tmp-";
constexpr std::string_view kHandledDir = "behandlet";
constexpr std::string_view kRejectedDir = "avvist";
// A receipt is a few kilobytes; anything far larger is not one and is not read into memory.
constexpr std::uintmax_t kMaxReceiptBytes = 4 * 1024 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// errno text of the last failure, for the log only.
std::string errno_text(int error) { return std::strerror(error); }

Error unavailable(const std::string& detail, const std::string& log) {
  return make_error(ErrorKind::kUnavailable, "archive-drop-unavailable",
                    "Arkivmappen kan ikke ta imot nå", detail, {}, log);
}

// The folder is full, read-only or gone: say so in words an operator acts on.
Error write_error(int error, const fs::path& where) {
  std::string detail;
  switch (error) {
    case ENOSPC:
    case EDQUOT:
      detail = "Arkivmappen er full. Meldingen ligger trygt i utboksen og sendes når det er plass.";
      break;
    case EROFS:
    case EACCES:
    case EPERM:
      detail =
          "Arkivmappen er skrivebeskyttet. Meldingen ligger trygt i utboksen og sendes når "
          "mappen kan skrives til.";
      break;
    default:
      detail =
          "Kunne ikke skrive til arkivmappen. Meldingen ligger trygt i utboksen og sendes "
          "på nytt.";
  }
  return unavailable(detail, "file drop: " + where.string() + ": " + errno_text(error));
}

int write_file_durably(const fs::path& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (fd.get() < 0) return errno;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return errno;
  if (::close(fd.release()) != 0) return errno;
  return 0;
}

int fsync_directory(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  return ::fsync(fd.get()) == 0 ? 0 : errno;
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream out;
  out << std::hex << rng();
  return out.str();
}

void create_folder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create archive folder " + dir.string() + ": " + ec.message());
}

}  // namespace

FileDropTransport::FileDropTransport(fs::path out_dir, fs::path inbox_dir, PackageFormat format)
    : out_dir_(std::move(out_dir)), inbox_dir_(std::move(inbox_dir)), format_(format) {
  create_folder(out_dir_);
  if (!inbox_dir_.empty()) {
    create_folder(inbox_dir_);
    create_folder(inbox_dir_ / kHandledDir);
    create_folder(inbox_dir_ / kRejectedDir);
  }
  // Half-written messages a crash left behind: the outbox still has them as not delivered,
  // so they are written again from the start.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out_dir_, ec)) {
    if (entry.path().filename().string().starts_with(kTempPrefix)) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

fs::path FileDropTransport::target_for(const std::string& export_key) const {
  const std::string name = folder_name_for(export_key);
  return out_dir_ / (format_ == PackageFormat::kAsice ? name + ".asice" : name);
}

static bool safe_file_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name[0] != '.' &&
         name != "arkivmelding.xml" && name != "mimetype" && name != "META-INF";
}

Result<void> FileDropTransport::deliver(const ArchivePackage& package) {
  const fs::path target = target_for(package.export_key);
  std::error_code ec;
  // Delivered before a crash kept us from recording it: the complete message is there.
  if (fs::exists(target, ec)) return {};
  if (!fs::is_directory(out_dir_, ec)) {
    return unavailable(
        "Arkivmappen finnes ikke eller er ikke en mappe. Meldingen ligger trygt i utboksen og "
        "sendes når mappen er på plass.",
        "file drop: out dir missing: " + out_dir_.string());
  }
  for (const auto& file : package.files) {
    // File names come from the builder's fixed set; refuse anything that could leave the
    // folder rather than trusting it.
    if (!safe_file_name(file.name)) {
      return internal_error("file drop: unsafe file name in package: " + file.name);
    }
  }
  return format_ == PackageFormat::kAsice ? deliver_asice(package, target)
                                          : deliver_folder(package, target);
}

Result<void> FileDropTransport::deliver_asice(const ArchivePackage& package,
                                              const fs::path& target) {
  const fs::path temp =
      out_dir_ / (std::string(kTempPrefix) + target.filename().string() + "-" + random_suffix());
  auto fail = [&](const std::string& why) -> Result<void> {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return unavailable(
        "Kunne ikke skrive til arkivmappen. Meldingen ligger trygt i utboksen og sendes på nytt.",
        "file drop (asice): " + temp.string() + ": " + why);
  };
  int zip_error = 0;
  zip_t* zip = zip_open(temp.c_str(), ZIP_CREATE | ZIP_EXCL, &zip_error);
  if (zip == nullptr) {
    zip_error_t e;
    zip_error_init_with_code(&e, zip_error);
    const std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    return fail(why);
  }
  static constexpr std::string_view kMimetype = "application/vnd.etsi.asic-e+zip";
  std::string manifest =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\n"
      "  <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"" +
      std::string(kMimetype) + "\"/>\n";
  // The buffers must live until zip_close: keep them in one list.
  std::vector<std::pair<std::string, std::string_view>> entries;
  entries.emplace_back("mimetype", kMimetype);
  entries.emplace_back("arkivmelding.xml", package.arkivmelding_xml);
  manifest +=
      "  <manifest:file-entry manifest:full-path=\"arkivmelding.xml\" "
      "manifest:media-type=\"application/xml\"/>\n";
  for (const auto& file : package.files) {
    entries.emplace_back(file.name, file.bytes);
    manifest += "  <manifest:file-entry manifest:full-path=\"" + file.name +
                "\" manifest:media-type=\"" + file.mime + "\"/>\n";
  }
  manifest += "</manifest:manifest>\n";
  entries.emplace_back("META-INF/manifest.xml", manifest);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [name, bytes] = entries[i];
    zip_source_t* source = zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
    const zip_int64_t index =
        source ? zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (source) zip_source_free(source);
      const std::string why = zip_strerror(zip);
      zip_discard(zip);
      return fail(why);
    }
    // The mimetype first and stored, so that a reader can tell the container by its bytes.
    if (i == 0) zip_set_file_compression(zip, index, ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) {
    const std::string why = zip_strerror(zip);
    zip_discard(zip);
    return fail(why);
  }
  {
    Fd fd(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) return fail(errno_text(errno));
  }
  std::error_code ec;
  // link() refuses to replace: another node's complete copy stays the one message.
  if (::link(temp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    std::error_code ignored;
    fs::remove(temp, ignored);
    if (e == EEXIST) return {};
    return write_error(e, target);
  }
  fs::remove(temp, ec);
  if (const int e = fsync_directory(out_dir_); e != 0) return write_error(e, out_dir_);
  return {};
}

Result<void> FileDropTransport::deliver_folder(const ArchivePackage& package,
                                               const fs::path& final_dir) {
  std::error_code ec;
  const std::string name = final_dir.filename().string();
  const fs::path temp_dir = out_dir_ / (std::string(kTempPrefix) + name + "-" + random_suffix());
  if (::mkdir(temp_dir.c_str(), 0750) != 0) return write_error(errno, temp_dir);
  auto fail = [&](int error, const fs::path& where) -> Result<void> {
    std::error_code ignored;
    fs::remove_all(temp_dir, ignored);
    return write_error(error, where);
  };
  for (const auto& file : package.files) {
    if (const int e = write_file_durably(temp_dir / file.name, file.bytes); e != 0) {
      return fail(e, temp_dir / file.name);
    }
  }
  if (const int e = write_file_durably(temp_dir / "arkivmelding.xml", package.arkivmelding_xml);
      e != 0) {
    return fail(e, temp_dir / "arkivmelding.xml");
  }
  if (const int e = fsync_directory(temp_dir); e != 0) return fail(e, temp_dir);
  if (::rename(temp_dir.c_str(), final_dir.c_str()) != 0) {
    const int e = errno;
    // Another node delivered the same key meanwhile: one complete message stays.
    if ((e == EEXIST || e == ENOTEMPTY) && fs::exists(final_dir, ec)) {
      std::error_code ignored;
      fs::remove_all(temp_dir, ignored);
      return {};
    }
    return fail(e, final_dir);
  }
  if (const int e = fsync_directory(out_dir_); e != 0) return write_error(e, out_dir_);
  return {};
}

std::vector<InboxItem> FileDropTransport::pending_receipts(std::size_t limit) {
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  if (inbox_dir_.empty()) return {};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(inbox_dir_, ec)) {
    const auto& path = entry.path();
    const std::string file = path.filename().string();
    if (file.starts_with(".") || path.extension() != ".xml") continue;
    std::error_code ignored;
    if (!entry.is_regular_file(ignored)) continue;
    found.emplace_back(entry.last_write_time(ignored), path);
  }
  std::sort(found.begin(), found.end());
  std::vector<InboxItem> out;
  for (const auto& [time, path] : found) {
    if (out.size() >= limit) break;
    std::error_code size_ec;
    const auto size = fs::file_size(path, size_ec);
    InboxItem item;
    item.name = path.filename().string();
    if (!size_ec && size <= kMaxReceiptBytes) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      item.content = content.str();
    }
    out.push_back(std::move(item));
  }
  return out;
}

void FileDropTransport::settle_receipt(const InboxItem& item, bool handled,
                                       const std::string& reason) {
  const fs::path from = inbox_dir_ / item.name;
  const fs::path to_dir = inbox_dir_ / (handled ? kHandledDir : kRejectedDir);
  std::error_code ec;
  fs::path to = to_dir / item.name;
  if (fs::exists(to, ec)) to = to_dir / (item.name + "." + random_suffix());
  fs::rename(from, to, ec);
  if (!handled) {
    std::ofstream note(to.string() + ".txt", std::ios::binary | std::ios::trunc);
    note << reason << "\n";
  }
}

std::unique_ptr<ports::ArchiveTransport> make_file_drop_transport(std::filesystem::path out_dir,
                                                                  std::filesystem::path inbox_dir,
                                                                  PackageFormat format) {
  return std::make_unique<FileDropTransport>(std::move(out_dir), std::move(inbox_dir), format);
}

}  // namespace boligflyt::adapters

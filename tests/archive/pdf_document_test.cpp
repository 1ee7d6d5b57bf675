// PDF/A-2b documents as the archive receives them, checked with the tools an archivist would
// use: qpdf --check (structure), pdffonts (every font embedded), pdftotext (the text, æøå and
// all, comes back), and the XMP metadata (pdfaid part 2, conformance B).
#include "archive/pdf_document.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "archive/pdfa_conversion.h"

namespace boligflyt::archive {
namespace {

namespace fs = std::filesystem;

struct Command {
  int exit_code = -1;
  std::string output;
};

/// Runs a command line of the test's own making (paths from mkdtemp, no user input).
Command run(const std::string& command_line) {
  Command c;
  FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return c;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    c.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "pdf-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string collapse_spaces(const std::string& text) {
  return std::regex_replace(text, std::regex(R"(\s+)"), " ");
}

PdfDocument sample_document(int table_rows) {
  PdfDocument doc;
  doc.title = "Avviksrapport AVVIK-2026-0001";
  doc.subtitle = "Boligflytprosedyre – avviksrapport";
  doc.author = "boligflyt";
  doc.subject = "Avvik fra Boligflytprosedyre: blåbærsyltetøy på høring";
  doc.created_at = "2026-03-02T10:15:00Z";
  PdfBlock heading;
  heading.kind = PdfBlock::Kind::kHeading;
  heading.text = "Opplysninger om avviket";
  doc.blocks.push_back(heading);
  PdfBlock fields;
  fields.kind = PdfBlock::Kind::kFields;
  fields.rows = {{"Avvik-ID", "AVVIK-2026-0001"},
                 {"Ansvarlig enhet", "Økonomi"},
                 {"Meldende enhet", "Tildelingskontoret på Ærøy"},
                 {"Saksnummer", "2026/4185"}};
  doc.blocks.push_back(fields);
  PdfBlock para;
  para.kind = PdfBlock::Kind::kParagraph;
  para.text =
      "Søknaden om kommunal utleiebolig ble ikke videresendt til Økonomi før fristen. Det "
      "førte til at leietakeren fikk blåbærsyltetøy og ærlige svar først etter tre uker, og "
      "flyttingen måtte utsettes. Boligflytprosedyre trinn 2.3 ble ikke fulgt.\nNy linje.";
  doc.blocks.push_back(para);
  PdfBlock table;
  table.kind = PdfBlock::Kind::kTable;
  table.header = {"Tid", "Hvem", "Hva"};
  for (int i = 1; i <= table_rows; ++i) {
    table.rows.push_back({"2. mars 2026 kl. 11.15", "Kari Nordmann",
                          "Rad " + std::to_string(i) +
                              ": status endret fra registrert → mottatt; tiltaket gjelder "
                              "økonomisk rådgivning og oppfølging i boligen på Løkka."});
  }
  doc.blocks.push_back(table);
  return doc;
}

struct Checked {
  std::string text;  // pdftotext -layout
  int pages = 0;
};

/// Everything every archival PDF must satisfy; returns the extracted text.
Checked check_pdfa(const std::string& pdf) {
  Checked out;
  EXPECT_EQ(pdf.compare(0, 7, "%PDF-1."), 0) << "not a PDF header";
  TempFolder dir;
  const std::string file = dir.write("doc.pdf", pdf);

  const auto check = run("qpdf --check " + file);
  EXPECT_EQ(check.exit_code, 0) << check.output;

  const auto fonts = run("pdffonts " + file);
  EXPECT_EQ(fonts.exit_code, 0) << fonts.output;
  std::istringstream lines(fonts.output);
  std::string line;
  int font_rows = 0;
  int index = 0;
  while (std::getline(lines, line)) {
    if (index++ < 2) continue;  // header and ruler
    ++font_rows;
    // name type encoding emb sub uni object ID: the emb column is the 4th from the right.
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    EXPECT_GE(w.size(), 6u) << line;
    if (w.size() < 6) continue;
    EXPECT_EQ(w[w.size() - 5], "yes") << "font not embedded: " << line;
  }
  EXPECT_GT(font_rows, 0) << fonts.output;

  const auto info = run("pdfinfo " + file);
  std::smatch m;
  if (std::regex_search(info.output, m, std::regex(R"(Pages:\s+(\d+))"))) {
    out.pages = std::stoi(m[1]);
  }
  EXPECT_GT(out.pages, 0) << info.output;

  // The XMP packet: qpdf --qdf writes every stream uncompressed.
  const std::string qdf = dir.path() + "/qdf.pdf";
  const auto normalise = run("qpdf --qdf --object-streams=disable " + file + " " + qdf);
  EXPECT_EQ(normalise.exit_code, 0) << normalise.output;
  std::ifstream in(qdf, std::ios::binary);
  const std::string expanded((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  EXPECT_TRUE(std::regex_search(expanded, std::regex(R"(pdfaid:part(>|=['"])2)")))
      << "no pdfaid:part 2";
  EXPECT_TRUE(std::regex_search(expanded, std::regex(R"(pdfaid:conformance(>|=['"])B)")))
      << "no pdfaid:conformance B";

  const auto text = run("pdftotext -enc UTF-8 -layout " + file + " -");
  EXPECT_EQ(text.exit_code, 0) << text.output;
  out.text = text.output;
  return out;
}

TEST(PdfDocument, RendersPdfA2bWithEmbeddedFontsAndNorwegianText) {
  auto pdf = render_pdfa(sample_document(120));
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const auto checked = check_pdfa(*pdf);
  EXPECT_GE(checked.pages, 3) << "120 table rows should take several pages";
  const std::string text = collapse_spaces(checked.text);
  for (const char* expected : {"Avviksrapport AVVIK-2026-0001", "Boligflytprosedyre", "Økonomi",
                               "Ærøy", "blåbærsyltetøy", "ærlige", "førte", "flyttingen", "Løkka",
                               "registrert → mottatt", "2026/4185", "Rad 120:"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected;
  }
  for (int n = 1; n <= checked.pages; ++n) {
    const std::string footer = "Side " + std::to_string(n) + " av " + std::to_string(checked.pages);
    EXPECT_NE(text.find(footer), std::string::npos) << "missing: " << footer;
  }
}

TEST(PdfDocument, RepeatsTheTableHeaderOnEveryPage) {
  auto pdf = render_pdfa(sample_document(120));
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const auto checked = check_pdfa(*pdf);
  // pdftotext separates pages with form feeds; every page after the first starts the table.
  std::istringstream pages(checked.text);
  std::string page;
  int index = 0;
  while (std::getline(pages, page, '\f')) {
    if (index++ == 0 || page.find("Rad ") == std::string::npos) continue;
    EXPECT_TRUE(std::regex_search(page, std::regex(R"(Tid\s+Hvem\s+Hva)"))) << page;
  }
}

TEST(PdfDocument, XmpCarriesTheTitleWithNorwegianLetters) {
  auto doc = sample_document(1);
  doc.title = "Avviksrapport for Økonomi på Ærøy";
  auto pdf = render_pdfa(doc);
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  TempFolder dir;
  const std::string file = dir.write("doc.pdf", *pdf);
  const auto info = run("pdfinfo -enc UTF-8 " + file);
  EXPECT_TRUE(
      std::regex_search(info.output, std::regex("Title:\\s+Avviksrapport for Økonomi på Ærøy")))
      << info.output;
  EXPECT_TRUE(std::regex_search(
      info.output, std::regex("Subject:\\s+Avvik fra Boligflytprosedyre: blåbærsyltetøy")))
      << info.output;
  EXPECT_TRUE(std::regex_search(info.output, std::regex("Author:\\s+boligflyt"))) << info.output;
  check_pdfa(*pdf);  // the incremental update that carries the title keeps the file valid
  const std::string qdf = dir.path() + "/qdf.pdf";
  run("qpdf --qdf --object-streams=disable " + file + " " + qdf);
  std::ifstream in(qdf, std::ios::binary);
  const std::string expanded((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  EXPECT_NE(
      expanded.find("<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>Avviksrapport for Økonomi "
                    "på Ærøy</rdf:li>"),
      std::string::npos)
      << "dc:title in XMP";
  EXPECT_NE(expanded.find("<dc:description><rdf:Alt><rdf:li xml:lang='x-default'>Avvik fra "
                          "Boligflytprosedyre: blåbærsyltetøy på høring</rdf:li>"),
            std::string::npos)
      << "dc:description in XMP";
}

// The file identifiers are random bytes, so a literal string in /ID may hold ']' or an
// escaped ')'. The update that restores the title must copy the whole array (it once stopped
// at the first ']' and about one report in fifty failed qpdf --check).
TEST(PdfDocument, TitleUpdateKeepsAnIdWhoseBytesLookLikeSyntax) {
  auto doc = sample_document(1);
  doc.title = "Avviksrapport AVVIK-2026-0001";
  doc.subject = "Avvik fra Boligflytprosedyre";
  auto ascii = render_pdfa(doc);  // no update yet: Ghostscript's own trailer
  ASSERT_TRUE(ascii.ok()) << ascii.error().log_message;
  std::string pdf = *ascii;
  const auto trailer = pdf.rfind("trailer");
  ASSERT_NE(trailer, std::string::npos);
  const auto id_at = pdf.find("/ID", trailer);
  ASSERT_NE(id_at, std::string::npos);
  const auto id_end = pdf.find(">>", id_at);  // Ghostscript ends the trailer with /ID
  ASSERT_NE(id_end, std::string::npos);
  const std::string tricky = "/ID [(&z5]\\)v(m)\\\\]@T)<00ff5d29>]";
  pdf.replace(id_at, id_end - id_at, tricky + "\n");

  doc.title = "Avviksrapport for Økonomi på Ærøy";
  auto updated = restore_unicode_metadata(pdf, doc);
  ASSERT_TRUE(updated.ok()) << updated.error().log_message;
  const auto new_trailer = updated->rfind("trailer");
  ASSERT_NE(new_trailer, std::string::npos);
  EXPECT_NE(updated->find(tricky + " /Prev", new_trailer), std::string::npos)
      << updated->substr(new_trailer);
  check_pdfa(*updated);
}

TEST(PdfDocument, SameInputGivesTheSameText) {
  const auto doc = sample_document(40);
  auto first = render_pdfa(doc);
  auto second = render_pdfa(doc);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(check_pdfa(*first).text, check_pdfa(*second).text);
}

TEST(PdfDocument, SeveralThreadsRenderAtOnce) {
  constexpr int kThreads = 4;
  std::array<std::string, kThreads> texts;
  std::array<bool, kThreads> ok{};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto doc = sample_document(30 + i);
      auto pdf = render_pdfa(doc);
      ok[i] = pdf.ok();
      if (pdf.ok()) texts[i] = std::move(*pdf);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(ok[i]) << "thread " << i;
    const auto text = collapse_spaces(check_pdfa(texts[i]).text);
    EXPECT_NE(text.find("Rad " + std::to_string(30 + i) + ":"), std::string::npos);
  }
}

TEST(PdfDocument, EmptyDocumentIsOnePage) {
  PdfDocument doc;
  doc.title = "Tomt dokument";
  auto pdf = render_pdfa(doc);
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const auto checked = check_pdfa(*pdf);
  EXPECT_EQ(checked.pages, 1);
  EXPECT_NE(checked.text.find("Side 1 av 1"), std::string::npos);
}

TEST(PdfDocument, LongParagraphAndLongCellsBreakAcrossPages) {
  PdfDocument doc;
  doc.title = "Lang tekst";
  std::string long_text;
  for (int i = 0; i < 400; ++i) long_text += "Setning " + std::to_string(i) + " om økonomi. ";
  PdfBlock para;
  para.kind = PdfBlock::Kind::kParagraph;
  para.text = long_text;
  doc.blocks.push_back(para);
  PdfBlock table;
  table.kind = PdfBlock::Kind::kTable;
  table.header = {"Nr.", "Tekst"};
  table.rows.push_back({"1", long_text});
  doc.blocks.push_back(table);
  auto pdf = render_pdfa(doc);
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const auto checked = check_pdfa(*pdf);
  EXPECT_GE(checked.pages, 3);
  const auto text = collapse_spaces(checked.text);
  EXPECT_NE(text.find("Setning 399 om økonomi."), std::string::npos);
}

TEST(PdfDocument, MissingGhostscriptIsUnavailable) {
  TempFolder empty;
  const char* old = std::getenv("PATH");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("PATH", empty.path().c_str(), 1);
  auto pdf = render_pdfa(sample_document(1));
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(pdf.error().detail.find("Ghostscript"), std::string::npos);
  EXPECT_FALSE(pdf.error().log_message.empty());
}

}  // namespace
}  // namespace boligflyt::archive

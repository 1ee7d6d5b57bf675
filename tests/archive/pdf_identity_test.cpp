// Reproducible PDF/A: the same document rendered twice gives the same bytes (Ghostscript's
// clock-drawn /ID and XMP DocumentID replaced by values from the content), which is what lets
// the document library find a version's PDF already there; and qpdf still finds the file
// sound, with an /ID that differs between different documents.
#include "archive/pdf_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "archive/pdf_document.h"

namespace boligflyt::archive {
namespace {

PdfDocument sample(const std::string& title) {
  PdfDocument d;
  d.title = title;
  d.subtitle = "Versjon 4.0 – gjeldende";
  d.author = "boligflyt";
  d.subject = title + ", versjon 4.0";
  d.created_at = "2027-01-01T12:00:00Z";
  d.blocks.push_back(
      {PdfBlock::Kind::kParagraph, "Tildelingsmøtet holdes hver fjortende dag.", {}, {}});
  return d;
}

std::string id_of(const std::string& pdf) {
  std::smatch m;
  return std::regex_search(pdf, m, std::regex(R"(/ID\s*\[\s*<([0-9A-Fa-f]+)>)")) ? m[1].str()
                                                                                 : std::string();
}

TEST(PdfIdentityTest, TheSameDocumentGivesTheSameBytes) {
  auto first = render_pdfa(sample("Boligflytprosedyre"));
  ASSERT_TRUE(first) << first.error().log_message;
  // Ghostscript's identifiers come from the clock: let it move on.
  ::usleep(20'000);
  auto second = render_pdfa(sample("Boligflytprosedyre"));
  ASSERT_TRUE(second) << second.error().log_message;
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(id_of(*first).size(), 32u);

  auto other = render_pdfa(sample("Boligflytprosedyre for Bykommune"));
  ASSERT_TRUE(other) << other.error().log_message;
  EXPECT_NE(id_of(*other), id_of(*first));

  // Still a sound file (the offsets did not move) that qpdf reads through.
  char pattern[] = "/tmp/boligflyt-pdf-identity-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::filesystem::path file = std::filesystem::path(pattern) / "p.pdf";
  std::ofstream(file, std::ios::binary) << *first;
  const std::string command = "qpdf --check " + file.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buffer{};
  std::string output;
  for (std::size_t n = 0; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    output.append(buffer.data(), n);
  EXPECT_EQ(::pclose(pipe), 0) << output;
  EXPECT_NE(output.find("No syntax or stream encoding errors"), std::string::npos) << output;
  std::filesystem::remove_all(pattern);
}

TEST(PdfIdentityTest, IdAndDocumentIdFollowTheContentAtTheSameLength) {
  const std::string a =
      "%PDF-1.7\n<x:xmpmeta>xapMM:DocumentID='uuid:2b540bcd-2761-11fd-0000-85fa56ee0f15'"
      "</x:xmpmeta>\ntrailer\n<< /ID [<16E848844BC0543F689AFAD6BE145F3F>"
      "<16E848844BC0543F689AFAD6BE145F3F>] >>\n";
  std::string b = a;
  b.replace(b.find("2b540bcd"), 8, "2beca24d");
  b.replace(b.find("16E84884"), 8, "C16517F2");
  b.replace(b.rfind("16E84884"), 8, "C16517F2");
  const auto fixed_a = with_content_identity(a);
  EXPECT_EQ(fixed_a, with_content_identity(b));
  EXPECT_EQ(fixed_a.size(), a.size());
  EXPECT_EQ(fixed_a.find("16E848844BC0543F"), std::string::npos);
  EXPECT_EQ(fixed_a.find("2b540bcd"), std::string::npos);
  // Both /ID strings stay equal to each other, as a freshly made file has them.
  const std::regex both(R"(/ID \[<([0-9A-F]{32})><([0-9A-F]{32})>\])");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(fixed_a, m, both)) << fixed_a;
  EXPECT_EQ(m[1].str(), m[2].str());
  // Other content, other identity.
  std::string c = a;
  c.replace(c.find("%PDF-1.7"), 8, "%PDF-1.6");
  EXPECT_NE(id_of(with_content_identity(c)), id_of(fixed_a));
  // Nothing to replace: nothing changes.
  EXPECT_EQ(with_content_identity("%PDF-1.7\nno identifiers\n"), "%PDF-1.7\nno identifiers\n");
}

}  // namespace
}  // namespace boligflyt::archive

// What an attachment is, by its bytes (file_content.h), and the one saksnummer rule
// (core/saksnummer.h) for every form the archives print.

#include <gtest/gtest.h>

#include <string>

#include "core/saksnummer.h"
#include "deviation/file_content.h"
#include "util/base64.h"

namespace boligflyt::deviation {
namespace {

const std::string kPng = *util::base64_decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg"
    "==");

// A baseline JPEG's skeleton: SOI, APP0 JFIF 1.01, SOF0, SOS, two data bytes, EOI.
std::string jpeg() {
  std::string j("\xFF\xD8", 2);
  j += std::string("\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 18);
  j += std::string("\xFF\xC0\x00\x0B\x08\x00\x01\x00\x01\x01\x01\x11\x00", 13);
  j += std::string("\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 10);
  j += std::string("\x12\x34\xFF\xD9", 4);
  return j;
}

const std::string kPdf =
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

TEST(FileContent, RecognisesCompleteFilesByTheirBytes) {
  const auto png = sniff_file_type(kPng);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->media_type, "image/png");
  EXPECT_EQ(png->pronom, "fmt/13");
  const auto j = sniff_file_type(jpeg());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->media_type, "image/jpeg");
  EXPECT_EQ(j->pronom, "fmt/43");
  const auto pdf = sniff_file_type(kPdf);
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->media_type, "application/pdf");
  EXPECT_EQ(pdf->pronom, "fmt/18");
}

TEST(FileContent, RefusesTruncatedForgedAndOtherFiles) {
  EXPECT_FALSE(sniff_file_type(""));
  EXPECT_FALSE(sniff_file_type("Hei, dette er tekst."));
  EXPECT_FALSE(sniff_file_type(kPng.substr(0, kPng.size() - 12))) << "no IEND";
  EXPECT_FALSE(sniff_file_type(kPng + "tail")) << "bytes after IEND";
  EXPECT_FALSE(sniff_file_type(kPdf.substr(0, kPdf.size() - 7))) << "no %%EOF";
  EXPECT_FALSE(sniff_file_type(jpeg().substr(0, jpeg().size() - 2))) << "no EOI";
  std::string no_frame = jpeg();
  no_frame.replace(20, 13,
                   std::string("\xFF\xFE\x00\x0B"
                               "comment!!",
                               13));
  EXPECT_FALSE(sniff_file_type(no_frame)) << "no frame header before the scan";
  std::string bad_length = kPng;
  bad_length[33] = '\x7F';  // the IDAT chunk claims more bytes than there are
  EXPECT_FALSE(sniff_file_type(bad_length));
  EXPECT_FALSE(sniff_file_type("GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
}

TEST(Saksnummer, EveryPrintedFormBecomesTheCanonicalOne) {
  const struct {
    const char* typed;
    const char* canonical;
  } cases[] = {
      {"2026/4185", "2026/4185"},
      {"26/04185", "2026/4185"},
      {"2026/004185", "2026/4185"},
      {" 2026/4185\t", "2026/4185"},
      {"27/1", "2027/1"},
      {"28/1", "1928/1"},
      {"98/01234", "1998/1234"},
      {"00/5", "2000/5"},
      {"1900/1", "1900/1"},
      {"2099/999999999", "2099/999999999"},
      {"2026/0000000042", "2026/42"},
  };
  for (const auto& c : cases) {
    const auto n = parse_saksnummer(c.typed, 2026);
    ASSERT_TRUE(n) << c.typed;
    EXPECT_EQ(n->canonical(), c.canonical) << c.typed;
    EXPECT_TRUE(is_canonical_saksnummer(n->canonical())) << c.typed;
  }
}

TEST(Saksnummer, RefusesWhatNoArchiveWouldAccept) {
  for (const char* bad :
       {"", "2026", "2026/", "/4185", "0000/5", "0/5", "026/5", "20260/5", "1899/5", "2100/1",
        "2026/0", "2026/000", "2026/1234567890", "2026/00000000042", "2026-4185", "2026/41a5",
        "2026/4185-3", "26/4185/1", "２０２６/4185"}) {
    const auto parsed = parse_archive_number(bad, 2026);
    EXPECT_FALSE(parsed.value) << bad;
    EXPECT_FALSE(parsed.problem.empty()) << bad;
  }
  EXPECT_FALSE(is_canonical_saksnummer("26/4185"));
  EXPECT_FALSE(is_canonical_saksnummer("2026/04185"));
}

TEST(Saksnummer, JournalpostReferencesMayNameTheDocument) {
  const auto n = parse_archive_number("26/04185-03", 2026, true);
  ASSERT_TRUE(n.value) << n.problem;
  EXPECT_EQ(n.value->canonical(), "2026/4185-3");
  EXPECT_FALSE(parse_archive_number("2026/4185-0", 2026, true).value);
  EXPECT_FALSE(parse_archive_number("2026/4185-", 2026, true).value);
}

}  // namespace
}  // namespace boligflyt::deviation

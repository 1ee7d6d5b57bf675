#include "util/utf8.h"

#include <gtest/gtest.h>

namespace boligflyt::util {
namespace {

TEST(Utf8, AcceptsNorwegianLettersAndFourByteSequences) {
  EXPECT_FALSE(find_invalid_utf8("Søknad om kommunal bolig – ÆØÅ æøå"));
  EXPECT_FALSE(find_invalid_utf8("\xF0\x9F\x8F\xA0"));  // U+1F3E0 house
  EXPECT_FALSE(find_invalid_utf8(""));
}

TEST(Utf8, ReportsTheOffsetOfTheFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("ok\xff"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xc3\x28"), 0u);          // bad continuation
  EXPECT_EQ(find_invalid_utf8("ab\xc3"), 2u);            // truncated
  EXPECT_EQ(find_invalid_utf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xed\xa0\x80"), 1u);     // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(Utf8, PositionsCountLinesAndCodePoints) {
  const std::string text = "æøå\nab";
  auto pos = position_of(text, text.size() - 1);
  EXPECT_EQ(pos.line, 2u);
  EXPECT_EQ(pos.column, 2u);
  pos = position_of(text, 6);  // the newline, after three two-byte letters
  EXPECT_EQ(pos.line, 1u);
  EXPECT_EQ(pos.column, 4u);
}

TEST(Utf8, InvalidBytesBecomeReplacementCharactersAndValidTextStays) {
  EXPECT_EQ(to_valid_utf8("æøå ok"), "æøå ok");
  const std::string mended = to_valid_utf8("a\xff\xfe b\xc3");
  EXPECT_FALSE(find_invalid_utf8(mended));
  EXPECT_EQ(mended, "a\xEF\xBF\xBD\xEF\xBF\xBD b\xEF\xBF\xBD");
}

}  // namespace
}  // namespace boligflyt::util

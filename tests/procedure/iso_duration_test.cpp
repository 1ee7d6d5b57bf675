#include "procedure/iso_duration.h"

#include <gtest/gtest.h>

namespace boligflyt::procedure {
namespace {

TEST(IsoDuration, ParsesWhatProceduresUse) {
  EXPECT_EQ(parse_iso_duration("P3W")->weeks, 3);
  EXPECT_EQ(parse_iso_duration("P14D")->days, 14);
  auto d = parse_iso_duration("P1Y6M");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->years, 1);
  EXPECT_EQ(d->months, 6);
  EXPECT_EQ(parse_iso_duration("PT48H")->hours, 48);
  EXPECT_EQ(parse_iso_duration("P1M")->months, 1);
  EXPECT_EQ(parse_iso_duration("PT1M")->minutes, 1);
}

TEST(IsoDuration, RefusesMalformedDurations) {
  for (const char* bad : {"", "P", "3W", "PW", "P3", "P3X", "PT", "P1D2Y", "P1Y1Y", "P-3D", "P3WT",
                          "tre uker", "P1.5D"}) {
    EXPECT_FALSE(parse_iso_duration(bad)) << bad;
  }
}

TEST(IsoDuration, NorwegianWords) {
  EXPECT_EQ(parse_iso_duration("P3W")->in_words(), "3 uker");
  EXPECT_EQ(parse_iso_duration("P1W")->in_words(), "1 uke");
  EXPECT_EQ(parse_iso_duration("P1Y6M")->in_words(), "1 år og 6 måneder");
  EXPECT_EQ(parse_iso_duration("P1Y2M3D")->in_words(), "1 år, 2 måneder og 3 dager");
}

TEST(IsoRecurrence, ParsesAndSpeaks) {
  auto r = parse_iso_recurrence("R/P14D");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->repetitions);
  EXPECT_EQ(r->interval.days, 14);
  EXPECT_EQ(r->in_words(), "hver 14. dag");
  EXPECT_EQ(parse_iso_recurrence("R/P1W")->in_words(), "hver uke");
  auto bounded = parse_iso_recurrence("R4/2025-01-06/P3M");
  ASSERT_TRUE(bounded);
  EXPECT_EQ(*bounded->repetitions, 4);
  EXPECT_EQ(bounded->start, "2025-01-06");
  EXPECT_EQ(bounded->in_words(), "hver 3. måned (4 ganger)");
  for (const char* bad : {"R", "R/", "P14D", "R/P0D", "R0/P1D", "Rx/P1D", "R/2025/P1D"}) {
    EXPECT_FALSE(parse_iso_recurrence(bad)) << bad;
  }
}

}  // namespace
}  // namespace boligflyt::procedure

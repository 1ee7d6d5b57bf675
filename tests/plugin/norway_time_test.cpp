// Norway's calendar and wall clock (util/norway_time.h) across the two summer-time changes of
// 2026 (29 March 01:00 UTC, 25 October 01:00 UTC) and around midnight. The epoch values are
// written out (computed independently, with Python's datetime), not derived from the code.

#include "util/norway_time.h"

#include <gtest/gtest.h>

#include <chrono>

#include "util/time.h"

namespace boligflyt::util {
namespace {

void expect_local(std::int64_t epoch, const char* date, int hour, int minute, int second,
                  int offset_minutes, bool summer) {
  const auto t = norway_local_time(epoch);
  EXPECT_EQ(t.date, date) << epoch;
  EXPECT_EQ(t.hour, hour) << epoch;
  EXPECT_EQ(t.minute, minute) << epoch;
  EXPECT_EQ(t.second, second) << epoch;
  EXPECT_EQ(t.utc_offset_minutes, offset_minutes) << epoch;
  EXPECT_EQ(t.summer_time, summer) << epoch;
}

TEST(NorwayTime, SummerTimeBeginsOn29March2026) {
  // 01:59:59 CET is followed by 03:00:00 CEST.
  expect_local(1774745999, "2026-03-29", 1, 59, 59, 60, false);
  expect_local(1774746000, "2026-03-29", 3, 0, 0, 120, true);
}

TEST(NorwayTime, SummerTimeEndsOn25October2026) {
  // 02:59:59 CEST is followed by 02:00:00 CET: the hour between two and three happens twice.
  expect_local(1792889999, "2026-10-25", 2, 59, 59, 120, true);
  expect_local(1792890000, "2026-10-25", 2, 0, 0, 60, false);
}

TEST(NorwayTime, CalendarDayTurnsAtNorwegianMidnight) {
  // Summer: midnight in Oslo is 22:00 UTC.
  EXPECT_EQ(norway_date(1782856799), "2026-06-30");
  EXPECT_EQ(norway_date(1782856800), "2026-07-01");
  // Winter: midnight in Oslo is 23:00 UTC; the year turns too.
  EXPECT_EQ(norway_date(1798757999), "2026-12-31");
  EXPECT_EQ(norway_year(1798757999), 2026);
  EXPECT_EQ(norway_date(1798758000), "2027-01-01");
  EXPECT_EQ(norway_year(1798758000), 2027);
  // UTC would still say 31 December here.
  EXPECT_EQ(iso_utc(1798758000).substr(0, 10), "2026-12-31");
}

TEST(NorwayTime, TodayOfATimePoint) {
  const std::chrono::system_clock::time_point t{std::chrono::seconds{1782856800}};
  EXPECT_EQ(norway_today(t), "2026-07-01");
  EXPECT_EQ(norway_today(t - std::chrono::seconds{1}), "2026-06-30");
}

TEST(NorwayTime, DayStartsOnBothSidesOfTheChanges) {
  EXPECT_EQ(norway_day_start("2026-03-29"), 1774738800);          // 2026-03-28T23:00:00Z (CET)
  EXPECT_EQ(norway_day_start("2026-03-30"), 1774821600);          // 2026-03-29T22:00:00Z (CEST)
  EXPECT_EQ(norway_day_start("2026-10-25"), 1792965600 - 86400);  // 2026-10-24T22:00:00Z
  EXPECT_EQ(norway_day_start("2026-10-26"), 1792969200);          // 2026-10-25T23:00:00Z (CET)
  // The day of the change back has 25 hours, the day of the change forward 23.
  EXPECT_EQ(norway_day_start("2026-10-26") - norway_day_start("2026-10-25"), 25 * 3600);
  EXPECT_EQ(norway_day_start("2026-03-30") - norway_day_start("2026-03-29"), 23 * 3600);
  EXPECT_EQ(norway_day_start("2026-02-30"), -1);
  EXPECT_EQ(norway_day_start("2026-3-1"), -1);
}

TEST(NorwayTime, ParsesTheTimestampsTheStoreWrites) {
  EXPECT_EQ(parse_iso_utc("2026-03-29T01:00:00Z"), 1774746000);
  EXPECT_EQ(parse_iso_utc(iso_utc(1792889999)), 1792889999);
  EXPECT_FALSE(parse_iso_utc("2026-03-29T01:00:00"));
  EXPECT_FALSE(parse_iso_utc("2026-02-30T01:00:00Z"));
  EXPECT_FALSE(parse_iso_utc("2026-03-29"));
}

}  // namespace
}  // namespace boligflyt::util

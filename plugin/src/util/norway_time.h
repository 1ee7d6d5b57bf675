#pragma once
// Norway's calendar and wall clock (Europe/Oslo, from the system's tz database through
// Howard Hinnant's date library). Every "today", deadline date and report time the product
// speaks of is Norwegian: an avvik registered at 00:30 on 1 July in Oslo happened on 1 July,
// although it is still 30 June in UTC. Instants stay in UTC (epoch seconds, "…Z" strings);
// only what people read as a date or a time of day goes through here.

#include <chrono>
#include <cstdint>
#include <string>

namespace boligflyt::util {

/// Reads Europe/Oslo from the system tz database now; throws std::runtime_error naming the
/// package (tzdata) when it is missing. Called at start-up, so that a missing database is a
/// clear start-up error and not a failure on the first request that speaks of "today".
void require_norway_time_zone();

/// The Norwegian calendar date of the instant `epoch_seconds`, as "YYYY-MM-DD".
std::string norway_date(std::int64_t epoch_seconds);

/// The Norwegian calendar date now (or at `now`), as "YYYY-MM-DD".
std::string norway_today(std::chrono::system_clock::time_point now);
std::string norway_today();

/// The Norwegian calendar year of the instant `epoch_seconds`.
int norway_year(std::int64_t epoch_seconds);

/// Wall-clock time in Norway at one instant.
struct NorwayLocalTime {
  std::string date;            // "YYYY-MM-DD"
  int hour = 0;                // 0..23
  int minute = 0;              // 0..59
  int second = 0;              // 0..59
  int utc_offset_minutes = 0;  // +60 in winter (CET), +120 in summer (CEST)
  bool summer_time = false;
};
NorwayLocalTime norway_local_time(std::int64_t epoch_seconds);

/// The instant (epoch seconds) at which the Norwegian calendar day `iso_date` ("YYYY-MM-DD")
/// begins; -1 when `iso_date` is not a valid date.
std::int64_t norway_day_start(const std::string& iso_date);

}  // namespace boligflyt::util

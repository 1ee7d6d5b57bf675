#include "util/norway_time.h"

#include <array>
#include <cstdio>
#include <stdexcept>
// Only this file includes the date library: its headers are heavy, and keeping them here
// keeps the choice of time-zone library behind one small header.
#include <date/date.h>
#include <date/tz.h>

namespace boligflyt::util {
namespace {

const date::time_zone& oslo() {
  // The tz database is read once; the zone object lives as long as the process.
  static const date::time_zone* const zone = date::locate_zone("Europe/Oslo");
  return *zone;
}

std::string iso_date(const date::year_month_day& ymd) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf.data();
}

date::local_seconds local_of(std::int64_t epoch_seconds) {
  const date::sys_seconds instant{std::chrono::seconds{epoch_seconds}};
  return oslo().to_local(instant);
}

}  // namespace

void require_norway_time_zone() {
  try {
    (void)oslo();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("the time zone Europe/Oslo is not available (install "
                                         "the tzdata package): ") +
                             e.what());
  }
}

std::string norway_date(std::int64_t epoch_seconds) {
  return iso_date(date::year_month_day{date::floor<date::days>(local_of(epoch_seconds))});
}

std::string norway_today(std::chrono::system_clock::time_point now) {
  return norway_date(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

std::string norway_today() { return norway_today(std::chrono::system_clock::now()); }

int norway_year(std::int64_t epoch_seconds) {
  return static_cast<int>(
      date::year_month_day{date::floor<date::days>(local_of(epoch_seconds))}.year());
}

NorwayLocalTime norway_local_time(std::int64_t epoch_seconds) {
  const date::sys_seconds instant{std::chrono::seconds{epoch_seconds}};
  const auto info = oslo().get_info(instant);
  const auto local = date::local_seconds{instant.time_since_epoch() + info.offset};
  const auto day = date::floor<date::days>(local);
  const date::hh_mm_ss<std::chrono::seconds> clock{local - day};
  NorwayLocalTime t;
  t.date = iso_date(date::year_month_day{day});
  t.hour = static_cast<int>(clock.hours().count());
  t.minute = static_cast<int>(clock.minutes().count());
  t.second = static_cast<int>(clock.seconds().count());
  t.utc_offset_minutes =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
  t.summer_time = info.save != std::chrono::minutes{0};
  return t;
}

std::int64_t norway_day_start(const std::string& iso_date_text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (iso_date_text.size() != 10 ||
      std::sscanf(iso_date_text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return -1;
  }
  const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
  if (!ymd.ok()) return -1;
  // Norway's summer-time changes happen at 02:00/03:00, never at midnight, so local midnight
  // exists exactly once; `earliest` is only a safe choice should a rule ever change that.
  const auto start = oslo().to_sys(date::local_days{ymd}, date::choose::earliest);
  return start.time_since_epoch().count();
}

}  // namespace boligflyt::util

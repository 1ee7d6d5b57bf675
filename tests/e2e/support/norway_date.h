#pragma once
// Norway's calendar date, as the product's "today" is (Europe/Oslo from the system tz
// database), computed here with the date library directly rather than with the product's
// util/norway_time, so the tests do not take the product's word for it.

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <string>

namespace boligflyt::e2e {

/// "YYYY-MM-DD" in Oslo, `days_from_today` calendar days from today.
inline std::string norway_date(int days_from_today) {
  const auto local =
      date::make_zoned("Europe/Oslo", std::chrono::system_clock::now()).get_local_time();
  const auto day = date::floor<date::days>(local) + date::days{days_from_today};
  return date::format("%F", day);
}

}  // namespace boligflyt::e2e

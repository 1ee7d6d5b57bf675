#pragma once
// ISO 8601 durations as procedures use them (P3W, P14D, P3M, P1Y, PT48H) and recurrences
// (R/P14D). Kept as calendar components, because "three months before the lease ends" is
// not a fixed number of days.

#include <optional>
#include <string>
#include <string_view>

namespace boligflyt::procedure {

struct IsoDuration {
  int years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0;
  double seconds = 0;

  /// Norwegian words: "3 uker", "1 år og 6 måneder", "14 dager".
  std::string in_words() const;
  /// Rough length in days, for ordering and sanity checks only (a month counts 30 days).
  double approximate_days() const;
  bool operator==(const IsoDuration&) const = default;
};

std::optional<IsoDuration> parse_iso_duration(std::string_view text);

struct IsoRecurrence {
  std::optional<int> repetitions;  // R5/... ; nullopt = unbounded (R/...)
  std::string start;               // optional start date
  IsoDuration interval;
  std::string in_words() const;  // "hver 14. dag", "hver 3. måned"
};

std::optional<IsoRecurrence> parse_iso_recurrence(std::string_view text);

}  // namespace boligflyt::procedure

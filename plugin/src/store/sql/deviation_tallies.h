#pragma once
// The per-month counts behind the statistics (migration 0011): written in the same unit of
// work as every registration and change of an avvik, read instead of grouping the whole table.

#include <cstdint>
#include <string>

#include "ports/store/records.h"
#include "store/sql/connection.h"

namespace boligflyt::store::sql {

/// Closure times are counted in buckets of this many seconds (dimension 'closure'), so that
/// the median is found among the few avvik of one bucket instead of all closed ones.
inline constexpr std::int64_t kClosureBucketSeconds = 6 * 3600;

/// The columns of an avvik that the counts are kept by; `closure_bucket` is "" unless the
/// avvik has a closure time (lukket, closed_epoch set), else floor(seconds / bucket size).
struct TallyKey {
  std::string procedure_id, step_id, status, responsible_unit, reporting_unit, category, severity,
      incident_date, closure_bucket;
  bool operator==(const TallyKey&) const = default;
};

TallyKey tally_key(const DeviationRecord& r);
/// The bucket of a closure time, as written in deviation_tallies.a.
std::string closure_bucket(std::int64_t closure_seconds);

/// Adds `delta` (+1 for a new avvik, -1 for the state it leaves) to each count of `key`.
void add_to_tallies(Connection& c, const TallyKey& key, std::int64_t delta);

/// Counts one avvik moving from `before` to `after`, if anything counted changed.
void move_in_tallies(Connection& c, const TallyKey& before, const TallyKey& after);

}  // namespace boligflyt::store::sql

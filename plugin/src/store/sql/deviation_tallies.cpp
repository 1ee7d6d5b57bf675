#include "store/sql/deviation_tallies.h"

#include <array>
#include <string_view>
#include <utility>

namespace boligflyt::store::sql {

std::string closure_bucket(std::int64_t closure_seconds) {
  // Floor division, also for a (never expected) negative time; migration 0011 does the same.
  const std::int64_t bucket =
      closure_seconds >= 0
          ? closure_seconds / kClosureBucketSeconds
          : (closure_seconds - (kClosureBucketSeconds - 1)) / kClosureBucketSeconds;
  return std::to_string(bucket);
}

TallyKey tally_key(const DeviationRecord& r) {
  // As the closure_seconds of the dialects: lukket with a closing time.
  const bool closed = r.status == "lukket" && r.closed_epoch > 0;
  return {r.procedure_id,
          r.step_id,
          r.status,
          r.responsible_unit,
          r.reporting_unit,
          r.category,
          r.severity,
          r.incident_date,
          closed ? closure_bucket(r.closed_epoch - r.created_epoch) : std::string()};
}

void add_to_tallies(Connection& c, const TallyKey& key, std::int64_t delta) {
  const std::string month = key.incident_date.substr(0, 7);
  const std::string none;
  struct Row {
    const char* dimension;
    const std::string* a;
    const std::string* b;
    const std::string* c;
  };
  const std::array<Row, 6> rows = {{
      {"step", &key.procedure_id, &key.step_id, &key.status},
      {"unit", &key.responsible_unit, &none, &none},
      {"category", &key.category, &none, &none},
      {"severity", &key.severity, &none, &none},
      {"pair", &key.reporting_unit, &key.responsible_unit, &none},
      {"closure", &key.closure_bucket, &none, &none},
  }};
  for (const auto& row : rows) {
    if (row.a->empty() && std::string_view(row.dimension) == "closure") continue;
    Query q(c,
            "INSERT INTO deviation_tallies (month, dimension, a, b, c, n) VALUES (?1, ?2, ?3, ?4, "
            "?5, ?6) ON CONFLICT (month, dimension, a, b, c) DO UPDATE SET n = "
            "deviation_tallies.n + excluded.n");
    q.with(month, row.dimension, *row.a, *row.b, *row.c, delta).run();
  }
}

void move_in_tallies(Connection& c, const TallyKey& before, const TallyKey& after) {
  if (before == after) return;
  add_to_tallies(c, before, -1);
  add_to_tallies(c, after, +1);
}

}  // namespace boligflyt::store::sql

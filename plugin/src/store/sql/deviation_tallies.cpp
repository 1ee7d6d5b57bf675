#include "store/sql/deviation_tallies.h"

#include <array>
#include <string>
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
  // One statement for all dimensions: it runs while the year's counter row is locked (see
  // create_deviation), where every round trip holds up every other registration. The keys
  // differ by dimension, so no row is hit twice (PostgreSQL refuses that in one upsert).
  std::string sql = "INSERT INTO deviation_tallies (month, dimension, a, b, c, n) VALUES ";
  int index = 0;
  for (const auto& row : rows) {
    if (row.a->empty() && std::string_view(row.dimension) == "closure") continue;
    sql += index == 0 ? "(" : ", (";
    for (int column = 0; column < 6; ++column) {
      sql += (column == 0 ? "?" : ", ?") + std::to_string(index * 6 + column + 1);
    }
    sql += ")";
    ++index;
  }
  sql +=
      " ON CONFLICT (month, dimension, a, b, c) DO UPDATE SET n = deviation_tallies.n + "
      "excluded.n";
  Query q(c, sql);
  index = 0;
  for (const auto& row : rows) {
    if (row.a->empty() && std::string_view(row.dimension) == "closure") continue;
    const int base = index * 6;
    q.bind(base + 1, month);
    q.bind(base + 2, std::string_view(row.dimension));
    q.bind(base + 3, *row.a);
    q.bind(base + 4, *row.b);
    q.bind(base + 5, *row.c);
    q.bind(base + 6, delta);
    ++index;
  }
  q.run();
}

void move_in_tallies(Connection& c, const TallyKey& before, const TallyKey& after) {
  if (before == after) return;
  add_to_tallies(c, before, -1);
  add_to_tallies(c, after, +1);
}

}  // namespace boligflyt::store::sql

// Statistics over avvik: counts per step, unit, unit pair (reporting × responsible), category,
// severity, status and month, the median closure time and what is overdue.

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/overdue_rule.h"
#include "store/sql/deviation_filter.h"
#include "store/sql/deviation_rows.h"
#include "store/sql/privacy_rows.h"
#include "store/sql/sql_store.h"
#include "util/norway_time.h"

namespace boligflyt::store::sql {
namespace {

void sort_counts(std::vector<KeyCount>& counts) {
  std::sort(counts.begin(), counts.end(), [](const KeyCount& a, const KeyCount& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
}

/// Collects the counts of deviation_statistics, from grouped rows or one avvik at a time.
class StatsBuilder {
 public:
  void add(const std::string& procedure_id, const std::string& step_id, const std::string& status,
           std::int64_t n) {
    auto& step = steps_[{procedure_id, step_id}];
    step.first += n;
    if (is_open_status(status)) step.second += n;
    statuses_[status] += n;
  }
  void add_unit(const std::string& unit, std::int64_t n) { units_[unit] += n; }
  void add_category(const std::string& category, std::int64_t n) { categories_[category] += n; }
  void add_severity(const std::string& severity, std::int64_t n) { severities_[severity] += n; }
  void add_incident_date(const std::string& date, std::int64_t n) {
    months_[date.substr(0, 7)] += n;
  }
  void add_unit_pair(const std::string& reporting, const std::string& responsible, std::int64_t n) {
    unit_pairs_[{reporting, responsible}] += n;
  }

  /// Totals and lists; per_step by total desc, then step id; the other lists (except
  /// per_month, ascending) by count desc, then key.
  DeviationStatistics finish() const {
    DeviationStatistics stats;
    for (const auto& [status, n] : statuses_) {
      stats.total += n;
      if (status == "lukket") stats.closed += n;
      if (status == "avvist") stats.rejected += n;
    }
    stats.open = stats.total - stats.closed - stats.rejected;
    stats.per_step.reserve(steps_.size());
    for (const auto& [key, counts] : steps_) {
      stats.per_step.push_back({key.first, key.second, counts.first, counts.second});
    }
    std::sort(stats.per_step.begin(), stats.per_step.end(),
              [](const StepCount& a, const StepCount& b) {
                if (a.total != b.total) return a.total > b.total;
                if (a.step_id != b.step_id) return a.step_id < b.step_id;
                return a.procedure_id < b.procedure_id;
              });
    stats.per_status = counts_of(statuses_);
    stats.per_unit = counts_of(units_);
    stats.per_category = counts_of(categories_);
    stats.per_severity = counts_of(severities_);
    for (const auto& [month, n] : months_) stats.per_month.push_back({month, n});
    for (const auto& [pair, n] : unit_pairs_) {
      stats.per_unit_pair.push_back({pair.first, pair.second, n});
    }
    // The map's order (reporting, then responsible) breaks ties; stable keeps it.
    std::stable_sort(
        stats.per_unit_pair.begin(), stats.per_unit_pair.end(),
        [](const UnitPairCount& a, const UnitPairCount& b) { return a.count > b.count; });
    return stats;
  }

 private:
  static std::vector<KeyCount> counts_of(const std::map<std::string, std::int64_t>& map) {
    std::vector<KeyCount> out;
    out.reserve(map.size());
    for (const auto& [key, n] : map) out.push_back({key, n});
    sort_counts(out);
    return out;
  }

  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> steps_;
  std::map<std::string, std::int64_t> statuses_, units_, categories_, severities_, months_;
  std::map<std::pair<std::string, std::string>, std::int64_t> unit_pairs_;
};

/// Statistics over every avvik: one scan of a covering index per grouping, and the median
/// read at its offset in the closure index.
DeviationStatistics statistics_of_all(Connection& c, std::int64_t now_epoch) {
  StatsBuilder builder;
  {
    Query q(c,
            "SELECT d.procedure_id, d.step_id, d.status, count(*) FROM deviations d "
            "GROUP BY d.step_id, d.procedure_id, d.status");
    while (q.next()) builder.add(q.text(0), q.text(1), q.text(2), q.int64(3));
  }
  const auto group = [&](const char* column, auto add) {
    Query q(c, std::string("SELECT ") + column + ", count(*) FROM deviations d GROUP BY " + column);
    while (q.next()) add(q.text(0), q.int64(1));
  };
  group("d.responsible_unit",
        [&](const std::string& k, std::int64_t n) { builder.add_unit(k, n); });
  group("d.category", [&](const std::string& k, std::int64_t n) { builder.add_category(k, n); });
  group("d.severity", [&](const std::string& k, std::int64_t n) { builder.add_severity(k, n); });
  group("d.incident_date",
        [&](const std::string& k, std::int64_t n) { builder.add_incident_date(k, n); });
  {
    Query q(c,
            "SELECT d.reporting_unit, d.responsible_unit, count(*) FROM deviations d "
            "GROUP BY d.reporting_unit, d.responsible_unit");
    while (q.next()) builder.add_unit_pair(q.text(0), q.text(1), q.int64(2));
  }
  DeviationStatistics stats = builder.finish();
  const std::string closure(c.dialect().closure_seconds);
  std::int64_t closed = 0;
  {
    Query q(c, "SELECT count(*) FROM deviations d WHERE " + closure + " IS NOT NULL");
    if (q.next()) closed = q.int64(0);
  }
  if (closed > 0) {
    // The lower median: for an even count, the smaller of the two middle values.
    Query q(c, "SELECT " + closure + " FROM deviations d WHERE " + closure +
                   " IS NOT NULL ORDER BY " + closure + " LIMIT 1 OFFSET " +
                   std::to_string((closed - 1) / 2));
    if (q.next()) stats.median_closure_seconds = q.int64(0);
  }
  Query q(c, std::string("SELECT count(*) FROM deviations d WHERE ") + kOverdueSql);
  q.with(now_epoch, now_epoch);
  if (q.next()) stats.overdue_deviations = q.int64(0);
  return stats;
}

/// Statistics over the avvik matching `filter`: one pass over them.
DeviationStatistics statistics_of_matching(Connection& c, const FilterSql& filter,
                                           std::int64_t now_epoch) {
  StatsBuilder builder;
  std::vector<std::int64_t> closures;
  std::int64_t overdue = 0;
  Query q(c,
          "SELECT d.procedure_id, d.step_id, d.status, d.responsible_unit, d.category, "
          "d.severity, d.incident_date, " +
              std::string(c.dialect().closure_seconds) +
              ", d.receive_due_epoch, d.close_due_epoch, d.reporting_unit FROM deviations d "
              "WHERE 1 = 1" +
              filter.where);
  filter.params.bind(q);
  while (q.next()) {
    const std::string status = q.text(2);
    builder.add(q.text(0), q.text(1), status, 1);
    builder.add_unit(q.text(3), 1);
    builder.add_category(q.text(4), 1);
    builder.add_severity(q.text(5), 1);
    builder.add_incident_date(q.text(6), 1);
    builder.add_unit_pair(q.text(10), q.text(3), 1);
    if (!q.is_null(7)) closures.push_back(q.int64(7));
    if (rules::passed_deadline(is_open_status(status), status == "registrert", q.int64(8),
                               q.int64(9), now_epoch) != rules::PassedDeadline::kNone) {
      ++overdue;
    }
  }
  DeviationStatistics stats = builder.finish();
  if (!closures.empty()) {
    // The lower median, as in statistics_of_all.
    const auto middle = closures.begin() + static_cast<std::ptrdiff_t>((closures.size() - 1) / 2);
    std::nth_element(closures.begin(), middle, closures.end());
    stats.median_closure_seconds = *middle;
  }
  stats.overdue_deviations = overdue;
  return stats;
}

}  // namespace

Result<DeviationStatistics> SqlStore::deviation_statistics(const DeviationQuery& filter) {
  return read<DeviationStatistics>(
      "deviation_statistics", [&](Connection& c) -> Result<DeviationStatistics> {
        const FilterSql where = filter_sql(
            filter, false, c.dialect().index_hints ? UnitTerms::kIdLists : UnitTerms::kRowChecks);
        DeviationStatistics stats = where.where.empty()
                                        ? statistics_of_all(c, filter.now_epoch)
                                        : statistics_of_matching(c, where, filter.now_epoch);
        Params params;
        params.add(util::norway_date(filter.now_epoch));
        params.append(where.params);
        Query q(c,
                "SELECT count(*) FROM deviation_actions a JOIN deviations d ON "
                "d.id = a.deviation_id WHERE a.done_date = '' AND a.due_date <> '' AND "
                "a.due_date < ?" +
                    where.where);
        params.bind(q);
        if (q.next()) stats.overdue_actions = q.int64(0);
        add_privacy_statistics(c, where, filter.now_epoch, stats);
        stats.per_cause_code = cause_code_counts(c, where.where, where.params);
        return stats;
      });
}

}  // namespace boligflyt::store::sql

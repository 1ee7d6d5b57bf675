// Statistics over avvik: counts per step, unit, unit pair (reporting × responsible), category,
// severity, status and month, the median closure time and what is overdue.

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/overdue_rule.h"
#include "store/sql/deviation_filter.h"
#include "store/sql/deviation_rows.h"
#include "store/sql/deviation_tallies.h"
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

/// The months ("YYYY-MM", inclusive; "" = open-ended) that `f` covers exactly, when it
/// filters on dates only and each date is a month's first (from) or last (to) day: then the
/// per-month counts answer it. nullopt otherwise.
std::optional<std::pair<std::string, std::string>> whole_months(const DeviationQuery& f) {
  if (!f.statuses.empty() || !f.unit.empty() || !f.procedure_id.empty() ||
      !f.procedure_version.empty() || !f.step_id.empty() || !f.category.empty() ||
      !f.severity.empty() || f.overdue_only) {
    return std::nullopt;
  }
  const auto parse = [](const std::string& date, int& y, int& m, int& d) {
    const auto number = [&](std::size_t at, std::size_t n, int& out) {
      const char* begin = date.data() + at;
      const auto [end, ec] = std::from_chars(begin, begin + n, out);
      return ec == std::errc() && end == begin + n;
    };
    return date.size() == 10 && date[4] == '-' && date[7] == '-' && number(0, 4, y) &&
           number(5, 2, m) && number(8, 2, d) && m >= 1 && m <= 12;
  };
  int y = 0;
  int m = 0;
  int d = 0;
  std::pair<std::string, std::string> months;
  if (!f.from_date.empty()) {
    if (!parse(f.from_date, y, m, d) || d != 1) return std::nullopt;
    months.first = f.from_date.substr(0, 7);
  }
  if (!f.to_date.empty()) {
    if (!parse(f.to_date, y, m, d)) return std::nullopt;
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d != kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && leap ? 1 : 0)) {
      return std::nullopt;
    }
    months.second = f.to_date.substr(0, 7);
  }
  return months;
}

/// The counts of deviation_tallies in a range of months, added up per (dimension, a, b, c)
/// and, for dimension 'step' (which counts every avvik once), per month.
struct TallySums {
  struct KeyHash {
    std::size_t operator()(const std::array<std::string, 4>& key) const noexcept {
      std::size_t h = 0;
      for (const auto& part : key) h = h * 31 + std::hash<std::string>{}(part);
      return h;
    }
  };
  std::unordered_map<std::array<std::string, 4>, std::int64_t, KeyHash> by_key;
  std::map<std::string, std::int64_t> per_month;
  /// Dimension 'closure' (most of the rows): bucket -> count.
  std::unordered_map<std::int64_t, std::int64_t> closure_buckets;
};

TallySums sum_tallies(Connection& c, const std::string& first, const std::string& last) {
  TallySums sums;
  Query q(c,
          "SELECT month, dimension, a, b, c, n FROM deviation_tallies WHERE month >= ?1 AND "
          "month <= ?2");
  q.with(first, last);
  std::string month;
  std::int64_t month_sum = 0;
  while (q.next()) {
    std::string dimension = q.text(1);
    const std::int64_t n = q.int64(5);
    if (dimension == "closure") {
      sums.closure_buckets[std::stoll(q.text(2))] += n;
      continue;
    }
    std::array<std::string, 4> key = {std::move(dimension), q.text(2), q.text(3), q.text(4)};
    if (key[0] == "step") {
      // Rows come month by month in SQLite (primary-key order); the map adds up either way.
      std::string row_month = q.text(0);
      if (row_month != month) {
        if (!month.empty()) sums.per_month[month] += month_sum;
        month = std::move(row_month);
        month_sum = 0;
      }
      month_sum += n;
    }
    sums.by_key[std::move(key)] += n;
  }
  if (!month.empty()) sums.per_month[month] += month_sum;
  return sums;
}

/// Statistics over every avvik, or over whole months of incident dates: the per-month counts
/// (deviation_tallies) added up, the median read in the one bucket of closure times that holds
/// it, and the few open avvik checked for deadlines.
DeviationStatistics statistics_from_tallies(Connection& c, const DeviationQuery& filter,
                                            const std::pair<std::string, std::string>& months) {
  const std::string first = months.first.empty() ? std::string("0000-00") : months.first;
  const std::string last = months.second.empty() ? std::string("9999-99") : months.second;
  // One pass over the months' counts, added up here: GROUP BY in SQL sorted the ~24,000 rows
  // of three years by their text keys, three times (dimensions, months, closure buckets).
  const TallySums sums = sum_tallies(c, first, last);
  StatsBuilder builder;
  std::vector<std::pair<std::int64_t, std::int64_t>> buckets;
  for (const auto& [key, n] : sums.by_key) {
    if (n == 0) continue;  // counts that fell back to zero, as HAVING SUM(n) <> 0 did
    const std::string& dimension = key[0];
    if (dimension == "step") {
      builder.add(key[1], key[2], key[3], n);
    } else if (dimension == "unit") {
      builder.add_unit(key[1], n);
    } else if (dimension == "category") {
      builder.add_category(key[1], n);
    } else if (dimension == "severity") {
      builder.add_severity(key[1], n);
    } else if (dimension == "pair") {
      builder.add_unit_pair(key[1], key[2], n);
    }
  }
  for (const auto& [bucket, n] : sums.closure_buckets) {
    if (n != 0) buckets.emplace_back(bucket, n);
  }
  for (const auto& [month, n] : sums.per_month) {
    if (n != 0) builder.add_incident_date(month, n);
  }
  DeviationStatistics stats = builder.finish();
  const std::string closure(c.dialect().closure_seconds);
  const bool dates = !filter.from_date.empty() || !filter.to_date.empty();
  // The dates as terms the planner does not start from (the incident date's index would read
  // a year of rows): the closure and open-deadline indexes find fewer.
  const std::string date_terms =
      dates ? " AND (d.incident_date || '') >= ? AND (d.incident_date || '') <= ?" : "";
  const std::string from = filter.from_date;
  const std::string to = filter.to_date.empty() ? std::string("9999-99-99") : filter.to_date;
  // The median: its bucket from the counts of closure times, then its place in that bucket.
  std::sort(buckets.begin(), buckets.end());
  std::int64_t closed = 0;
  for (const auto& bucket : buckets) closed += bucket.second;
  std::int64_t rank = (closed - 1) / 2;  // the lower median, as in statistics_of_matching
  for (const auto& [bucket, n] : buckets) {
    if (rank >= n) {
      rank -= n;
      continue;
    }
    Query q(c, "SELECT " + closure + " FROM deviations d WHERE " + closure + " IS NOT NULL AND " +
                   closure + " >= ? AND " + closure + " < ?" + date_terms + " ORDER BY " + closure +
                   " LIMIT 1 OFFSET ?");
    int index = 0;
    q.bind(++index, bucket * kClosureBucketSeconds);
    q.bind(++index, (bucket + 1) * kClosureBucketSeconds);
    if (dates) {
      q.bind(++index, from);
      q.bind(++index, to);
    }
    q.bind(++index, rank);
    if (q.next()) stats.median_closure_seconds = q.int64(0);
    break;
  }
  if (c.dialect().index_hints) {
    // Each half of kOverdueSql from its partial index alone, which holds the deadline and the
    // incident date (migration 0013): SQLite otherwise takes every 'registrert' avvik from the
    // status index and reads its row.
    const std::string in_range =
        dates ? " AND d.incident_date >= ?2 AND d.incident_date <= ?3" : std::string();
    Query q(c,
            "SELECT (SELECT count(*) FROM deviations d INDEXED BY deviations_receive_due WHERE "
            "d.status = 'registrert' AND d.receive_due_epoch < ?1" +
                in_range +
                ") + (SELECT count(*) FROM deviations d INDEXED BY deviations_close_due WHERE "
                "d.status NOT IN ('registrert', 'lukket', 'avvist') AND d.close_due_epoch < ?1" +
                in_range + ")");
    q.bind(1, filter.now_epoch);
    if (dates) q.bind(2, from).bind(3, to);
    if (q.next()) stats.overdue_deviations = q.int64(0);
    return stats;
  }
  Query q(c, std::string("SELECT count(*) FROM deviations d WHERE ") + kOverdueSql + date_terms);
  q.bind(1, filter.now_epoch).bind(2, filter.now_epoch);
  if (dates) q.bind(3, from).bind(4, to);
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

/// The dates of a query that filters on nothing else, as terms for the joins from the small
/// tables (open actions, personvernavvik, cause codes): written so that the planner starts
/// from those tables, not from a year of avvik through the incident date's index.
FilterSql side_terms(const DeviationQuery& filter) {
  FilterSql f;
  if (!filter.from_date.empty()) {
    f.where += " AND (d.incident_date || '') >= ?";
    f.params.add(filter.from_date);
  }
  if (!filter.to_date.empty()) {
    f.where += " AND (d.incident_date || '') <= ?";
    f.params.add(filter.to_date);
  }
  f.dates = !f.where.empty();
  return f;
}

}  // namespace

Result<DeviationStatistics> SqlStore::deviation_statistics(const DeviationQuery& filter) {
  return read<DeviationStatistics>(
      "deviation_statistics", [&](Connection& c) -> Result<DeviationStatistics> {
        FilterSql where = filter_sql(
            filter, false, c.dialect().index_hints ? UnitTerms::kIdLists : UnitTerms::kRowChecks);
        const auto months = whole_months(filter);
        if (months) where = side_terms(filter);
        DeviationStatistics stats = months ? statistics_from_tallies(c, filter, *months)
                                           : statistics_of_matching(c, where, filter.now_epoch);
        Params params;
        params.add(util::norway_date(filter.now_epoch));
        params.append(where.params);
        // Unfiltered, the actions alone answer (each belongs to an avvik: a foreign key, and
        // avvik are never deleted), from their index without reading a row.
        Query q(c, where.where.empty()
                       ? std::string("SELECT count(*) FROM deviation_actions a WHERE a.done_date "
                                     "= '' AND a.due_date <> '' AND a.due_date < ?")
                       : "SELECT count(*) FROM deviation_actions a CROSS JOIN deviations d WHERE "
                         "d.id = a.deviation_id AND a.done_date = '' AND a.due_date <> '' AND "
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

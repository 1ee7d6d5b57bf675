// Reading avvik: one, its history, and pages of a filtered, sorted list.

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <utility>

#include "store/sql/deviation_filter.h"
#include "store/sql/deviation_rows.h"
#include "store/sql/sql_store.h"

namespace boligflyt::store::sql {
namespace {

/// How list_deviations orders: the column, its index (with id as the tie-breaker; for engines
/// that take index hints), and whether the cursor value is an integer.
struct SortKey {
  std::string_view name;
  const char* column;
  const char* index;
  bool integer;
};

constexpr std::array kSortKeys = {
    SortKey{"created", "d.created_epoch", "deviations_created", true},
    SortKey{"updated", "d.updated_at", "deviations_updated", false},
    SortKey{"incident_date", "d.incident_date", "deviations_incident", false},
    SortKey{"severity", "d.severity_rank", "deviations_severity_rank", true},
    SortKey{"id", "d.id", "sqlite_autoindex_deviations_1", false},  // the primary key
};

std::string sort_value_of(const DeviationRecord& r, std::string_view sort) {
  if (sort == "created") return std::to_string(r.created_epoch);
  if (sort == "updated") return r.updated_at;
  if (sort == "incident_date") return r.incident_date;
  if (sort == "severity") return r.severity;  // the code; compared by its rank
  return r.id;
}

/// How many avvik match `filter`, counting no further than `cap`.
std::int64_t count_matches(Connection& c, const FilterSql& filter, std::int64_t cap) {
  Query q(c, "SELECT count(*) FROM (SELECT 1 FROM deviations d WHERE 1 = 1" + filter.where +
                 " LIMIT " + std::to_string(cap) + ") AS matches");
  filter.params.bind(q);
  return q.next() ? q.int64(0) : 0;
}

}  // namespace

FilterSql filter_sql(const DeviationQuery& q, bool with_visibility, UnitTerms units) {
  const bool lists = units == UnitTerms::kIdLists;
  FilterSql f;
  if (!q.statuses.empty()) {
    f.where += " AND d.status IN (" + placeholders(q.statuses.size()) + ")";
    for (const auto& status : q.statuses) f.params.add(status);
  }
  if (!q.unit.empty()) {
    f.where += lists ? " AND d.id IN (SELECT u.id FROM deviations u WHERE u.responsible_unit = ? "
                       "UNION ALL SELECT p.deviation_id FROM deviation_participants p WHERE "
                       "p.unit_id = ?)"
                     : " AND (d.responsible_unit = ? OR EXISTS (SELECT 1 FROM "
                       "deviation_participants p WHERE p.deviation_id = d.id AND p.unit_id = ?))";
    f.params.add(q.unit);
    f.params.add(q.unit);
  }
  const std::array<std::pair<const char*, const std::string*>, 6> terms = {{
      {" AND d.procedure_id = ?", &q.procedure_id},
      {" AND d.procedure_version = ?", &q.procedure_version},
      {" AND d.step_id = ?", &q.step_id},
      {" AND d.category = ?", &q.category},
      {" AND d.incident_date >= ?", &q.from_date},
      {" AND d.incident_date <= ?", &q.to_date},
  }};
  for (const auto& [term, value] : terms) {
    if (!value->empty()) {
      f.where += term;
      f.params.add(*value);
    }
  }
  if (!q.severity.empty()) {
    // Through the rank's index (the sort index of severity): a second index on the code itself
    // cost every registration its own B-tree insert (migration 0012 dropped it). A known code
    // and its rank are one to one (rows.h), so the rank alone filters, and counting matches
    // needs no row look-ups; an unknown code (rank 0) is compared as it is.
    if (const std::int64_t rank = severity_rank(q.severity); rank > 0) {
      f.where += " AND d.severity_rank = ?";
      f.params.add(rank);
    } else {
      f.where += " AND d.severity = ?";
      f.params.add(q.severity);
    }
  }
  f.dates = !q.from_date.empty() || !q.to_date.empty();
  if (q.overdue_only) {
    f.where += std::string(" AND ") + kOverdueSql;
    f.params.add(q.now_epoch);
    f.params.add(q.now_epoch);
  }
  if (with_visibility && !q.see_all) {
    f.where += lists ? " AND d.id IN (SELECT v.id FROM deviations v WHERE v.reporter = ?"
                     : " AND (d.reporter = ?";
    f.params.add(q.viewer);
    if (!q.viewer_units.empty()) {
      const std::string in = placeholders(q.viewer_units.size());
      // Leaders see their units' avvik: responsible, participating, and (issue 12) reported.
      f.where += lists ? " UNION ALL SELECT v.id FROM deviations v WHERE v.responsible_unit IN (" +
                             in +
                             ") UNION ALL SELECT vp.deviation_id FROM deviation_participants vp "
                             "WHERE vp.unit_id IN (" +
                             in +
                             ") UNION ALL SELECT vr.id FROM deviations vr WHERE "
                             "vr.reporting_unit IN (" +
                             in + ")"
                       : " OR d.responsible_unit IN (" + in +
                             ") OR EXISTS (SELECT 1 FROM deviation_participants vp WHERE "
                             "vp.deviation_id = d.id AND vp.unit_id IN (" +
                             in + ")) OR d.reporting_unit IN (" + in + ")";
      for (int term = 0; term < 3; ++term) {
        for (const auto& unit : q.viewer_units) f.params.add(unit);
      }
    }
    if (!q.viewer_categories.empty()) {
      const std::string in = placeholders(q.viewer_categories.size());
      f.where += lists ? " UNION ALL SELECT v.id FROM deviations v WHERE v.category IN (" + in + ")"
                       : " OR d.category IN (" + in + ")";
      for (const auto& category : q.viewer_categories) f.params.add(category);
    }
    f.where += ")";
  }
  return f;
}

Result<std::optional<DeviationRecord>> SqlStore::get_deviation(const std::string& id) {
  return read<std::optional<DeviationRecord>>(
      "get_deviation", [&](Connection& c) -> Result<std::optional<DeviationRecord>> {
        return load_one_deviation(c, id);
      });
}

Result<std::vector<DeviationEvent>> SqlStore::deviation_history(const std::string& id) {
  return read<std::vector<DeviationEvent>>(
      "deviation_history", [&](Connection& c) -> Result<std::vector<DeviationEvent>> {
        Query q(c,
                "SELECT seq, at, actor, kind, data_json, prev_hash, hash FROM deviation_events "
                "WHERE deviation_id = ?1 ORDER BY seq");
        q.with(id);
        std::vector<DeviationEvent> out;
        while (q.next()) {
          out.push_back(
              {q.int64(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
        }
        return out;
      });
}

Result<DeviationPage> SqlStore::list_deviations(const DeviationQuery& query) {
  const auto key = std::find_if(kSortKeys.begin(), kSortKeys.end(),
                                [&](const SortKey& k) { return k.name == query.sort; });
  if (key == kSortKeys.end()) {
    return invalid_query("Sortering «" + query.sort +
                             "» finnes ikke. Bruk created, updated, incident_date, severity "
                             "eller id.",
                         "sort");
  }
  const bool by_id = key->name == "id";
  const int limit = std::clamp(query.limit, 1, 500);
  const FilterSql filter = filter_sql(query, true, UnitTerms::kIdLists);
  const FilterSql checks = filter_sql(query, true, UnitTerms::kRowChecks);
  std::string keyset;
  Params keyset_params;
  const char* cmp = query.descending ? " < " : " > ";
  if (query.after_sort_value) {
    const std::string& after_id =
        query.after_id.empty() && by_id ? *query.after_sort_value : query.after_id;
    if (by_id) {
      keyset = std::string(" AND d.id") + cmp + "?";
      keyset_params.add(after_id);
    } else {
      keyset = std::string(" AND (") + key->column + ", d.id)" + cmp + "(?, ?)";
      if (key->name == "severity") {
        keyset_params.add(severity_rank(*query.after_sort_value));
      } else if (key->integer) {
        std::int64_t value = 0;
        const auto& text = *query.after_sort_value;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
          return invalid_query("Fortsettelsesmerket for sidevisningen er ugyldig.", "after");
        }
        keyset_params.add(value);
      } else {
        keyset_params.add(*query.after_sort_value);
      }
      keyset_params.add(after_id);
    }
  }
  const char* dir = query.descending ? " DESC" : " ASC";
  std::string order = std::string(" ORDER BY ") + key->column + dir;
  if (!by_id) order += std::string(", d.id") + dir;
  order += " LIMIT " + std::to_string(limit + 1);

  return read<DeviationPage>("list_deviations", [&](Connection& c) -> Result<DeviationPage> {
    DeviationPage page;
    // Where the engine takes index hints (SQLite), two plans, chosen here rather than by
    // statistics the planner may not have: few matches (counted up to a cap, which costs at
    // most the cap) are found through the filters' indexes and sorted; many are met soon
    // enough walking the sort key's index in order (checking each row), which stops after one
    // page. Dates filter on incident_date, which goes with time: a wider window is sorted, and
    // when sorting by it the range is walked. PostgreSQL's planner chooses by itself.
    const bool hints = c.dialect().index_hints;
    bool walk_sort_index =
        hints && (filter.where.empty() || (key->name == "incident_date" && filter.dates));
    // A unit (tens of thousands of avvik at a million) with another filter: the other
    // filter's index finds fewer rows to check than the unit's id lists hold (measured with
    // status=mottatt&unit=nav in sqlite3: 45 ms of CPU with the lists, 5 ms with the checks).
    const bool unit_narrowed =
        !query.unit.empty() &&
        (!query.statuses.empty() || !query.step_id.empty() || !query.category.empty() ||
         !query.severity.empty() || !query.procedure_version.empty() || filter.dates ||
         query.overdue_only);
    const FilterSql& sorted = unit_narrowed ? checks : filter;
    if (hints && !walk_sort_index) {
      const std::int64_t cap = filter.dates ? 50000 : 5000;
      walk_sort_index = count_matches(c, sorted, cap) >= cap;
    }
    const FilterSql& chosen = walk_sort_index || !hints ? checks : sorted;
    Query q(c, std::string("SELECT ") + kDeviationColumns + " FROM deviations d" +
                   (walk_sort_index ? std::string(" INDEXED BY ") + key->index : "") +
                   " WHERE 1 = 1" + chosen.where + keyset + order);
    Params params = chosen.params;
    params.append(keyset_params);
    params.bind(q);
    while (q.next()) page.items.push_back(read_deviation(q));
    if (page.items.size() > static_cast<std::size_t>(limit)) {
      page.items.pop_back();
      page.more = true;
      page.next_sort_value = sort_value_of(page.items.back(), key->name);
      page.next_id = page.items.back().id;
    }
    load_children(c, page.items);
    return page;
  });
}

}  // namespace boligflyt::store::sql

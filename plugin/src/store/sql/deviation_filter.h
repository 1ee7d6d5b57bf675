#pragma once
// The WHERE terms of an avvik query, shared by lists and statistics.

#include <string>

#include "ports/store/records.h"
#include "store/sql/rows.h"

namespace boligflyt::store::sql {

/// Units (the unit filter, visibility) are written in one of two ways with the same
/// parameters: as lists of ids (responsible, then participating) that SQLite can start from,
/// so that the cost follows the number of matches; or as a check of each row (its own columns
/// and the participants' primary key), for walking an index in order without building the
/// lists first, and for PostgreSQL's planner, which turns the checks into joins itself.
enum class UnitTerms { kIdLists, kRowChecks };

struct FilterSql {
  std::string where;  // " AND …" terms on the alias d
  Params params;
  bool dates = false;  // from_date or to_date is set
};

/// The terms of a query's filters and, when `with_visibility`, its visibility.
FilterSql filter_sql(const DeviationQuery& q, bool with_visibility, UnitTerms units);

}  // namespace boligflyt::store::sql

#pragma once
// The personvernavvik and escalation rows of an avvik (migration 8), read and written inside
// the avvik's own transactions (deviation_writes.cpp), and their statistics.

#include <string>
#include <vector>

#include "ports/store/records.h"
#include "store/sql/connection.h"
#include "store/sql/deviation_filter.h"

namespace boligflyt::store::sql {

/// The privacy row and the escalations of `items` (two queries for the whole page); `in` is
/// "(?, ?, …)" with one placeholder per item, bound to the ids in order.
void load_privacy_children(Connection& c, std::vector<DeviationRecord>& items,
                           const std::string& in);
/// Writes the privacy row when the avvik has a discovery (a personvernavvik) and adds the
/// escalations not yet stored (stored ones never change).
void write_privacy_children(Connection& c, const DeviationRecord& record);
/// Personvernavvik among the avvik matching `filter`, by how their assessment deadline was
/// kept at `now_epoch`.
void add_privacy_statistics(Connection& c, const FilterSql& filter, std::int64_t now_epoch,
                            DeviationStatistics& stats);

}  // namespace boligflyt::store::sql

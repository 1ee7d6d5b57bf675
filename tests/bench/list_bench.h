#pragma once
// Lists at a million avvik, filter by filter (issue 14, goal 2): the first page and a page in
// the middle of the matches of every filter and sort the API offers (and common pairs), over
// HTTP, beside the same page computed by one hand-written SQL query on the same file, read
// in the same run through SQLite directly. Figures only; nothing is judged.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "load_generator.h"

namespace boligflyt::bench {

struct ListCase {
  std::string label;
  std::string api;    // the query string after /api/v1/deviations?limit=50
  std::string where;  // the same filter as SQL on alias d
  std::string order;  // the same order, e.g. "d.created_epoch DESC, d.id DESC"
  bool deep = false;  // also a page in the middle (default order only)
};

struct ListFigures {
  std::string label;
  std::int64_t matches = 0;
  Summary api_first, raw_first, api_deep, raw_deep;
  bool deep = false;
  std::string failure;  // the first non-200 or SQLite error, if any
};

/// The cases for the seeded store: `unit` and `step` seeded ids, `month` "YYYY-MM" of a
/// month in the data, `now_epoch` for "overdue".
std::vector<ListCase> list_cases(const std::string& unit, const std::string& step,
                                 const std::string& month, std::int64_t now_epoch);

/// Each case over HTTP (as `token`, who sees all) and in SQLite on `database` (read-only):
/// one cold request each, then up to `samples` within `budget` per measurement.
std::vector<ListFigures> measure_lists(std::uint16_t port, const std::string& token,
                                       const std::filesystem::path& database,
                                       const std::vector<ListCase>& cases, std::size_t samples,
                                       std::chrono::duration<double> budget);

/// The table for the report.
std::string list_report(const std::vector<ListFigures>& figures);

}  // namespace boligflyt::bench

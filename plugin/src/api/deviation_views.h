#pragma once
// How avvik look over HTTP (for deviation_routes.cpp): the avvik's JSON with what the viewer
// may do next, its ETag, the list filters and cursors, the statistics as JSON and CSV.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "api/http.h"
#include "core/result.h"
#include "deviation/service.h"
#include "ports/store/store.h"
#include "procedure/catalog.h"

namespace boligflyt::api {

/// The ETag of an avvik is its revision.
std::string etag(const store::DeviationRecord& r);
/// Opaque cursor text (hex), decoded again by parse_filters.
std::string hex_encode(std::string_view s);

boost::json::object deviation_json(const store::DeviationRecord& r,
                                   const deviation::DeviationService& svc,
                                   const procedure::ProcedureCatalog& catalog,
                                   const Principal& viewer);
/// The single avvik, with where the archive filed it, its ETag and no caching.
Response deviation_response(int status, const store::DeviationRecord& r,
                            const deviation::DeviationService& svc, const Principal& viewer);

/// Filters (and, when `paging`, sort, cursor and limit) from the query string.
Result<store::DeviationQuery> parse_filters(const Request& r, bool paging);

boost::json::object statistics_json(const store::DeviationStatistics& s,
                                    const deviation::DeviationService& svc);
std::string statistics_csv(const boost::json::object& stats);
/// True when the client asks for text/csv.
bool wants_csv(const Request& r);

}  // namespace boligflyt::api

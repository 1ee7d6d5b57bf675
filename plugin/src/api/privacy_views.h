#pragma once
// How personvernavvik and escalations look over HTTP: the members an avvik's JSON gains, the
// assessment request body, and the personvernavvik statistics.

#include <boost/json.hpp>

#include "api/http.h"
#include "core/result.h"
#include "deviation/service.h"
#include "ports/store/store.h"

namespace boligflyt::api {

/// Adds discovered_at, deadlines.assess_by, privacy_assessment, can_assess and escalations
/// (null or empty for avvik they do not concern).
void add_privacy_members(boost::json::object& out, const store::DeviationRecord& r,
                         const deviation::DeviationService& svc, const Principal& viewer);

/// The body of PUT /api/v1/deviations/{id}/privacy-assessment.
Result<deviation::AssessmentInput> parse_assessment(const boost::json::value& body);

/// Personvernavvik and how their 72-hour assessment deadline was kept.
boost::json::object privacy_statistics_json(const store::DeviationStatistics& s);

}  // namespace boligflyt::api

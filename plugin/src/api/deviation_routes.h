#pragma once
// /api/v1/deviations…: register, list, read, transitions, comments, participants, corrective
// actions, the link to a fixing draft, history; /api/v1/statistics/deviations (JSON, CSV);
// /api/v1/deviation-codes; /api/v1/notifications (the outbox, for the quality leader).

#include "api/router.h"
#include "deviation/service.h"

namespace boligflyt::api {

void register_deviation_routes(Router& router, deviation::DeviationService& service);

}  // namespace boligflyt::api

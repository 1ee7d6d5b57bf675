#pragma once
// The code lists an avvik form needs beyond the generic ones: the categories a step of a
// procedure version allows (generic and the version's own, with labels), and the configured
// catalogue of cause codes for closing.

#include "api/router.h"
#include "deviation/service.h"

namespace boligflyt::api {

void register_category_routes(Router& router, deviation::DeviationService& service);

}  // namespace boligflyt::api

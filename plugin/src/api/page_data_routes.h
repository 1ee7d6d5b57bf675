#pragma once
// Data the web pages need that no other route gives: the swimlane picture with the avvik heat
// overlay (the renderer colours each step by the avvik registered against it in that
// version), and the unit registry for the pages' unit pickers.

#include "api/router.h"
#include "deviation/service.h"

namespace boligflyt::api {

void register_page_data_routes(Router& router, deviation::DeviationService& service);

}  // namespace boligflyt::api

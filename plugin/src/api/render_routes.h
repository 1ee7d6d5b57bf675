#pragma once
// Procedures as people read them: the printable HTML document, the swimlane picture, the
// BPMN 2.0 export, and (through the diff route's HTML variant) the comparison view.

#include "api/router.h"
#include "procedure/service.h"

namespace boligflyt::api {

void register_render_routes(Router& router, procedure::ProcedureService& service);

}  // namespace boligflyt::api

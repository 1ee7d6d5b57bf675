#pragma once
// /api/v1/archive/exports…: the archive exports (state per export, filters), one export, and
// a retry of a failed one. For the quality leader and the procedure owner.

#include "api/router.h"
#include "archive/export_service.h"

namespace boligflyt::api {

void register_archive_routes(Router& router, archive::ExportService& exports);

}  // namespace boligflyt::api

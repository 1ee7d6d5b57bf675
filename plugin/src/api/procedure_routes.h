#pragma once
// Reading procedures: list, versions, one version (JSON or the original XML), the version
// in force on a date, and the diff between two versions (JSON or Norwegian text).

#include "api/router.h"
#include "procedure/catalog.h"

namespace boligflyt::api {

void register_procedure_routes(Router& router, const procedure::ProcedureCatalog& catalog);

}  // namespace boligflyt::api

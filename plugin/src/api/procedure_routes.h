#pragma once
// Procedures over HTTP: list, versions, one version (JSON or the original XML), the version
// in force on a date, the diff between two versions (JSON or Norwegian text), and the life
// of a version: upload a draft, send it on høring, answer, approve, publish, confirm reading.

#include "api/router.h"
#include "procedure/service.h"

namespace boligflyt::api {

void register_procedure_routes(Router& router, procedure::ProcedureService& service);

}  // namespace boligflyt::api

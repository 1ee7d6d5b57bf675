#pragma once
// Health, metrics, the system description and the caller's own profile and preferences.

#include <functional>
#include <string>
#include <vector>

#include "api/router.h"
#include "observability/logger.h"
#include "observability/metrics.h"
#include "ports/directory.h"
#include "ports/store/store.h"
#include "procedure/service.h"

namespace boligflyt::api {

struct SystemServices {
  store::Store& store;
  Metrics& metrics;
  ports::Directory& directory;
  const Logger& logger;
  const procedure::ProcedureService* procedures;    // null when no procedures are configured
  std::function<std::string()> extra_metrics = {};  // gauges of other components
  std::vector<std::string> capabilities_off = {};   // Norwegian, one per capability
};

/// Registers GET /healthz, GET /metrics, GET /api/v1/system, GET /api/v1/me and
/// GET/PUT /api/v1/me/preferences. `services` is copied into the handlers.
void register_system_routes(Router& router, SystemServices services);

}  // namespace boligflyt::api

#pragma once
// Matches a request to a route template ("/api/v1/procedures/{id}"), checks what every route
// shares (authentication, body size, UTF-8), calls the handler, and turns any error into
// problem+json. Transport-agnostic.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "api/http.h"
#include "core/result.h"
#include "observability/logger.h"
#include "observability/metrics.h"

namespace boligflyt::api {

using Handler = std::function<Result<Response>(const Request&)>;

struct RouteOptions {
  bool requires_principal = true;
};

class Router {
 public:
  Router(const Logger& logger, Metrics& metrics, std::size_t max_body_bytes)
      : logger_(logger), metrics_(metrics), max_body_bytes_(max_body_bytes) {}

  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  /// Never throws: handler exceptions become a logged 500 problem.
  Response handle(Request request) const;

  struct RouteInfo {
    std::string method;
    std::string pattern;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
  };
  Response handle_matched(const Route& route, Request& request) const;

  const Logger& logger_;
  Metrics& metrics_;
  std::size_t max_body_bytes_;
  std::vector<Route> routes_;
};

}  // namespace boligflyt::api

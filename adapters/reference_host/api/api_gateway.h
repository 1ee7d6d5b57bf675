#pragma once
// The host's request policy, apart from transport: authenticate the bearer token, then hand
// the request and principal to the plugin's dispatch(), and map failures to problem+json.

#include <atomic>
#include <string>

#include "api/browser_session.h"
#include "boligflyt/host/token_authority.h"
#include "http/http_message.h"
#include "http/rate_limiter.h"
#include "loader/plugin_module.h"
#include "log/logger.h"

namespace boligflyt::host {

class ApiGateway final : public RequestHandler {
 public:
  /// `sessions` (may be null) adds browser sign-in with a cookie beside bearer tokens.
  ApiGateway(const PluginInstance& plugin, const TokenAuthority& tokens, Logger& logger,
             std::size_t max_body_bytes, BrowserSessions* sessions = nullptr);

  // RequestHandler
  HttpResponse handle(HttpRequest request) override;
  HttpResponse reject(TransportRejection why) override;

  /// Limits requests per principal (per client address without one). Set before serving;
  /// null (the default) is no limit.
  void set_rate_limiter(RateLimiter* limiter) { rate_limiter_ = limiter; }

 private:
  HttpResponse authenticate_and_dispatch(HttpRequest request);
  HttpResponse dispatch(const HttpRequest& request, std::string_view path, std::string_view query,
                        const Principal* principal, const std::string& request_id);

  const PluginInstance& plugin_;
  const TokenAuthority& tokens_;
  Logger& logger_;
  std::size_t max_body_bytes_;
  BrowserSessions* sessions_;
  RateLimiter* rate_limiter_ = nullptr;
};

/// An RFC 9457 problem response. `type` is appended to "urn:boligflyt:problem:".
HttpResponse make_problem(unsigned status, std::string_view type, std::string_view title,
                          std::string_view detail, std::string_view request_id = {});

}  // namespace boligflyt::host

#pragma once
// The policies every response of the host passes through, whatever produced it: security
// headers and CORS. Wraps the request handler, so that the transport and the gateway stay
// unaware of them.

#include <string>
#include <vector>

#include "http/http_message.h"

namespace boligflyt::host {

struct FrontDoorOptions {
  /// Origins allowed to call the API from their pages; empty means no CORS at all.
  std::vector<std::string> cors_allowed_origins;
  /// Served over TLS: then browsers are told to use HTTPS only (HSTS).
  bool tls = false;
};

/// The Content-Security-Policy of responses that bring none of their own: scripts, styles
/// and connections from this origin only, and no framing.
inline constexpr std::string_view kDefaultContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

class FrontDoor final : public RequestHandler {
 public:
  FrontDoor(RequestHandler& inner, FrontDoorOptions options);

  HttpResponse handle(HttpRequest request) override;
  HttpResponse reject(TransportRejection why) override;

 private:
  bool origin_allowed(const std::string* origin) const;
  void add_security_headers(HttpResponse& response) const;

  RequestHandler& inner_;
  FrontDoorOptions options_;
};

/// The policy for an HTML document with inline `<style>` blocks (a rendered procedure is
/// one self-contained file): the default, plus the SHA-256 hash of each block.
std::string content_security_policy_for(const HttpResponse& response);

}  // namespace boligflyt::host

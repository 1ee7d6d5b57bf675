#pragma once
// Browser sign-in through the municipality's OpenID Connect provider: the authorization-code
// flow with PKCE (RFC 7636). /logg-inn sends the browser to the provider; the provider sends
// it back to /auth/oidc/callback with a code, which the host redeems at the token endpoint
// (back channel) for an access token that it verifies like any bearer token.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "boligflyt/host/oidc_verifier.h"
#include "http/http_message.h"

namespace boligflyt::host {

inline constexpr std::string_view kOidcCallbackPath = "/auth/oidc/callback";

class OidcSignIn {
 public:
  explicit OidcSignIn(const OidcVerifier& verifier) : verifier_(verifier) {}

  /// A 303 to the provider's authorization endpoint; `next` is where the browser goes after.
  HttpResponse begin(const HttpRequest& request, const std::string& next);

  struct Outcome {
    std::optional<Principal> principal;  ///< set on success
    std::string next;
    std::optional<HttpResponse> error;  ///< set on failure: what the browser gets
    std::string log_reason;             ///< for the log; never a code or a token
  };
  /// Redeems the callback's code (once: a state is forgotten when used).
  Outcome complete(const HttpRequest& request, std::string_view query);

 private:
  struct Pending {
    std::string code_verifier;
    std::string redirect_uri;
    std::string next;
    std::chrono::steady_clock::time_point started;
  };
  std::string redirect_uri(const HttpRequest& request) const;

  const OidcVerifier& verifier_;
  std::mutex mutex_;
  std::map<std::string, Pending, std::less<>> pending_;  // by state
};

}  // namespace boligflyt::host

#pragma once
/// Verifies access tokens of an OpenID Connect provider: keys from its JWKS (found through
/// discovery, cached, fetched again when a token names an unknown `kid`), RS256 or ES256,
/// `iss`, `aud`, `exp` and `nbf` with a clock skew, and the groups claim mapped to units and
/// roles.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "boligflyt/host/oidc_config.h"
#include "boligflyt/host/token_authority.h"

namespace boligflyt::host {

/// What discovery told us about the provider.
struct OidcProviderMetadata {
  std::string issuer;
  std::string jwks_uri;
  std::string authorization_endpoint;
  std::string token_endpoint;
};

class OidcVerifier {
 public:
  /// Runs discovery and fetches the JWKS. Throws ConfigError (Norwegian, for the operator)
  /// when the provider cannot be reached or its answers do not fit the configuration.
  OidcVerifier(OidcConfig config, std::chrono::seconds clock_skew);
  ~OidcVerifier();
  OidcVerifier(const OidcVerifier&) = delete;
  OidcVerifier& operator=(const OidcVerifier&) = delete;

  /// Thread-safe; never throws. A refresh of the JWKS blocks the calling thread for at most
  /// the configured fetch timeout.
  TokenCheck verify(std::string_view token) const;

  const OidcProviderMetadata& metadata() const;
  const OidcConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boligflyt::host

#pragma once
/// Bearer tokens (JWT) of the reference host: HS256 development tokens that the host issues
/// itself, or RS256 tokens from an external identity provider. Built on Poco::JWT.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {

/// The authenticated user of a request, as handed to the plugin.
struct Principal {
  std::string user_id;
  std::string display_name;
  std::vector<std::string> units;
  std::vector<std::string> roles;
};

/// Outcome of verifying a token. `failure` is for the log only: it never contains the
/// token, and clients get a generic 401.
struct TokenCheck {
  std::optional<Principal> principal;
  std::string failure;
};

class OidcVerifier;

class TokenAuthority {
 public:
  enum class Mode { kHs256Development, kRs256, kOidc };

  /// HS256 with a shared secret: verifies and issues development tokens.
  static std::unique_ptr<TokenAuthority> hs256(std::string secret, const HostConfig& config);
  /// RS256 with an RSA public key (PEM): verifies only. Throws ConfigError.
  static std::unique_ptr<TokenAuthority> rs256(const std::filesystem::path& public_key_pem,
                                               const HostConfig& config);
  /// Tokens of the OpenID Connect provider of `config.auth.oidc`: runs discovery and fetches
  /// its JWKS now. Throws ConfigError.
  static std::unique_ptr<TokenAuthority> oidc(const HostConfig& config);
  /// OpenID Connect when the config has auth.oidc, RS256 when it names a public key, otherwise
  /// HS256 with the data folder's secret (created on first use). Throws ConfigError or SecretError.
  static std::unique_ptr<TokenAuthority> from_config(const HostConfig& config,
                                                     const std::filesystem::path& data_dir);

  ~TokenAuthority();
  TokenAuthority(const TokenAuthority&) = delete;
  TokenAuthority& operator=(const TokenAuthority&) = delete;

  Mode mode() const;
  bool can_issue() const { return mode() == Mode::kHs256Development; }

  /// A signed development token for `user`. Throws std::logic_error in RS256 mode.
  std::string issue(const User& user, std::chrono::system_clock::time_point expires_at) const;
  /// A token valid for the configured development lifetime.
  std::string issue(const User& user) const;

  /// Verifies signature, algorithm, `exp`, `nbf`, `iss` and `aud`, and maps `sub` to a
  /// principal. Thread-safe; never throws.
  TokenCheck verify(std::string_view token) const;

  /// The provider's verifier in OpenID Connect mode; nullptr otherwise.
  const OidcVerifier* oidc_verifier() const;

 private:
  struct Impl;
  explicit TokenAuthority(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace boligflyt::host

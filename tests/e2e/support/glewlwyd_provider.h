#pragma once
// A real OpenID Connect provider for the tests: Debian's glewlwyd, started as a child
// process on a free loopback port with its own configuration and a fresh SQLite database
// (initialised from Debian's SQL), and configured through its admin REST API: the OIDC
// plugin with a signing key generated here with openssl, one public client (PKCE), a scope,
// and users with groups. Stopped (and its folder removed by the owner) at the end.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace boligflyt::e2e {

/// Empty when glewlwyd and its SQL are installed; otherwise why the tests must skip.
std::string glewlwyd_missing();

struct ProviderUser {
  std::string username;
  std::string password;
  std::string name;
  std::vector<std::string> groups;
};

class GlewlwydProvider {
 public:
  /// The API's resource identifier: the `aud` of the access tokens the provider issues.
  static constexpr const char* kAudience = "https://boligflyt.localhost/api";
  static constexpr const char* kClientId = "boligflyt-host";
  static constexpr const char* kScope = "boligflyt";

  /// Starts and configures the provider in `dir` (an RS256 key, the client with
  /// `redirect_uri`, the scope). Returns nullptr with `failure` set when it cannot.
  /// `webapp` is the folder of login pages it serves; empty for Debian's (whose config.json
  /// may not be readable: see glewlwyd_launcher.cpp).
  static std::unique_ptr<GlewlwydProvider> start(const std::filesystem::path& dir,
                                                 const std::string& redirect_uri,
                                                 std::string& failure,
                                                 const std::filesystem::path& webapp = {});
  ~GlewlwydProvider();
  GlewlwydProvider(const GlewlwydProvider&) = delete;
  GlewlwydProvider& operator=(const GlewlwydProvider&) = delete;

  uint16_t port() const { return port_; }
  std::string issuer() const;
  /// The private key the provider signs with now (PEM file), and its `kid` in the JWKS.
  const std::filesystem::path& signing_key() const { return signing_key_; }
  std::string current_kid();

  /// Adds a user through the admin API. Throws std::runtime_error on failure.
  void add_user(const ProviderUser& user);
  /// An access token for `user`, through the authorization-code flow with PKCE as a
  /// browser would run it (sign in, grant the scopes, follow the redirect, redeem the
  /// code). Throws std::runtime_error on failure.
  std::string access_token(const ProviderUser& user);
  /// Registers `uri` as the client's only redirect URI. Throws std::runtime_error.
  void set_redirect_uri(const std::string& uri);
  /// What a browser does at the provider: `user` signs in and grants the scopes, then the
  /// authorization URL (as the host sent it) is opened. Returns where the provider sends the
  /// browser back to. Throws std::runtime_error.
  std::string authorize_as(const ProviderUser& user, const std::string& authorization_url);
  /// Key rotation: a new EC P-256 key (ES256) generated with openssl becomes the
  /// provider's signing key, and the plugin is reloaded. Throws std::runtime_error.
  void rotate_to_new_es256_key();

 private:
  GlewlwydProvider() = default;
  std::string admin_cookie();
  std::string signed_in_cookie(const ProviderUser& user);
  void configure_plugin(const std::string& jwt_type, const std::filesystem::path& key, bool create);

  std::filesystem::path dir_;
  uint16_t port_ = 0;
  std::string redirect_uri_;
  std::filesystem::path signing_key_;
  int key_counter_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

/// base64url without padding (RFC 7515 §2).
std::string base64url(const std::string& bytes);
std::string base64url_decode_text(const std::string& text);

}  // namespace boligflyt::e2e

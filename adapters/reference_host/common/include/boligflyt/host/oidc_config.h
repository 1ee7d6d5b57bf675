#pragma once
/// `auth.oidc` of the host configuration: the municipality's OpenID Connect provider whose
/// access tokens the host accepts, and how the provider's groups become units and roles.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boligflyt::host {

/// What one provider group grants inside boligflyt.
struct OidcGroupGrant {
  std::vector<std::string> units;
  std::vector<std::string> roles;
};

struct OidcConfig {
  /// Must equal the discovery document's `issuer` and every token's `iss`.
  std::string issuer;
  /// Must be one of the access token's `aud` values (the API's resource identifier).
  std::string audience;
  /// The client id the host signs browsers in with (authorization code + PKCE).
  std::string client_id;
  /// Where discovery lives; default `<issuer>/.well-known/openid-configuration`.
  std::string discovery_url;
  /// The claim that names the user (the plugin's user id); default `sub`.
  std::string user_claim = "sub";
  /// The claim with the display name; the user id when the token has none.
  std::string name_claim = "name";
  /// The claim with the user's groups: an array of strings, or one string separated by
  /// commas or spaces (as some providers write multi-valued attributes).
  std::string groups_claim = "groups";
  /// Provider group → units and roles. A token none of whose groups appears here is refused.
  std::map<std::string, OidcGroupGrant, std::less<>> groups;
  /// Signature algorithms accepted; a token naming any other (`none`, HS256) is refused.
  std::vector<std::string> algorithms = {"RS256", "ES256"};
  /// An unknown `kid` fetches the JWKS again, but not more often than this.
  std::chrono::seconds jwks_min_refresh = std::chrono::seconds(30);
  /// The JWKS is fetched again on use after this long, so that withdrawn keys go away.
  std::chrono::seconds jwks_max_age = std::chrono::hours(1);
  /// Each request to the provider (discovery, JWKS) must finish within this.
  std::chrono::seconds fetch_timeout = std::chrono::seconds(10);
  /// Browser sign-in: where the provider sends the browser back; default
  /// `http://<Host of the request>/auth/oidc/callback`. Must be registered at the provider.
  std::string redirect_uri;
  /// Browser sign-in: the scopes asked for (`openid` first).
  std::vector<std::string> scopes = {"openid"};
};

struct Unit;

/// Parses the JSON object of `auth.oidc` (as text). Units and roles named by `groups` must
/// exist (`units` of the configuration, the known roles). Throws ConfigError naming the key.
OidcConfig parse_oidc_config(std::string_view json_text, std::string_view source,
                             const std::vector<Unit>& units);

/// True for 127.0.0.0/8, ::1 and localhost: the only hosts the provider may be reached at
/// over plain http.
bool is_loopback_host(std::string_view host);

}  // namespace boligflyt::host

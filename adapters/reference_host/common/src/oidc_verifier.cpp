#include "boligflyt/host/oidc_verifier.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <mutex>
#include <set>

#include "boligflyt/host/host_config.h"
#include "boligflyt/host/http_fetch.h"
#include "boligflyt/host/jwks.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

// Far above any real token; stops a client from making us decode megabytes.
constexpr std::size_t kMaxTokenBytes = 16 * 1024;

struct KeySet {
  std::vector<Jwk> keys;
  SteadyClock::time_point fetched_at;
};

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<double> numeric_date(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) throw std::invalid_argument("claim is not a number");
  const double seconds = v->to_number<double>();
  if (!std::isfinite(seconds)) throw std::invalid_argument("claim is not finite");
  return seconds;
}

bool audience_matches(const json::object& payload, const std::string& audience) {
  const json::value* aud = payload.if_contains("aud");
  if (aud == nullptr) return false;
  if (aud->is_string()) return aud->get_string() == audience;
  if (!aud->is_array()) return false;
  const json::array& list = aud->get_array();
  return std::any_of(list.begin(), list.end(), [&](const json::value& v) {
    return v.is_string() && v.get_string() == audience;
  });
}

// Arrays of strings, or one string of values separated by commas or white space (Glewlwyd
// writes a multi-valued user property into an access token that way).
std::vector<std::string> group_names(const json::object& payload, std::string_view claim) {
  std::vector<std::string> out;
  const json::value* v = payload.if_contains(claim);
  if (v == nullptr) return out;
  if (v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
    return out;
  }
  if (!v->is_string()) return out;
  std::string current;
  for (char c : std::string_view(v->get_string())) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
  }
}

json::object fetch_json(const std::string& url, std::chrono::seconds timeout,
                        std::string_view what) {
  const FetchResult result = http_get(url, timeout);
  if (result.status != 200) {
    throw ConfigError(
        "Kan ikke hente " + std::string(what) + " fra identitetsleverandøren (" + url + "): " +
        (result.status == 0 ? result.error : "HTTP-status " + std::to_string(result.status)));
  }
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  if (ec || !value.is_object()) {
    throw ConfigError("Identitetsleverandøren svarte ikke med et JSON-objekt for " +
                      std::string(what) + " (" + url + ")");
  }
  return std::move(value.get_object());
}

}  // namespace

struct OidcVerifier::Impl {
  OidcConfig config;
  std::chrono::seconds clock_skew;
  OidcProviderMetadata metadata;

  mutable std::mutex keys_mutex;  // guards keys and last_attempt
  mutable std::shared_ptr<const KeySet> keys;
  mutable SteadyClock::time_point last_attempt;
  mutable std::mutex refresh_mutex;  // one JWKS fetch at a time

  std::shared_ptr<const KeySet> current_keys() const {
    const std::lock_guard lock(keys_mutex);
    return keys;
  }

  // Fetches the JWKS unless one was asked for less than jwks_min_refresh ago, so that a
  // stream of tokens with made-up kids cannot turn the host into a load on the provider.
  void refresh_if_allowed() const {
    const std::lock_guard refresh_lock(refresh_mutex);
    const auto now = SteadyClock::now();
    {
      const std::lock_guard lock(keys_mutex);
      if (keys && now - last_attempt < config.jwks_min_refresh) return;
      last_attempt = now;
    }
    const FetchResult result = http_get(metadata.jwks_uri, config.fetch_timeout);
    if (result.status != 200) return;  // keep the keys we have
    std::string error;
    std::vector<Jwk> fresh = parse_jwks(result.body, error);
    if (fresh.empty()) return;
    auto set = std::make_shared<KeySet>();
    set->keys = std::move(fresh);
    set->fetched_at = now;
    const std::lock_guard lock(keys_mutex);
    keys = std::move(set);
  }

  const Jwk* find_key(const KeySet& set, const std::string& kid,
                      const std::string& algorithm) const {
    const Jwk* only = nullptr;
    std::size_t fitting = 0;
    for (const Jwk& key : set.keys) {
      if (key.algorithm() != algorithm) continue;
      if (!kid.empty() && key.kid() == kid) return &key;
      ++fitting;
      only = &key;
    }
    // A token without kid is accepted only when the choice is not ours to guess.
    return kid.empty() && fitting == 1 ? only : nullptr;
  }

  TokenCheck check(std::string_view token) const {
    if (token.empty()) return {std::nullopt, "empty token"};
    if (token.size() > kMaxTokenBytes) return {std::nullopt, "token too long"};
    const std::size_t first = token.find('.');
    const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
      return {std::nullopt, "malformed token (not a JWS)"};
    }
    const auto header_text = base64url_decode(token.substr(0, first));
    const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
    const auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !payload_text || !signature) return {std::nullopt, "malformed token"};

    boost::system::error_code ec;
    const json::value header_value = json::parse(*header_text, ec);
    if (ec || !header_value.is_object()) return {std::nullopt, "malformed token header"};
    const json::object& header = header_value.get_object();
    const std::string algorithm = string_member(header, "alg");
    // The algorithm list, never the token, decides: "none" and HS256 (a public key used as
    // an HMAC secret) fail here, before any key is looked at.
    if (std::find(config.algorithms.begin(), config.algorithms.end(), algorithm) ==
        config.algorithms.end()) {
      return {std::nullopt, "algorithm not allowed"};
    }
    if (header.contains("crit")) return {std::nullopt, "unsupported critical header"};
    const std::string kid = string_member(header, "kid");

    std::shared_ptr<const KeySet> set = current_keys();
    if (!set || SteadyClock::now() - set->fetched_at > config.jwks_max_age) {
      refresh_if_allowed();
      set = current_keys();
    }
    const Jwk* key = set ? find_key(*set, kid, algorithm) : nullptr;
    if (key == nullptr) {
      refresh_if_allowed();  // the provider may have rotated its keys
      set = current_keys();
      key = set ? find_key(*set, kid, algorithm) : nullptr;
    }
    if (key == nullptr) return {std::nullopt, "unknown signing key"};
    if (!key->verifies(token.substr(0, second), *signature)) return {std::nullopt, "bad signature"};

    const json::value payload_value = json::parse(*payload_text, ec);
    if (ec || !payload_value.is_object()) return {std::nullopt, "malformed token payload"};
    const json::object& payload = payload_value.get_object();
    const auto now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    const auto skew = static_cast<double>(clock_skew.count());
    const std::optional<double> exp = numeric_date(payload, "exp");
    if (!exp) return {std::nullopt, "missing exp"};
    if (*exp + skew <= now) return {std::nullopt, "expired"};
    if (const auto nbf = numeric_date(payload, "nbf"); nbf && *nbf - skew > now) {
      return {std::nullopt, "not yet valid (nbf)"};
    }
    if (string_member(payload, "iss") != config.issuer) return {std::nullopt, "wrong issuer"};
    if (!audience_matches(payload, config.audience)) return {std::nullopt, "wrong audience"};

    Principal principal;
    principal.user_id = string_member(payload, config.user_claim);
    if (principal.user_id.empty()) return {std::nullopt, "missing " + config.user_claim};
    principal.display_name = string_member(payload, config.name_claim);
    if (principal.display_name.empty()) principal.display_name = principal.user_id;
    for (const std::string& group : group_names(payload, config.groups_claim)) {
      const auto grant = config.groups.find(group);
      if (grant == config.groups.end()) continue;
      add_unique(principal.units, grant->second.units);
      add_unique(principal.roles, grant->second.roles);
    }
    // Signed in at the municipality is not the same as given access to boligflyt.
    if (principal.units.empty() && principal.roles.empty()) {
      return {std::nullopt, "no configured group in " + config.groups_claim};
    }
    return {std::move(principal), {}};
  }
};

OidcVerifier::OidcVerifier(OidcConfig config, std::chrono::seconds clock_skew)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->clock_skew = clock_skew;
  const OidcConfig& c = impl_->config;
  const json::object discovery =
      fetch_json(c.discovery_url, c.fetch_timeout, "oppdagelsesdokumentet (discovery)");
  OidcProviderMetadata& m = impl_->metadata;
  m.issuer = string_member(discovery, "issuer");
  m.jwks_uri = string_member(discovery, "jwks_uri");
  m.authorization_endpoint = string_member(discovery, "authorization_endpoint");
  m.token_endpoint = string_member(discovery, "token_endpoint");
  // OpenID Connect Discovery §4.3: the issuer in the document must be the one we asked for.
  if (m.issuer != c.issuer) {
    throw ConfigError("Identitetsleverandøren oppgir utstederen «" + m.issuer +
                      "», men auth.oidc.issuer er «" + c.issuer + "»");
  }
  const bool secure = m.jwks_uri.starts_with("https://") || m.jwks_uri.starts_with("http://127.") ||
                      m.jwks_uri.starts_with("http://[::1]") ||
                      m.jwks_uri.starts_with("http://localhost");
  if (m.jwks_uri.empty() || !secure) {
    throw ConfigError("Identitetsleverandørens jwks_uri mangler eller er ikke https: «" +
                      m.jwks_uri + "»");
  }
  impl_->refresh_if_allowed();
  if (!impl_->current_keys()) {
    throw ConfigError("Kan ikke hente nøklene (JWKS) fra identitetsleverandøren (" + m.jwks_uri +
                      "), eller de har ingen RS256- eller ES256-nøkkel");
  }
}

OidcVerifier::~OidcVerifier() = default;

TokenCheck OidcVerifier::verify(std::string_view token) const {
  try {
    return impl_->check(token);
  } catch (const std::exception&) {
    return {std::nullopt, "malformed token"};
  }
}

const OidcProviderMetadata& OidcVerifier::metadata() const { return impl_->metadata; }
const OidcConfig& OidcVerifier::config() const { return impl_->config; }

}  // namespace boligflyt::host

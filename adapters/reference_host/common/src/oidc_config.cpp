#include "boligflyt/host/oidc_config.h"

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

const std::set<std::string, std::less<>> kKnownRoles = {
    std::string(kRoleUnitLeader), std::string(kRoleProcedureOwner),
    std::string(kRoleApprover),   std::string(kRoleQualityLeader),
    std::string(kRoleEmployee),   std::string(kRoleDataProtectionOfficer)};

// Asymmetric algorithms only: a shared secret has no place between a municipality's provider
// and a host that anyone on the network can ask to verify.
const std::set<std::string, std::less<>> kSupportedAlgorithms = {"RS256", "ES256"};

class OidcReader {
 public:
  explicit OidcReader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(std::string_view key, std::string_view what) const {
    std::ostringstream out;
    out << "Ugyldig konfigurasjon (" << source_ << "): auth.oidc" << (key.empty() ? "" : ".") << key
        << ": " << what;
    throw ConfigError(out.str());
  }

  std::string text(const json::object& o, std::string_view key, bool required) const {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(key, "mangler");
      return {};
    }
    if (!v->is_string()) fail(key, "må være en tekst");
    if (required && v->get_string().empty()) fail(key, "kan ikke være tom");
    return std::string(v->get_string());
  }

  std::vector<std::string> texts(const json::object& o, std::string_view key,
                                 std::string_view where) const {
    std::vector<std::string> out;
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return out;
    const std::string here = std::string(where) + "." + std::string(key);
    if (!v->is_array()) fail(here, "må være en liste med tekster");
    for (const json::value& item : v->get_array()) {
      if (!item.is_string() || item.get_string().empty())
        fail(here, "må bare ha ikke-tomme tekster");
      out.emplace_back(item.get_string());
    }
    return out;
  }

  std::chrono::seconds seconds(const json::object& o, std::string_view key, int64_t low,
                               int64_t high, std::chrono::seconds fallback) const {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return fallback;
    if (!v->is_int64() || v->get_int64() < low || v->get_int64() > high) {
      fail(key, "må være et heltall " + std::to_string(low) + "–" + std::to_string(high));
    }
    return std::chrono::seconds(v->get_int64());
  }

 private:
  std::string_view source_;
};

// "http://host:port/path" → host, without brackets for an IPv6 literal.
std::string url_host(std::string_view url) {
  const std::size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  std::string_view rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.starts_with('[')) return std::string(rest.substr(1, rest.find(']') - 1));
  return std::string(rest.substr(0, rest.find(':')));
}

void check_provider_url(const OidcReader& r, std::string_view key, std::string_view url) {
  if (url.starts_with("https://")) return;
  if (url.starts_with("http://") && is_loopback_host(url_host(url))) return;
  r.fail(key, "må være en https://-adresse (http:// bare til 127.0.0.1, ::1 eller localhost)");
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}

OidcConfig parse_oidc_config(std::string_view json_text, std::string_view source,
                             const std::vector<Unit>& units) {
  const OidcReader r(source);
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  if (ec || !root.is_object()) r.fail("", "må være et JSON-objekt");
  const json::object& o = root.get_object();

  OidcConfig config;
  config.issuer = r.text(o, "issuer", true);
  check_provider_url(r, "issuer", config.issuer);
  config.audience = r.text(o, "audience", true);
  config.client_id = r.text(o, "client_id", false);
  config.discovery_url = r.text(o, "discovery_url", false);
  if (config.discovery_url.empty()) {
    std::string base = config.issuer;
    while (base.ends_with('/')) base.pop_back();
    config.discovery_url = base + "/.well-known/openid-configuration";
  }
  check_provider_url(r, "discovery_url", config.discovery_url);
  if (auto s = r.text(o, "user_claim", false); !s.empty()) config.user_claim = s;
  if (auto s = r.text(o, "name_claim", false); !s.empty()) config.name_claim = s;
  if (auto s = r.text(o, "groups_claim", false); !s.empty()) config.groups_claim = s;

  if (o.contains("algorithms")) {
    config.algorithms = r.texts(o, "algorithms", "");
    if (config.algorithms.empty()) r.fail("algorithms", "kan ikke være tom");
    for (const std::string& algorithm : config.algorithms) {
      if (!kSupportedAlgorithms.contains(algorithm)) {
        r.fail("algorithms", "«" + algorithm + "» støttes ikke (bare RS256 og ES256)");
      }
    }
  }
  config.jwks_min_refresh =
      r.seconds(o, "jwks_min_refresh_seconds", 0, 3600, config.jwks_min_refresh);
  config.jwks_max_age =
      r.seconds(o, "jwks_max_age_seconds", 60, 7 * 24 * 3600, config.jwks_max_age);
  config.fetch_timeout = r.seconds(o, "fetch_timeout_seconds", 1, 120, config.fetch_timeout);

  config.redirect_uri = r.text(o, "redirect_uri", false);
  if (o.contains("scopes")) {
    config.scopes = r.texts(o, "scopes", "");
    if (std::find(config.scopes.begin(), config.scopes.end(), "openid") == config.scopes.end()) {
      r.fail("scopes", "må ha med «openid»");
    }
  }

  const json::value* groups = o.if_contains("groups");
  if (groups == nullptr || !groups->is_object() || groups->get_object().empty()) {
    r.fail("groups", "må være et objekt fra gruppe til {\"units\": [...], \"roles\": [...]}");
  }
  for (const auto& [name, value] : groups->get_object()) {
    const std::string where = "groups." + std::string(name);
    if (!value.is_object()) r.fail(where, "må være et objekt med units og roles");
    OidcGroupGrant grant;
    grant.units = r.texts(value.get_object(), "units", where);
    grant.roles = r.texts(value.get_object(), "roles", where);
    for (const std::string& unit : grant.units) {
      const bool known =
          std::any_of(units.begin(), units.end(), [&](const Unit& u) { return u.id == unit; });
      if (!known) r.fail(where + ".units", "ukjent enhet «" + unit + "»");
    }
    for (const std::string& role : grant.roles) {
      if (!kKnownRoles.contains(role)) r.fail(where + ".roles", "ukjent rolle «" + role + "»");
    }
    config.groups.emplace(std::string(name), std::move(grant));
  }
  return config;
}

}  // namespace boligflyt::host

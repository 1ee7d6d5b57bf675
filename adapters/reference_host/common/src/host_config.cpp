#include "boligflyt/host/host_config.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "boligflyt/host/config_file_secrets.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

constexpr std::string_view kEmbeddedSource = "innebygd standardkonfigurasjon";
constexpr std::string_view kDefaultDataDir = "boligflyt-data";
constexpr int64_t kMaxThreads = 256;

const std::set<std::string, std::less<>> kKnownRoles = {
    std::string(kRoleUnitLeader), std::string(kRoleProcedureOwner),
    std::string(kRoleApprover),   std::string(kRoleQualityLeader),
    std::string(kRoleEmployee),   std::string(kRoleDataProtectionOfficer)};

const std::set<std::string, std::less<>> kKnownLogLevels = {"debug", "info", "warn", "error"};

// Every error names the configuration and the key, so that an operator can find the line.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(std::string_view where, std::string_view what) const {
    std::ostringstream out;
    out << "Ugyldig konfigurasjon (" << source_ << "): " << where << ": " << what;
    throw ConfigError(out.str());
  }

  const json::object& object(const json::value& v, std::string_view where) const {
    if (!v.is_object()) fail(where, "må være et JSON-objekt");
    return v.get_object();
  }

  std::optional<std::string> optional_string(const json::object& o, std::string_view key,
                                             std::string_view where) const {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) fail(std::string(where) + "." + std::string(key), "må være en tekst");
    return std::string(v->get_string());
  }

  std::string required_string(const json::object& o, std::string_view key,
                              std::string_view where) const {
    auto s = optional_string(o, key, where);
    if (!s || s->empty()) fail(std::string(where) + "." + std::string(key), "mangler");
    return *s;
  }

  std::optional<int64_t> optional_int(const json::object& o, std::string_view key,
                                      std::string_view where) const {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      return static_cast<int64_t>(v->get_uint64());
    }
    fail(std::string(where) + "." + std::string(key), "må være et heltall");
  }

  std::vector<std::string> string_list(const json::object& o, std::string_view key,
                                       std::string_view where) const {
    std::vector<std::string> out;
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return out;
    const std::string here = std::string(where) + "." + std::string(key);
    if (!v->is_array()) fail(here, "må være en liste med tekster");
    for (const json::value& item : v->get_array()) {
      if (!item.is_string() || item.get_string().empty()) {
        fail(here, "må bare inneholde ikke-tomme tekster");
      }
      out.emplace_back(item.get_string());
    }
    return out;
  }

 private:
  std::string source_;
};

std::filesystem::path resolve_against(const std::filesystem::path& base, const std::string& value) {
  std::filesystem::path p(value);
  if (p.is_relative()) p = base / p;
  return p.lexically_normal();
}

AuthConfig parse_auth(const Reader& r, const json::object& root) {
  AuthConfig auth;
  const json::value* v = root.if_contains("auth");
  if (v == nullptr || v->is_null()) return auth;
  const json::object& o = r.object(*v, "auth");
  if (auto s = r.optional_string(o, "issuer", "auth")) auth.issuer = *s;
  if (auto s = r.optional_string(o, "audience", "auth")) auth.audience = *s;
  if (auth.issuer.empty()) r.fail("auth.issuer", "kan ikke være tom");
  if (auth.audience.empty()) r.fail("auth.audience", "kan ikke være tom");
  if (auto days = r.optional_int(o, "dev_token_lifetime_days", "auth")) {
    if (*days < 1 || *days > 366) r.fail("auth.dev_token_lifetime_days", "må være 1–366");
    auth.dev_token_lifetime = std::chrono::hours(24 * *days);
  }
  if (auto skew = r.optional_int(o, "clock_skew_seconds", "auth")) {
    if (*skew < 0 || *skew > 600) r.fail("auth.clock_skew_seconds", "må være 0–600");
    auth.clock_skew = std::chrono::seconds(*skew);
  }
  return auth;
}

std::vector<Unit> parse_units(const Reader& r, const json::object& root) {
  std::vector<Unit> units;
  const json::value* v = root.if_contains("units");
  if (v == nullptr || v->is_null()) return units;
  if (!v->is_array()) r.fail("units", "må være en liste");
  std::size_t index = 0;
  for (const json::value& item : v->get_array()) {
    const std::string where = "units[" + std::to_string(index++) + "]";
    const json::object& o = r.object(item, where);
    Unit unit;
    unit.id = r.required_string(o, "id", where);
    unit.name = r.required_string(o, "name", where);
    unit.parent = r.optional_string(o, "parent", where);
    units.push_back(std::move(unit));
  }
  return units;
}

std::vector<User> parse_users(const Reader& r, const json::object& root) {
  std::vector<User> users;
  const json::value* v = root.if_contains("users");
  if (v == nullptr || v->is_null()) return users;
  if (!v->is_array()) r.fail("users", "må være en liste");
  std::size_t index = 0;
  for (const json::value& item : v->get_array()) {
    const std::string where = "users[" + std::to_string(index++) + "]";
    const json::object& o = r.object(item, where);
    User user;
    user.id = r.required_string(o, "id", where);
    user.display_name = r.required_string(o, "display_name", where);
    user.units = r.string_list(o, "units", where);
    user.roles = r.string_list(o, "roles", where);
    if (auto email = r.optional_string(o, "email", where)) {
      // One address, no display name and nothing a mail header could be split on.
      if (email->find('@') == std::string::npos ||
          email->find_first_of(" \t\r\n<>,;\"") != std::string::npos) {
        r.fail(where + ".email", "må være én e-postadresse, for eksempel kari@kommune.no");
      }
      user.email = *email;
    }
    users.push_back(std::move(user));
  }
  return users;
}

// Cross-references are checked here rather than discovered as odd 403s in the plugin.
void validate_directory(const Reader& r, const HostConfig& config) {
  std::set<std::string, std::less<>> unit_ids;
  for (const Unit& unit : config.units) {
    if (!unit_ids.insert(unit.id).second)
      r.fail("units", "enheten «" + unit.id + "» finnes to ganger");
  }
  for (const Unit& unit : config.units) {
    if (unit.parent && !unit_ids.contains(*unit.parent)) {
      r.fail("units",
             "enheten «" + unit.id + "» har ukjent overordnet enhet «" + *unit.parent + "»");
    }
  }
  std::set<std::string, std::less<>> user_ids;
  for (const User& user : config.users) {
    if (!user_ids.insert(user.id).second)
      r.fail("users", "brukeren «" + user.id + "» finnes to ganger");
    for (const std::string& unit : user.units) {
      if (!unit_ids.contains(unit)) {
        r.fail("users", "brukeren «" + user.id + "» hører til ukjent enhet «" + unit + "»");
      }
    }
    for (const std::string& role : user.roles) {
      if (!kKnownRoles.contains(role)) {
        r.fail("users", "brukeren «" + user.id + "» har ukjent rolle «" + role + "»");
      }
    }
  }
}

}  // namespace

const User* HostConfig::find_user(std::string_view id) const {
  auto it = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
  return it == users.end() ? nullptr : &*it;
}

const Unit* HostConfig::find_unit(std::string_view id) const {
  auto it = std::find_if(units.begin(), units.end(), [&](const Unit& u) { return u.id == id; });
  return it == units.end() ? nullptr : &*it;
}

HostConfig parse_host_config(std::string_view json_text, const std::filesystem::path& base_dir,
                             std::string source) {
  Reader r(source);
  boost::system::error_code ec;
  json::value root_value = json::parse(json_text, ec);
  if (ec) r.fail("JSON", ec.message());
  const json::object& root = r.object(root_value, "rot");

  HostConfig config;
  config.source = std::move(source);
  config.listen = r.optional_string(root, "listen", "rot");
  if (auto threads = r.optional_int(root, "threads", "rot")) {
    if (*threads < 1 || *threads > kMaxThreads) r.fail("threads", "må være 1–256");
    config.threads = static_cast<unsigned>(*threads);
  }
  if (auto s = r.optional_string(root, "data_dir", "rot")) {
    config.data_dir = resolve_against(base_dir, *s);
  }
  if (auto s = r.optional_string(root, "plugin_path", "rot")) {
    config.plugin_path = resolve_against(base_dir, *s);
  }
  if (auto s = r.optional_string(root, "procedures_dir", "rot")) {
    config.procedures_dir = resolve_against(base_dir, *s);
  }
  if (auto s = r.optional_string(root, "log_level", "rot")) {
    if (!kKnownLogLevels.contains(*s)) r.fail("log_level", "må være debug, info, warn eller error");
    config.log_level = *s;
  }
  if (const json::value* plugin = root.if_contains("plugin")) {
    const json::object& settings = r.object(*plugin, "plugin");
    for (const auto& [key, value] : settings) {
      // "development" (the plugin's test clock) only through --dev-clock-offset, which
      // checks that the host is in development mode on a loopback address.
      if (key == "data_dir" || key == "procedures_dir" || key == "limits" || key == "development") {
        r.fail("plugin." + std::string(key), "settes av verten, ikke her");
      }
    }
    config.plugin_settings_json = json::serialize(settings);
    config.plugin_settings_has_store = settings.contains("store");
  }
  config.auth = parse_auth(r, root);
  if (const json::value* auth = root.if_contains("auth"); auth != nullptr && auth->is_object()) {
    if (auto s = r.optional_string(auth->get_object(), "rs256_public_key_file", "auth")) {
      config.auth.rs256_public_key_file = resolve_against(base_dir, *s);
    }
  }
  if (const json::value* http = root.if_contains("http"); http != nullptr && !http->is_null()) {
    config.http = parse_http_config(json::serialize(*http), base_dir, config.source);
  }
  config.units = parse_units(r, root);
  config.users = parse_users(r, root);
  validate_directory(r, config);
  if (const json::value* auth = root.if_contains("auth"); auth != nullptr && auth->is_object()) {
    if (const json::value* oidc = auth->get_object().if_contains("oidc");
        oidc != nullptr && !oidc->is_null()) {
      if (config.auth.rs256_public_key_file) {
        r.fail("auth.oidc", "kan ikke brukes sammen med auth.rs256_public_key_file");
      }
      config.auth.oidc = parse_oidc_config(json::serialize(*oidc), config.source, config.units);
    }
  }
  return config;
}

HostConfig load_host_config(const std::optional<std::filesystem::path>& file) {
  if (!file) {
    return parse_host_config(embedded_default_config_json(), std::filesystem::current_path(),
                             std::string(kEmbeddedSource));
  }
  const std::filesystem::path absolute = std::filesystem::absolute(*file).lexically_normal();
  std::ifstream in(absolute, std::ios::binary);
  if (!in) {
    throw ConfigError("Kan ikke lese konfigurasjonsfilen " + absolute.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  refuse_readable_secrets(absolute, text.str());
  return parse_host_config(text.str(), absolute.parent_path(), absolute.string());
}

std::filesystem::path resolve_data_dir(const std::optional<std::filesystem::path>& from_cli,
                                       const HostConfig& config) {
  std::filesystem::path dir = from_cli          ? *from_cli
                              : config.data_dir ? *config.data_dir
                                                : std::filesystem::path(kDefaultDataDir);
  return std::filesystem::absolute(dir).lexically_normal();
}

}  // namespace boligflyt::host

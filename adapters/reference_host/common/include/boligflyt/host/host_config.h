#pragma once
/// Configuration of the reference host and the `boligflyt` CLI: where to listen, how to
/// authenticate, and the organisation directory (units and users) that stands in for a host
/// quality system's own directory.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "boligflyt/host/oidc_config.h"

namespace boligflyt::host {

/// A configuration that cannot be used. what() is a Norwegian message for the operator.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The roles a principal can carry; the plugin authorises from them.
inline constexpr std::string_view kRoleUnitLeader = "unit_leader";
inline constexpr std::string_view kRoleProcedureOwner = "procedure_owner";
inline constexpr std::string_view kRoleApprover = "approver";
inline constexpr std::string_view kRoleQualityLeader = "quality_leader";
// Every signed-in user may report an avvik; the role only says "an employee, no leader".
inline constexpr std::string_view kRoleEmployee = "employee";
// The personvernombud: receives personvernavvik and records their assessment.
inline constexpr std::string_view kRoleDataProtectionOfficer = "data_protection_officer";

struct Unit {
  std::string id;
  std::string name;
  std::optional<std::string> parent;
};

struct User {
  std::string id;
  std::string display_name;
  std::vector<std::string> units;
  std::vector<std::string> roles;
  /// Where the plugin's own mail adapter writes to this user; empty when none is known.
  std::string email;
};

struct AuthConfig {
  std::string issuer = "boligflyt-dev";
  std::string audience = "boligflyt";
  std::chrono::seconds dev_token_lifetime = std::chrono::hours(24 * 30);
  /// Clock difference tolerated between token issuer and host for `exp`/`nbf`.
  std::chrono::seconds clock_skew = std::chrono::seconds(60);
  /// When set, tokens are RS256, verified with this public key, and no dev tokens exist.
  std::optional<std::filesystem::path> rs256_public_key_file;
  /// When set, tokens come from this OpenID Connect provider (discovery, JWKS), and no dev
  /// tokens exist.
  std::optional<OidcConfig> oidc;
};

/// `http` of the configuration: the limits and policies of the host's front door.
struct HttpConfig {
  std::size_t header_limit_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  /// From the start of waiting for a request until its header is complete: a client that
  /// sends one byte a second is cut off after this (and an idle keep-alive connection too).
  std::chrono::seconds header_timeout = std::chrono::seconds(20);
  /// Reading the body, and writing each response.
  std::chrono::seconds request_timeout = std::chrono::seconds(30);
  /// Simultaneous connections from one client address; 0 is no limit.
  unsigned max_connections_per_address = 256;
  /// Requests per second per principal (or client address when unauthenticated); 0 is off.
  double rate_limit_per_second = 0;
  /// How many requests a principal may send at once before the rate applies.
  unsigned rate_limit_burst = 0;
  /// Origins ("https://kvalitet.kommune.no") whose pages may call the API; empty: no CORS.
  std::vector<std::string> cors_allowed_origins;
  /// `tls`: serve HTTPS with this PEM certificate chain and PEM private key (both or none).
  std::optional<std::filesystem::path> tls_certificate_file;
  std::optional<std::filesystem::path> tls_private_key_file;
};

/// Parses the JSON object of `http` (as text); relative paths are resolved against
/// `base_dir`. Throws ConfigError naming the key.
HttpConfig parse_http_config(std::string_view json_text, const std::filesystem::path& base_dir,
                             std::string_view source);

struct HostConfig {
  /// Where the configuration came from, for messages ("innebygd standardkonfigurasjon" or
  /// the file path).
  std::string source;
  std::optional<std::string> listen;
  std::optional<unsigned> threads;
  std::optional<std::filesystem::path> data_dir;
  std::optional<std::filesystem::path> plugin_path;
  std::optional<std::filesystem::path> procedures_dir;
  std::string log_level = "info";
  /// Extra plugin settings ("plugin": {...}): a JSON object text merged into the plugin's
  /// configuration (store, deviations, notifications, maintenance_interval_ms); the plugin
  /// checks the keys. Empty when absent.
  std::string plugin_settings_json;
  bool plugin_settings_has_store = false;  // then the host's default store is not added
  AuthConfig auth;
  std::vector<Unit> units;
  std::vector<User> users;
  HttpConfig http;

  const User* find_user(std::string_view id) const;
  const Unit* find_unit(std::string_view id) const;
};

/// The JSON of packaging/config/default-host.json, embedded at build time.
std::string_view embedded_default_config_json();

/// Parses and validates a configuration. Relative paths in it are resolved against
/// `base_dir` (the configuration file's folder), so a config file can be moved with its keys.
/// Throws ConfigError.
HostConfig parse_host_config(std::string_view json_text, const std::filesystem::path& base_dir,
                             std::string source);

/// Loads `file`, or the embedded default when `file` is empty. Throws ConfigError.
HostConfig load_host_config(const std::optional<std::filesystem::path>& file);

/// The data folder: the command line wins over the config, then `./boligflyt-data`.
/// Always absolute.
std::filesystem::path resolve_data_dir(const std::optional<std::filesystem::path>& from_cli,
                                       const HostConfig& config);

}  // namespace boligflyt::host

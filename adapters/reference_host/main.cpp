// boligflyt-host: the reference host. Stands in for a quality system: loads the plugin,
// authenticates requests with bearer tokens and serves the plugin's API over HTTP.

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_gateway.h"
#include "boligflyt/host/host_config.h"
#include "boligflyt/host/oidc_verifier.h"
#include "boligflyt/host/secret_key_file.h"
#include "boligflyt/host/token_authority.h"
#include "http/front_door.h"
#include "http/http_server.h"
#include "http/rate_limiter.h"
#include "loader/plugin_module.h"
#include "log/logger.h"
#include "services/host_services.h"

#ifndef BOLIGFLYT_SOURCE_DIR
#error "BOLIGFLYT_SOURCE_DIR must be defined by the build"
#endif
#ifndef BOLIGFLYT_INSTALL_LIBDIR
#define BOLIGFLYT_INSTALL_LIBDIR "lib"
#endif
#ifndef BOLIGFLYT_VERSION
#define BOLIGFLYT_VERSION "0.0.0"
#endif

namespace {

namespace fs = std::filesystem;
using boligflyt::host::ApiGateway;
using boligflyt::host::append_json_escaped;
using boligflyt::host::BrowserSessions;
using boligflyt::host::create_private_directory;
using boligflyt::host::HostConfig;
using boligflyt::host::HostServices;
using boligflyt::host::HttpServer;
using boligflyt::host::is_loopback_host;
using boligflyt::host::load_host_config;
using boligflyt::host::Logger;
using boligflyt::host::LogLevel;
using boligflyt::host::parse_listen_address;
using boligflyt::host::parse_log_level;
using boligflyt::host::PluginInstance;
using boligflyt::host::PluginModule;
using boligflyt::host::resolve_data_dir;
using boligflyt::host::ServerOptions;
using boligflyt::host::TokenAuthority;
using boligflyt::host::User;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr std::string_view kDefaultListen = "127.0.0.1:8080";
constexpr unsigned kDefaultThreads = 4;

constexpr std::string_view kUsage =
    "Bruk: boligflyt-host [--config FIL] [--data MAPPE] [--listen ADRESSE:PORT] [--threads N]\n"
    "\n"
    "Referanseverten for boligflyt: laster programtillegget libboligflyt.so og tilbyr\n"
    "API-et over HTTP på en lokal adresse.\n"
    "\n"
    "  --config FIL            vertskonfigurasjon (JSON); uten den brukes den innebygde\n"
    "                          standardkonfigurasjonen med demobrukere\n"
    "  --data MAPPE            datamappe (standard: ./boligflyt-data)\n"
    "  --listen ADRESSE:PORT   lytteadresse (standard: 127.0.0.1:8080; port 0 velger en ledig)\n"
    "  --threads N             antall arbeidstråder (standard: 4)\n"
    "  --dev-clock-offset S    utviklingsmodus: programtilleggets klokke går S sekunder\n"
    "                          foran (for å teste frister); bare med utviklingstokener og\n"
    "                          på en lokal adresse (127.0.0.1, ::1)\n"
    "  --help                  vis denne hjelpen\n"
    "  --version               vis versjonen\n";

struct Options {
  std::optional<fs::path> config;
  std::optional<fs::path> data;
  std::optional<std::string> listen;
  std::optional<unsigned> threads;
  std::optional<long long> dev_clock_offset_seconds;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Options parse_arguments(int argc, char** argv, bool& exit_early) {
  Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string_view flag) -> std::string {
      if (i + 1 >= args.size()) throw UsageError(std::string(flag) + " mangler en verdi.");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      exit_early = true;
      return options;
    }
    if (arg == "--version") {
      std::cout << "boligflyt-host " << BOLIGFLYT_VERSION << " (ABI " << BOLIGFLYT_ABI_MAJOR << "."
                << BOLIGFLYT_ABI_MINOR << ")\n";
      exit_early = true;
      return options;
    }
    if (arg == "--config") {
      options.config = value(arg);
    } else if (arg == "--data") {
      options.data = value(arg);
    } else if (arg == "--listen") {
      options.listen = value(arg);
    } else if (arg == "--threads") {
      const std::string text = value(arg);
      if (text.empty() || text.size() > 3 ||
          text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) < 1 ||
          std::stoul(text) > 256) {
        throw UsageError("--threads må være et tall fra 1 til 256.");
      }
      options.threads = static_cast<unsigned>(std::stoul(text));
    } else if (arg == "--dev-clock-offset") {
      const std::string text = value(arg);
      if (text.empty() || text.size() > 9 ||
          text.find_first_not_of("0123456789") != std::string::npos) {
        throw UsageError("--dev-clock-offset må være et antall sekunder (0–316224000).");
      }
      options.dev_clock_offset_seconds = std::stoll(text);
    } else {
      throw UsageError("Ukjent argument «" + arg + "».");
    }
  }
  return options;
}

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

fs::path absolute_normal(const fs::path& p) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : canonical;
}

// Beside the binary (the build tree), then where `cmake --install` puts the plugin
// (bin/../lib/boligflyt/). When neither exists, the error names the first.
fs::path resolve_plugin_path(const HostConfig& config) {
  if (config.plugin_path) return absolute_normal(*config.plugin_path);
  fs::path beside = executable_dir() / "libboligflyt.so";
  const fs::path installed =
      executable_dir() / ".." / BOLIGFLYT_INSTALL_LIBDIR / "boligflyt" / "libboligflyt.so";
  std::error_code ec;
  if (!fs::exists(beside, ec) && fs::exists(installed, ec)) return absolute_normal(installed);
  return beside;
}

// Installed layout first (bin/../share/boligflyt/procedures), then the source tree, so
// that a build directory works without installing.
fs::path resolve_procedures_dir(const HostConfig& config) {
  if (config.procedures_dir) return absolute_normal(*config.procedures_dir);
  const fs::path installed = executable_dir() / ".." / "share" / "boligflyt" / "procedures";
  std::error_code ec;
  if (fs::is_directory(installed, ec)) return absolute_normal(installed);
  return absolute_normal(fs::path(BOLIGFLYT_SOURCE_DIR) / "procedures");
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  append_json_escaped(out, text);
  out += '"';
  return out;
}

// The plugin's configuration contract: these keys, plus what the host config's "plugin"
// object adds or replaces (the plugin refuses keys it does not know).
std::string plugin_config_json(const fs::path& data_dir, const fs::path& procedures_dir,
                               const HostConfig& config, std::optional<long long> clock_offset) {
  const std::string& plugin_settings_json = config.plugin_settings_json;
  std::string out =
      "{\"data_dir\":" + json_string(data_dir.string()) +
      ",\"procedures_dir\":" + json_string(procedures_dir.string()) +
      ",\"limits\":{\"max_body_bytes\":" + std::to_string(config.http.max_body_bytes) + "}";
  if (!config.plugin_settings_has_store) out += ",\"store\":{\"kind\":\"sqlite\"}";
  if (clock_offset) {
    out += ",\"development\":{\"clock_offset_seconds\":" + std::to_string(*clock_offset) + "}";
  }
  // plugin_settings_json is a serialized JSON object: splice its members in.
  if (plugin_settings_json.size() > 2) {
    out += "," + plugin_settings_json.substr(1, plugin_settings_json.size() - 2);
  }
  return out + "}";
}

void print_banner(const HttpServer& server, const HostConfig& config,
                  const TokenAuthority& tokens) {
  const std::string base = std::string(config.http.tls_certificate_file ? "https://" : "http://") +
                           server.local_address() + ":" + std::to_string(server.local_port());
  std::cout << "boligflyt-host listening on " << base << "\n";
  if (tokens.can_issue() && !config.users.empty()) {
    const auto days =
        std::chrono::duration_cast<std::chrono::hours>(config.auth.dev_token_lifetime).count() / 24;
    std::cout << "Åpne " << base << "/ i nettleseren og logg inn som en av demobrukerne.\n";
    std::cout << "Utviklingstokener for demobrukerne (HS256, gyldige i " << days
              << " dager). Prøv for eksempel:\n"
              << "curl -H \"Authorization: Bearer <token>\" " << base << "/api/v1/me\n";
    for (const User& user : config.users) {
      std::cout << "  " << user.id << "  " << tokens.issue(user) << "\n";
    }
  } else if (config.auth.oidc) {
    std::cout << "Tilgangstokener utstedes av identitetsleverandøren " << config.auth.oidc->issuer
              << ".\n";
  } else {
    std::cout << "Tilgangstokener (RS256) utstedes av identitetsleverandøren.\n";
  }
  std::cout << "Stopp med Ctrl+C." << std::endl;
}

int run(const Options& options) {
  const HostConfig config = load_host_config(options.config);
  Logger logger(parse_log_level(config.log_level));

  ServerOptions server_options;
  const auto [address, port] = parse_listen_address(
      options.listen.value_or(config.listen.value_or(std::string(kDefaultListen))));
  server_options.address = address;
  server_options.port = port;
  server_options.threads = options.threads.value_or(config.threads.value_or(kDefaultThreads));
  server_options.body_limit = config.http.max_body_bytes;
  server_options.header_limit = config.http.header_limit_bytes;
  server_options.header_timeout = config.http.header_timeout;
  server_options.io_timeout = config.http.request_timeout;
  server_options.max_connections_per_address = config.http.max_connections_per_address;
  if (config.http.tls_certificate_file && config.http.tls_private_key_file) {
    server_options.tls_certificate_file = config.http.tls_certificate_file->string();
    server_options.tls_private_key_file = config.http.tls_private_key_file->string();
  }

  const fs::path data_dir = resolve_data_dir(options.data, config);
  create_private_directory(data_dir);
  const std::unique_ptr<TokenAuthority> tokens = TokenAuthority::from_config(config, data_dir);
  HostServices services(config, data_dir, logger);

  if (options.dev_clock_offset_seconds) {
    // A clock that runs ahead makes deadlines pass: for tests on one machine only, never
    // where real users (signed in through an identity provider, or from elsewhere) could
    // see avvik escalated before their time.
    const bool loopback = server_options.address.rfind("127.", 0) == 0 ||
                          server_options.address == "::1" || server_options.address == "localhost";
    if (!tokens->can_issue() || !loopback) {
      throw std::runtime_error(
          "--dev-clock-offset gjelder bare i utviklingsmodus (utviklingstokener) på en lokal "
          "adresse (127.0.0.1 eller ::1).");
    }
    logger.log(LogLevel::kWarn, "dev_clock_offset",
               {{"seconds", std::to_string(*options.dev_clock_offset_seconds)}});
  }
  if (tokens->can_issue() && !is_loopback_host(server_options.address)) {
    // Anyone who can read the data folder's secret can sign in as anyone: development
    // tokens are for one machine, never for a host others can reach.
    throw std::runtime_error(
        "Verten lytter på " + server_options.address +
        ", men bruker utviklingstokener (HS256) med nøkkelen " +
        boligflyt::host::hs256_secret_path(data_dir).string() +
        ". Utenfor 127.0.0.1/::1 må tokener komme fra kommunens identitetsleverandør: sett "
        "auth.oidc (eller auth.rs256_public_key_file) i konfigurasjonen.");
  }
  const fs::path plugin_path = resolve_plugin_path(config);
  const fs::path procedures_dir = resolve_procedures_dir(config);
  const std::unique_ptr<PluginModule> module = PluginModule::open(plugin_path);
  auto plugin = std::make_unique<PluginInstance>(
      *module, services.table(),
      plugin_config_json(data_dir, procedures_dir, config, options.dev_clock_offset_seconds));
  logger.log(LogLevel::kInfo, "plugin_loaded",
             {{"path", plugin_path.string()},
              {"name", module->api().plugin_name ? module->api().plugin_name : ""},
              {"version", module->api().plugin_version ? module->api().plugin_version : ""},
              {"data_dir", data_dir.string()},
              {"procedures_dir", procedures_dir.string()},
              {"config", config.source}});

  {
    // Browser sign-in lists the demo users, so it exists only where the host issues its own
    // development tokens; with an identity provider (RS256) people sign in there.
    std::unique_ptr<BrowserSessions> sessions;
    if (tokens->can_issue() && !config.users.empty()) {
      sessions = std::make_unique<BrowserSessions>(config.users);
    } else if (const auto* oidc = tokens->oidc_verifier();
               oidc != nullptr && !oidc->config().client_id.empty()) {
      sessions = std::make_unique<BrowserSessions>(*oidc, logger);
    }
    ApiGateway gateway(*plugin, *tokens, logger, config.http.max_body_bytes, sessions.get());
    std::optional<boligflyt::host::RateLimiter> rate_limiter;
    if (config.http.rate_limit_per_second > 0) {
      rate_limiter.emplace(config.http.rate_limit_per_second, config.http.rate_limit_burst);
      gateway.set_rate_limiter(&*rate_limiter);
    }
    boligflyt::host::FrontDoor front_door(
        gateway, boligflyt::host::FrontDoorOptions{config.http.cors_allowed_origins,
                                                   config.http.tls_certificate_file.has_value()});
    HttpServer server(server_options, front_door, logger);
    print_banner(server, config, *tokens);
    server.run();
  }
  // Only now, with every server thread joined, may destroy() run: it must not race dispatch().
  if (std::string error = plugin->destroy(); !error.empty()) {
    logger.log(LogLevel::kError, "plugin_destroy_failed", {{"error", error}});
    return kExitFailure;
  }
  plugin.reset();
  logger.log(LogLevel::kInfo, "host_stopped");
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // A client or a closed stdout must give us EPIPE errors, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  Options options;
  try {
    bool exit_early = false;
    options = parse_arguments(argc, argv, exit_early);
    if (exit_early) return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "boligflyt-host: " << e.what() << "\nSe «boligflyt-host --help».\n";
    return kExitUsage;
  }
  try {
    return run(options);
  } catch (const std::invalid_argument& e) {  // a bad --listen value
    std::cerr << "boligflyt-host: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "boligflyt-host: " << e.what() << "\n";
    return kExitFailure;
  }
}

#include "support/glewlwyd_provider.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <csignal>
#include <random>
#include <stdexcept>
#include <thread>

#include "support/http_client.h"
#include "support/loopback_port.h"

namespace boligflyt::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kGlewlwyd = "/usr/bin/glewlwyd";
constexpr const char* kShippedWebapp = "/usr/share/glewlwyd/webapp";
// Debian ships the schema in two places depending on the package version.
const std::vector<fs::path> kSqlCandidates = {
    "/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3",
    "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"};
constexpr const char* kAdminUser = "admin";  // Debian's initial administrator
constexpr const char* kAdminPassword = "password";

std::optional<fs::path> schema_file() {
  for (const fs::path& candidate : kSqlCandidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 15U]);
    }
  }
  return out;
}

std::string random_text(std::size_t length) {
  // Letters and digits only: they come back in a redirect exactly as sent.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(kAlphabet[device() % 62]);
  return out;
}

std::string session_cookie(const HttpResult& response) {
  const std::string set_cookie = response.header("Set-Cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

void expect_ok(const HttpResult& response, const std::string& what) {
  if (response.status != 200) {
    throw std::runtime_error("glewlwyd: " + what + " gave HTTP " + std::to_string(response.status) +
                             " " + response.body + response.error);
  }
}

void run_openssl(const std::vector<std::string>& args, const fs::path& scratch) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult result = run_command(argv, scratch);
  if (result.exit_code != 0) throw std::runtime_error("openssl failed: " + result.err);
}

std::string config_text(const fs::path& dir, uint16_t port, const fs::path& static_files) {
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  return "port=" + std::to_string(port) +
         "\n"
         "bind_address=\"127.0.0.1\"\n"
         "external_url=\"" +
         base +
         "\"\n"
         "login_url=\"login.html\"\n"
         "api_prefix=\"api\"\n"
         "static_files_path=\"" +
         static_files.string() +
         "/\"\n"
         "allow_origin=\"*\"\n"
         "log_mode=\"file\"\n"
         "log_level=\"INFO\"\n"
         "log_file=\"" +
         (dir / "glewlwyd.log").string() +
         "\"\n"
         "cookie_secure=0\n"
         "cookie_same_site=\"empty\"\n"
         "session_expiration=3600\n"
         "session_key=\"GLEWLWYD2_SESSION_ID\"\n"
         "admin_session_authentication=\"cookie\"\n"
         "profile_session_authentication=\"cookie\"\n"
         "allow_multiple_user_per_session=true\n"
         "login_api_enabled=true\n"
         "add_x_frame_option_header_deny=true\n"
         "max_post_size=16778240\n"
         "admin_scope=\"g_admin\"\n"
         "profile_scope=\"g_profile\"\n"
         "user_module_path=\"/usr/lib/glewlwyd/user\"\n"
         "client_module_path=\"/usr/lib/glewlwyd/client\"\n"
         "user_auth_scheme_module_path=\"/usr/lib/glewlwyd/scheme\"\n"
         "plugin_module_path=\"/usr/lib/glewlwyd/plugin\"\n"
         // glewlwyd 2.7 reads these even without TLS; they point nowhere on purpose.
         "use_secure_connection=false\n"
         "secure_connection_key_file=\"/nonexistent/cert.key\"\n"
         "secure_connection_pem_file=\"/nonexistent/cert.pem\"\n"
         "secure_connection_ca_file=\"/nonexistent/ca.crt\"\n"
         "hash_algorithm=\"SHA512\"\n"
         "database = { type = \"sqlite3\"\n path = \"" +
         (dir / "glewlwyd.db").string() +
         "\" };\n"
         "static_files_mime_types = (\n"
         " { extension = \".html\"\n mime_type = \"text/html\" },\n"
         " { extension = \".js\"\n mime_type = \"application/javascript\" },\n"
         " { extension = \".css\"\n mime_type = \"text/css\" },\n"
         " { extension = \".json\"\n mime_type = \"application/json\" },\n"
         " { extension = \".png\"\n mime_type = \"image/png\" },\n"
         " { extension = \".woff2\"\n mime_type = \"font/woff2\" }\n)\n";
}

void initialise_database(const fs::path& dir) {
  const fs::path schema = *schema_file();
  std::string sql;
  if (schema.extension() == ".gz") {
    const CommandResult unpacked = run_command({"/usr/bin/gzip", "-dc", schema.string()}, dir);
    if (unpacked.exit_code != 0) throw std::runtime_error("gzip failed: " + unpacked.err);
    sql = unpacked.out;
  } else {
    sql = read_file(schema);
  }
  sqlite3* db = nullptr;
  const std::string path = (dir / "glewlwyd.db").string();
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot create " + path);
  }
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("glewlwyd schema failed: " + message);
}

}  // namespace

std::string glewlwyd_missing() {
  std::error_code ec;
  if (!fs::exists(kGlewlwyd, ec)) return "glewlwyd is not installed (Debian package glewlwyd)";
  if (!schema_file()) return "glewlwyd's SQLite schema is not installed";
  return {};
}

std::string base64url(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8U) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> static_cast<unsigned>(bits)) & 63U]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << static_cast<unsigned>(6 - bits)) & 63U]);
  return out;
}

std::string base64url_decode_text(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    if (v < 0) break;
    buffer = (buffer << 6U) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

std::unique_ptr<GlewlwydProvider> GlewlwydProvider::start(const fs::path& dir,
                                                          const std::string& redirect_uri,
                                                          std::string& failure,
                                                          const fs::path& webapp) {
  std::unique_ptr<GlewlwydProvider> provider(new GlewlwydProvider());
  try {
    provider->dir_ = dir;
    provider->redirect_uri_ = redirect_uri;
    fs::create_directories(dir);
    initialise_database(dir);
    provider->port_ = free_loopback_port();
    const fs::path config = dir / "glewlwyd.conf";
    write_file(config, config_text(dir, provider->port_,
                                   webapp.empty() ? fs::path(kShippedWebapp) : webapp));
    provider->process_ =
        ChildProcess::start({kGlewlwyd, "--config-file=" + config.string()}, dir / "stderr.txt");
    const Deadline deadline = deadline_in(20s);
    while (!accepts_connections(provider->port_)) {
      if (!provider->process_->running() || provider->process_->wait(deadline_in(50ms))) {
        failure = "glewlwyd exited: " + read_file(dir / "glewlwyd.log") +
                  provider->process_->stderr_text();
        return nullptr;
      }
      if (Clock::now() > deadline) {
        failure = "glewlwyd did not listen within 20 s: " + read_file(dir / "glewlwyd.log");
        return nullptr;
      }
    }

    const std::string admin = provider->admin_cookie();
    // The database user back end stores only the properties its data-format names; `groups`
    // is multi-valued and ends up in the access token (see configure_plugin).
    HttpResult module =
        http_request(provider->port_, "GET", "/api/mod/user/database", {{"Cookie", admin}});
    expect_ok(module, "GET user module");
    json::value module_json = json::parse(module.body);
    module_json.at("parameters").at("data-format").as_object()["groups"] = {
        {"multiple", true},
        {"read", true},
        {"write", true},
        {"profile-read", false},
        {"profile-write", false}};
    expect_ok(http_request(provider->port_, "PUT", "/api/mod/user/database",
                           {{"Cookie", admin}, {"Content-Type", "application/json"}},
                           json::serialize(module_json)),
              "PUT user module");
    expect_ok(
        http_request(provider->port_, "PUT", "/api/mod/user/database/reset", {{"Cookie", admin}}),
        "reset user module");
    // A scope is granted only when some factor authenticates it: the password here.
    for (const char* scope : {"openid", kScope}) {
      const json::object body = {{"display_name", scope},
                                 {"description", scope},
                                 {"password_required", true},
                                 {"password_max_age", 3600},
                                 {"scheme", json::object()}};
      const std::string method = std::string(scope) == "openid" ? "PUT" : "POST";
      const std::string target = method == "PUT" ? "/api/scope/openid" : std::string("/api/scope/");
      json::object with_name = body;
      with_name["name"] = scope;
      expect_ok(http_request(provider->port_, method, target,
                             {{"Cookie", admin}, {"Content-Type", "application/json"}},
                             json::serialize(with_name)),
                std::string("scope ") + scope);
    }
    provider->signing_key_ = dir / "signing-key-1.pem";
    run_openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                 provider->signing_key_.string()},
                dir);
    provider->configure_plugin("rsa", provider->signing_key_, true);
    const json::object client = {{"client_id", kClientId},
                                 {"name", "boligflyt"},
                                 {"confidential", false},
                                 {"enabled", true},
                                 {"scope", json::array{"openid", kScope}},
                                 {"redirect_uri", json::array{redirect_uri}},
                                 {"authorization_type", json::array{"code", "refresh_token"}}};
    expect_ok(http_request(provider->port_, "POST", "/api/client/",
                           {{"Cookie", admin}, {"Content-Type", "application/json"}},
                           json::serialize(client)),
              "add client");
  } catch (const std::exception& e) {
    failure = e.what();
    return nullptr;
  }
  return provider;
}

GlewlwydProvider::~GlewlwydProvider() {
  if (process_ && process_->running()) {
    process_->send_signal(SIGTERM);
    process_->wait(deadline_in(10s));
  }
}

std::string GlewlwydProvider::issuer() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/api/oidc";
}

std::string GlewlwydProvider::admin_cookie() {
  const json::object body = {{"username", kAdminUser}, {"password", kAdminPassword}};
  const HttpResult response = http_request(
      port_, "POST", "/api/auth/", {{"Content-Type", "application/json"}}, json::serialize(body));
  expect_ok(response, "admin sign-in");
  return session_cookie(response);
}

void GlewlwydProvider::configure_plugin(const std::string& jwt_type, const fs::path& key,
                                        bool create) {
  const fs::path public_key = fs::path(key).replace_extension(".pub.pem");
  run_openssl({"pkey", "-in", key.string(), "-pubout", "-out", public_key.string()}, dir_);
  json::object parameters = {
      {"iss", issuer()},
      {"jwt-type", jwt_type},
      {"jwt-key-size", "256"},
      {"key", read_file(key)},
      {"cert", read_file(public_key)},
      {"access-token-duration", 600},
      {"refresh-token-duration", 3600},
      {"code-duration", 600},
      {"refresh-token-rolling", true},
      {"allow-non-oidc", false},
      {"auth-type-code-enabled", true},
      {"auth-type-token-enabled", false},
      {"auth-type-id-token-enabled", true},
      {"auth-type-none-enabled", false},
      {"auth-type-password-enabled", false},
      {"auth-type-client-enabled", false},
      {"auth-type-device-enabled", false},
      {"auth-type-refresh-enabled", true},
      {"scope", json::array()},
      // The user's properties in the access token: what the host maps to a principal.
      {"additional-parameters",
       json::array{json::object{{"user-parameter", "groups"}, {"token-parameter", "groups"}},
                   json::object{{"user-parameter", "name"}, {"token-parameter", "name"}},
                   json::object{{"user-parameter", "username"},
                                {"token-parameter", "preferred_username"}}}},
      {"claims", json::array{json::object{{"name", "groups"},
                                          {"user-property", "groups"},
                                          {"type", "string"},
                                          {"mandatory", true},
                                          {"on-demand", false},
                                          {"scope", json::array()}}}},
      {"jwks-show", true},
      {"pkce-allowed", true},
      {"pkce-method-plain-allowed", false},
      {"subject-type", "public"},
      {"name-claim", "mandatory"},
      {"email-claim", "no"},
      {"scope-claim", "no"},
      // RFC 8707: the access token's aud is the API it is for, not the client.
      {"resource-allowed", true},
      {"resource-scope", json::object{{kScope, json::array{kAudience}}}}};
  const json::object plugin = {{"module", "oidc"}, {"name", "oidc"},  {"display_name", "OIDC"},
                               {"order_rank", 0},  {"enabled", true}, {"parameters", parameters}};
  const std::string admin = admin_cookie();
  const Headers headers = {{"Cookie", admin}, {"Content-Type", "application/json"}};
  if (create) {
    expect_ok(http_request(port_, "POST", "/api/mod/plugin/", headers, json::serialize(plugin)),
              "add OIDC plugin");
  } else {
    expect_ok(http_request(port_, "PUT", "/api/mod/plugin/oidc", headers, json::serialize(plugin)),
              "update OIDC plugin");
    expect_ok(http_request(port_, "PUT", "/api/mod/plugin/oidc/reset", {{"Cookie", admin}}),
              "reload OIDC plugin");
  }
}

std::string GlewlwydProvider::current_kid() {
  const HttpResult jwks = http_request(port_, "GET", "/api/oidc/jwks");
  expect_ok(jwks, "GET jwks");
  return std::string(json::parse(jwks.body).at("keys").at(0).at("kid").as_string());
}

void GlewlwydProvider::add_user(const ProviderUser& user) {
  json::array groups;
  for (const std::string& group : user.groups) groups.emplace_back(group);
  const json::object body = {{"username", user.username},
                             {"password", user.password},
                             {"name", user.name},
                             {"enabled", true},
                             // g_profile lets the user grant scopes to the client.
                             {"scope", json::array{"g_profile", "openid", kScope}},
                             {"groups", groups}};
  expect_ok(http_request(port_, "POST", "/api/user/",
                         {{"Cookie", admin_cookie()}, {"Content-Type", "application/json"}},
                         json::serialize(body)),
            "add user " + user.username);
}

std::string GlewlwydProvider::signed_in_cookie(const ProviderUser& user) {
  const json::object sign_in = {{"username", user.username}, {"password", user.password}};
  const HttpResult signed_in =
      http_request(port_, "POST", "/api/auth/", {{"Content-Type", "application/json"}},
                   json::serialize(sign_in));
  expect_ok(signed_in, "sign-in of " + user.username);
  std::string cookie = session_cookie(signed_in);
  const std::string scopes = std::string("openid ") + kScope;
  expect_ok(http_request(port_, "PUT", std::string("/api/auth/grant/") + kClientId,
                         {{"Cookie", cookie}, {"Content-Type", "application/json"}},
                         json::serialize(json::object{{"scope", scopes}})),
            "grant");
  return cookie;
}

void GlewlwydProvider::set_redirect_uri(const std::string& uri) {
  redirect_uri_ = uri;
  const json::object client = {{"name", "boligflyt"},
                               {"confidential", false},
                               {"enabled", true},
                               {"scope", json::array{"openid", kScope}},
                               {"redirect_uri", json::array{uri}},
                               {"authorization_type", json::array{"code", "refresh_token"}}};
  expect_ok(http_request(port_, "PUT", std::string("/api/client/") + kClientId,
                         {{"Cookie", admin_cookie()}, {"Content-Type", "application/json"}},
                         json::serialize(client)),
            "update client");
}

std::string GlewlwydProvider::authorize_as(const ProviderUser& user,
                                           const std::string& authorization_url) {
  const std::string cookie = signed_in_cookie(user);
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  if (!authorization_url.starts_with(origin + "/")) {
    throw std::runtime_error("not this provider's URL: " + authorization_url);
  }
  // g_continue is what glewlwyd's own login page adds once the user has confirmed.
  const HttpResult redirect = http_request(
      port_, "GET", authorization_url.substr(origin.size()) + "&g_continue", {{"Cookie", cookie}});
  if (redirect.status != 302) {
    throw std::runtime_error("glewlwyd: authorization gave " + std::to_string(redirect.status));
  }
  return redirect.header("Location");
}

std::string GlewlwydProvider::access_token(const ProviderUser& user) {
  const std::string cookie = signed_in_cookie(user);
  const std::string scopes = std::string("openid ") + kScope;

  const std::string verifier = random_text(64);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  const std::string challenge =
      base64url(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
  const std::string state = random_text(16);
  // g_continue is what glewlwyd's own login page adds once the user has confirmed.
  const std::string authorize =
      "/api/oidc/auth?response_type=code&client_id=" + std::string(kClientId) +
      "&redirect_uri=" + url_encode(redirect_uri_) + "&scope=" + url_encode(scopes) +
      "&state=" + state + "&nonce=" + random_text(16) + "&code_challenge=" + challenge +
      "&code_challenge_method=S256&resource=" + url_encode(kAudience) + "&g_continue";
  const HttpResult redirect = http_request(port_, "GET", authorize, {{"Cookie", cookie}});
  const std::string location = redirect.header("Location");
  const std::size_t code_at = location.find("code=");
  if (redirect.status != 302 || !location.starts_with(redirect_uri_) ||
      code_at == std::string::npos || location.find("state=" + state) == std::string::npos) {
    throw std::runtime_error("glewlwyd: authorization gave " + std::to_string(redirect.status) +
                             " to " + location);
  }
  const std::string code = location.substr(code_at + 5, location.find('&', code_at) - code_at - 5);
  const std::string form = "grant_type=authorization_code&code=" + code +
                           "&client_id=" + kClientId +
                           "&redirect_uri=" + url_encode(redirect_uri_) +
                           "&code_verifier=" + verifier + "&resource=" + url_encode(kAudience);
  const HttpResult token =
      http_request(port_, "POST", "/api/oidc/token",
                   {{"Content-Type", "application/x-www-form-urlencoded"}}, form);
  expect_ok(token, "token");
  return std::string(json::parse(token.body).at("access_token").as_string());
}

void GlewlwydProvider::rotate_to_new_es256_key() {
  signing_key_ = dir_ / ("signing-key-es256-" + std::to_string(++key_counter_) + ".pem");
  run_openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
               signing_key_.string()},
              dir_);
  configure_plugin("ecdsa", signing_key_, false);
}

}  // namespace boligflyt::e2e

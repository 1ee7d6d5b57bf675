// The real OpenID Connect provider of the e2e tests (GlewlwydProvider) for the browser test
// (tests/web/oidc.test.mjs), which runs in node: starts and configures glewlwyd in a folder
// the caller owns, with a copy of Debian's login pages, adds the users, and then obeys one
// command per line on stdin until stdin ends or a signal comes, when glewlwyd is stopped.
//
//   boligflyt-glewlwyd-launcher --dir DIR --users '[{"username":..,"password":..,
//                                                   "name":..,"groups":[..]}]'
//
// stdout: first one JSON line {"port","issuer","audience","client_id","scope"} (or
// {"error":...} and exit 1), then per command "ok" or "error <why>".
// Commands: "redirect_uri <uri>" registers the client's only redirect URI.

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "support/glewlwyd_provider.h"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using boligflyt::e2e::GlewlwydProvider;
using boligflyt::e2e::ProviderUser;

constexpr const char* kShippedWebapp = "/usr/share/glewlwyd/webapp";

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int /*signal*/) {
  const char byte = 1;
  // Nothing else is async-signal-safe enough here; the main loop sees the byte.
  [[maybe_unused]] const ssize_t written = ::write(g_signal_pipe[1], &byte, 1);
}

/// Debian's config.json of the login pages is a symlink into /etc that may be a folder (as in
/// glewlwyd 2.7.5-3), so the pages are copied (symlinks followed) and given their own one:
/// Debian's settings, English, and no buttons for outside providers (loopback only).
fs::path prepare_webapp(const fs::path& dir) {
  fs::path webapp = dir / "webapp";
  fs::create_directories(webapp);
  for (const fs::directory_entry& entry : fs::directory_iterator(kShippedWebapp)) {
    if (entry.path().filename() == "config.json") continue;
    fs::copy(entry.path(), webapp / entry.path().filename(), fs::copy_options::recursive);
  }
  json::object config;
  for (const fs::path& candidate : {fs::path(kShippedWebapp) / "config.json",
                                    fs::path(kShippedWebapp) / "config.json" / "config.json"}) {
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) continue;
    boost::system::error_code parse_error;
    const json::value shipped = json::parse(boligflyt::e2e::read_file(candidate), parse_error);
    if (!parse_error && shipped.is_object()) config = shipped.get_object();
    break;
  }
  config["GlewlwydUrl"] = "./";
  config["LoginUrl"] = "login.html";
  config["ProfileUrl"] = "profile.html";
  config["AdminUrl"] = "index.html";
  config["CallbackPage"] = "callback.html";
  json::array languages;
  languages.emplace_back("en");
  config["lang"] = std::move(languages);
  config["providerMainstreamList"] = json::array();
  if (!config.contains("PasswordMinLength")) config["PasswordMinLength"] = 8;
  boligflyt::e2e::write_file(webapp / "config.json", json::serialize(config));
  return webapp;
}

std::vector<ProviderUser> parse_users(const std::string& text) {
  std::vector<ProviderUser> users;
  const json::value parsed = json::parse(text);
  for (const json::value& item : parsed.as_array()) {
    ProviderUser user;
    user.username = std::string(item.at("username").as_string());
    user.password = std::string(item.at("password").as_string());
    user.name = std::string(item.at("name").as_string());
    for (const json::value& group : item.at("groups").as_array())
      user.groups.emplace_back(group.as_string());
    users.push_back(std::move(user));
  }
  return users;
}

void say(const std::string& line) {
  std::cout << line << std::endl;  // flushed: the caller waits for each line
}

std::string handle(GlewlwydProvider& provider, const std::string& line) {
  const std::string command = "redirect_uri ";
  if (line.starts_with(command)) {
    provider.set_redirect_uri(line.substr(command.size()));
    return "ok";
  }
  return "error unknown command";
}

/// Reads commands until stdin ends or a signal arrives.
void serve(GlewlwydProvider& provider) {
  std::string buffer;
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n')) {
      const std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 1);
      try {
        say(handle(provider, line));
      } catch (const std::exception& e) {
        say(std::string("error ") + e.what());
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string users_json = "[]";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--dir") dir = argv[i + 1];
    if (key == "--users") users_json = argv[i + 1];
  }
  if (dir.empty()) {
    say(json::serialize(json::object{{"error", "usage: --dir DIR [--users JSON]"}}));
    return 1;
  }
  // Should the test runner die, so does this, and with it glewlwyd (the destructor).
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return 1;
  for (const int signal_number : {SIGTERM, SIGINT, SIGHUP}) std::signal(signal_number, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  if (const std::string missing = boligflyt::e2e::glewlwyd_missing(); !missing.empty()) {
    say(json::serialize(json::object{{"error", missing}, {"missing", true}}));
    return 1;
  }
  std::unique_ptr<GlewlwydProvider> provider;
  try {
    const std::vector<ProviderUser> users = parse_users(users_json);
    const fs::path webapp = prepare_webapp(dir);
    std::string failure;
    provider = GlewlwydProvider::start(fs::path(dir) / "glewlwyd",
                                       "http://127.0.0.1/auth/oidc/callback", failure, webapp);
    if (!provider) {
      say(json::serialize(json::object{{"error", failure}}));
      return 1;
    }
    for (const ProviderUser& user : users) provider->add_user(user);
  } catch (const std::exception& e) {
    say(json::serialize(json::object{{"error", e.what()}}));
    return 1;
  }
  say(json::serialize(json::object{{"port", provider->port()},
                                   {"issuer", provider->issuer()},
                                   {"audience", GlewlwydProvider::kAudience},
                                   {"client_id", GlewlwydProvider::kClientId},
                                   {"scope", GlewlwydProvider::kScope}}));
  serve(*provider);
  provider.reset();  // SIGTERM to glewlwyd, awaited
  return 0;
}

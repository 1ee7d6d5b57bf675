#include "api/browser_session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "api/api_gateway.h"
#include "log/logger.h"

namespace boligflyt::host {
namespace {

constexpr std::size_t kMaxSessions = 10000;
constexpr std::string_view kSignInPath = "/logg-inn";
constexpr std::string_view kSignOutPath = "/logg-ut";
constexpr std::string_view kSessionPath = "/auth/session";
// The sign-in page has no script at all; its only style sheet is the plugin's.
constexpr std::string_view kSignInPolicy =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; "
    "frame-ancestors 'none'";

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kDigits[b >> 4U];
    out += kDigits[b & 0x0FU];
  }
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

/// Only a path on this site, so the sign-in cannot be used to send people elsewhere.
std::string safe_next(std::string_view next) {
  const bool local = next.size() >= 1 && next.front() == '/' &&
                     (next.size() == 1 || (next[1] != '/' && next[1] != '\\')) &&
                     std::none_of(next.begin(), next.end(), [](char c) {
                       return static_cast<unsigned char>(c) < 0x20 || c == '\\';
                     });
  return local && next.size() < 512 ? std::string(next) : std::string("/");
}

HttpResponse redirect(std::string_view location) {
  HttpResponse response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("Location", std::string(location));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

std::string cookie_value(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    const bool is_cookie =
        key.size() == 6 && std::equal(key.begin(), key.end(), "cookie", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        });
    if (!is_cookie) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      std::string_view pair = rest.substr(0, semicolon);
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name)
        return std::string(pair.substr(equals + 1));
    }
  }
  return {};
}

}  // namespace

std::string form_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string form_value(std::string_view form, std::string_view name) {
  while (!form.empty()) {
    const auto amp = form.find('&');
    const std::string_view pair = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view() : form.substr(amp + 1);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name)
      return equals == std::string_view::npos ? std::string()
                                              : form_decode(pair.substr(equals + 1));
  }
  return {};
}

BrowserSessions::BrowserSessions(std::vector<User> users, std::chrono::seconds idle_lifetime)
    : users_(std::move(users)), idle_lifetime_(idle_lifetime) {}

BrowserSessions::BrowserSessions(const OidcVerifier& oidc, Logger& logger,
                                 std::chrono::seconds idle_lifetime)
    : idle_lifetime_(idle_lifetime), oidc_(std::make_unique<OidcSignIn>(oidc)), logger_(&logger) {}

std::optional<HttpResponse> BrowserSessions::handle_oidc(const HttpRequest& request,
                                                         std::string_view path,
                                                         std::string_view query) {
  if (path == kSignInPath) {
    if (request.method == "GET")
      return oidc_->begin(request, safe_next(form_value(query, "neste")));
    return make_problem(405, "method-not-allowed", "Metoden er ikke tillatt",
                        "Innlogging skjer hos identitetsleverandøren (GET /logg-inn).");
  }
  if (path == kOidcCallbackPath && request.method == "GET") {
    OidcSignIn::Outcome outcome = oidc_->complete(request, query);
    if (outcome.error) {
      logger_->log(LogLevel::kWarn, "sign_in_failed", {{"reason", outcome.log_reason}});
      return std::move(*outcome.error);
    }
    return start_session(std::move(*outcome.principal), safe_next(outcome.next), true);
  }
  return std::nullopt;
}

bool BrowserSessions::cross_site(const HeaderList& headers) {
  if (const std::string* site = find_header(headers, "sec-fetch-site")) {
    if (*site == "cross-site" || *site == "same-site") return true;
  }
  const std::string* origin = find_header(headers, "origin");
  if (origin == nullptr) return false;
  const std::string* host = find_header(headers, "host");
  const auto scheme_end = origin->find("://");
  return host == nullptr || scheme_end == std::string::npos ||
         std::string_view(*origin).substr(scheme_end + 3) != *host;
}

std::optional<std::string> BrowserSessions::session_id(const HeaderList& headers) const {
  std::string id = cookie_value(headers, kSessionCookie);
  if (id.size() != 64) return std::nullopt;
  return id;
}

std::optional<BrowserSession> BrowserSessions::find(const HeaderList& headers) {
  const auto id = session_id(headers);
  if (!id) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(*id);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_used > idle_lifetime_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.session;
}

std::optional<HttpResponse> BrowserSessions::handle(const HttpRequest& request,
                                                    std::string_view path, std::string_view query) {
  if (oidc_ && (path == kSignInPath || path == kOidcCallbackPath)) {
    return handle_oidc(request, path, query);
  }
  if (path == kSignInPath) {
    if (request.method == "POST") return sign_in(request);
    if (request.method == "GET") return sign_in_page(form_value(query, "neste"), {});
    return make_problem(405, "method-not-allowed", "Metoden er ikke tillatt",
                        "Innloggingssiden tar imot GET og POST.");
  }
  if (path == kSignOutPath) {
    if (request.method == "POST") return sign_out(request);
    return make_problem(405, "method-not-allowed", "Metoden er ikke tillatt",
                        "Logg ut med knappen på siden (POST).");
  }
  if (path == kSessionPath && request.method == "GET") return session_json(request);
  return std::nullopt;
}

HttpResponse BrowserSessions::sign_in_page(std::string_view next, std::string_view error) const {
  HttpResponse response;
  response.status = error.empty() ? 200 : 400;
  response.content_type = "text/html; charset=utf-8";
  std::string& out = response.body;
  out =
      "<!doctype html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Logg inn – boligflyt</title>\n<link rel=\"icon\" href=\"data:,\">\n"
      "<link rel=\"stylesheet\" href=\"/assets/app.css\">\n</head>\n<body>\n"
      "<header class=\"topp\"><p class=\"merke\">boligflyt</p></header>\n"
      "<main id=\"innhold\" class=\"innlogging\">\n<h1>Logg inn</h1>\n";
  if (!error.empty()) {
    out += "<div class=\"melding feil\" role=\"alert\">";
    append_html_escaped(out, error);
    out += "</div>\n";
  }
  out +=
      "<p>Dette er utviklingsoppsettet til referanseverten. Velg hvem du vil logge inn som. "
      "I kommunens kvalitetssystem logger du inn som vanlig.</p>\n"
      "<form method=\"post\" action=\"/logg-inn\">\n<input type=\"hidden\" name=\"neste\" "
      "value=\"";
  append_html_escaped(out, safe_next(next));
  out += "\">\n<fieldset>\n<legend>Demobrukere</legend>\n<ul>\n";
  for (const User& user : users_) {
    out += "<li><button type=\"submit\" name=\"bruker\" value=\"";
    append_html_escaped(out, user.id);
    out += "\">";
    append_html_escaped(out, user.display_name);
    out += " (";
    append_html_escaped(out, user.id);
    out += ")</button></li>\n";
  }
  out += "</ul>\n</fieldset>\n</form>\n</main>\n</body>\n</html>\n";
  response.headers.emplace_back("Content-Security-Policy", std::string(kSignInPolicy));
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  return response;
}

HttpResponse BrowserSessions::sign_in(const HttpRequest& request) {
  // A sign-in posted from another site would log the victim in as someone else.
  if (cross_site(request.headers)) {
    return make_problem(403, "cross-site-request", "Forespørselen er avvist",
                        "Innlogging må skje fra innloggingssiden.");
  }
  const std::string user_id = form_value(request.body, "bruker");
  const std::string next = safe_next(form_value(request.body, "neste"));
  const auto user =
      std::find_if(users_.begin(), users_.end(), [&](const User& u) { return u.id == user_id; });
  if (user == users_.end()) return sign_in_page(next, "Velg en av brukerne i listen.");

  return start_session(Principal{user->id, user->display_name, user->units, user->roles}, next,
                       false);
}

HttpResponse BrowserSessions::start_session(Principal principal, const std::string& next,
                                            bool via_page) {
  const std::string id = random_token();
  BrowserSession session{std::move(principal), random_token()};
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_,
                  [&](const auto& entry) { return now - entry.second.last_used > idle_lifetime_; });
    if (sessions_.size() >= kMaxSessions) {
      // Bounded memory: the least recently used session goes first.
      sessions_.erase(std::min_element(
          sessions_.begin(), sessions_.end(),
          [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; }));
    }
    sessions_.emplace(id, Entry{std::move(session), now});
  }
  HttpResponse response = redirect(next);
  if (via_page) {
    // Back from the provider the browser is in a navigation another site started, in which
    // it does not send a SameSite=Strict cookie; a page of our own that moves on starts a
    // navigation from this site, and the new session goes with it.
    response.status = 200;
    response.content_type = "text/html; charset=utf-8";
    response.headers.clear();
    std::string target;
    append_html_escaped(target, next);
    response.body =
        "<!doctype html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"refresh\" content=\"0;url=" +
        target +
        "\">\n<title>Logger inn – boligflyt</title>\n</head>\n<body>\n"
        "<p><a href=\"" +
        target +
        "\">Fortsett til boligflyt</a></p>\n"
        "</body>\n</html>\n";
    response.headers.emplace_back("Content-Security-Policy", std::string(kSignInPolicy));
    response.headers.emplace_back("Cache-Control", "no-store");
  }
  response.headers.emplace_back(
      "Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict");
  return response;
}

HttpResponse BrowserSessions::sign_out(const HttpRequest& request) {
  const auto id = session_id(request.headers);
  const auto session = find(request.headers);
  const std::string* csrf = find_header(request.headers, kCsrfHeader);
  if (!session || csrf == nullptr || !equal_constant_time(*csrf, session->csrf_token) ||
      cross_site(request.headers)) {
    return make_problem(403, "csrf", "Forespørselen er avvist",
                        "Utlogging må skje med knappen på siden.");
  }
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(*id);
  }
  HttpResponse response;
  response.status = 204;
  response.headers.emplace_back(
      "Set-Cookie",
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse BrowserSessions::session_json(const HttpRequest& request) {
  const auto session = find(request.headers);
  if (!session) {
    return make_problem(401, "unauthenticated", "Ikke innlogget",
                        "Ingen nettleserøkt. Logg inn på /logg-inn.");
  }
  HttpResponse response;
  response.content_type = "application/json";
  std::string& out = response.body;
  out = "{\"user_id\":\"";
  append_json_escaped(out, session->principal.user_id);
  out += "\",\"display_name\":\"";
  append_json_escaped(out, session->principal.display_name);
  out += "\",\"csrf_token\":\"" + session->csrf_token + "\"}";
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

/// For the gateway: the CSRF check of a cookie-authenticated write.
bool csrf_token_matches(const HeaderList& headers, const BrowserSession& session) {
  const std::string* csrf = find_header(headers, kCsrfHeader);
  return csrf != nullptr && equal_constant_time(*csrf, session.csrf_token) &&
         !BrowserSessions::cross_site(headers);
}

}  // namespace boligflyt::host

#pragma once
// Browser sign-in for the reference host's development default: a sign-in page that lists
// the demo users, a session cookie (HttpOnly, SameSite=Strict) and a per-session CSRF token
// that pages send in the X-CSRF-Token header with every state-changing request. Bearer
// tokens stay the way for other systems; this only spares people a token.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/oidc_sign_in.h"
#include "boligflyt/host/host_config.h"
#include "boligflyt/host/token_authority.h"
#include "http/http_message.h"
#include "log/logger.h"

namespace boligflyt::host {

inline constexpr std::string_view kSessionCookie = "boligflyt_okt";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct BrowserSession {
  Principal principal;
  std::string csrf_token;
};

class BrowserSessions {
 public:
  /// `users` are offered on the sign-in page; sessions last `idle_lifetime` since last use.
  explicit BrowserSessions(std::vector<User> users,
                           std::chrono::seconds idle_lifetime = std::chrono::hours(8));
  /// Sign-in through the OpenID Connect provider `oidc` (which must outlive this) instead of
  /// a list of users.
  /// Failed sign-ins are logged to `logger` (the reason, never a code or token).
  BrowserSessions(const OidcVerifier& oidc, Logger& logger,
                  std::chrono::seconds idle_lifetime = std::chrono::hours(8));

  /// Handles /logg-inn, /logg-ut and /auth/session; nullopt for every other path.
  std::optional<HttpResponse> handle(const HttpRequest& request, std::string_view path,
                                     std::string_view query);

  /// The session named by the request's cookie, if it is live. Thread-safe.
  std::optional<BrowserSession> find(const HeaderList& headers);

  /// True for a request the browser marks as coming from another site (Origin or
  /// Sec-Fetch-Site), which a state-changing request must never be.
  static bool cross_site(const HeaderList& headers);

 private:
  struct Entry {
    BrowserSession session;
    std::chrono::steady_clock::time_point last_used;
  };
  HttpResponse sign_in_page(std::string_view next, std::string_view error) const;
  HttpResponse sign_in(const HttpRequest& request);
  HttpResponse start_session(Principal principal, const std::string& next, bool via_page);
  std::optional<HttpResponse> handle_oidc(const HttpRequest& request, std::string_view path,
                                          std::string_view query);
  HttpResponse sign_out(const HttpRequest& request);
  HttpResponse session_json(const HttpRequest& request);
  std::optional<std::string> session_id(const HeaderList& headers) const;

  std::vector<User> users_;
  std::chrono::seconds idle_lifetime_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> sessions_;
  std::unique_ptr<OidcSignIn> oidc_;
  Logger* logger_ = nullptr;
};

/// The CSRF check of a cookie-authenticated write: the session's token in X-CSRF-Token, and
/// not a cross-site request.
bool csrf_token_matches(const HeaderList& headers, const BrowserSession& session);

/// Percent-decodes an application/x-www-form-urlencoded value ('+' is a space).
std::string form_decode(std::string_view text);
/// The value of `name` in a query string or form body; empty when absent.
std::string form_value(std::string_view form, std::string_view name);

}  // namespace boligflyt::host

#include "api/oidc_sign_in.h"

#include <Poco/Base64Encoder.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/json.hpp>
#include <sstream>
#include <stdexcept>

#include "api/api_gateway.h"
#include "api/browser_session.h"
#include "boligflyt/host/http_fetch.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

// A sign-in not finished within this is forgotten; the pending map never holds more.
constexpr auto kPendingLifetime = std::chrono::minutes(10);
constexpr std::size_t kMaxPending = 10000;

// PKCE and the state want base64url without padding (RFC 7636 appendix A).
std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  encoder.close();
  return out.str();
}

std::string random_base64url(std::size_t bytes) {
  unsigned char buffer[64];
  if (bytes > sizeof buffer || RAND_bytes(buffer, static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return base64url(buffer, bytes);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 15U]);
    }
  }
  return out;
}

HttpResponse sign_in_failed(unsigned status, std::string_view detail) {
  return make_problem(status, "sign-in-failed", "Innloggingen mislyktes", detail);
}

}  // namespace

std::string OidcSignIn::redirect_uri(const HttpRequest& request) const {
  if (!verifier_.config().redirect_uri.empty()) return verifier_.config().redirect_uri;
  const std::string* host = find_header(request.headers, "host");
  // The provider compares the redirect_uri with the registered one, so a forged Host header
  // gets nowhere; this only keeps odd characters out of the URL we build.
  const bool plain =
      host != nullptr && !host->empty() && std::all_of(host->begin(), host->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
               c == ':' || c == '[' || c == ']';
      });
  return "http://" + (plain ? *host : std::string("127.0.0.1")) + std::string(kOidcCallbackPath);
}

HttpResponse OidcSignIn::begin(const HttpRequest& request, const std::string& next) {
  const OidcConfig& config = verifier_.config();
  Pending pending;
  pending.code_verifier = random_base64url(48);
  pending.redirect_uri = redirect_uri(request);
  pending.next = next;
  pending.started = std::chrono::steady_clock::now();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(pending.code_verifier.data()),
         pending.code_verifier.size(), digest);
  const std::string challenge = base64url(digest, sizeof digest);
  const std::string state = random_base64url(24);
  std::string scopes;
  for (const std::string& scope : config.scopes) scopes += (scopes.empty() ? "" : " ") + scope;

  std::string location = verifier_.metadata().authorization_endpoint;
  location += location.find('?') == std::string::npos ? '?' : '&';
  location += "response_type=code&client_id=" + url_encode(config.client_id) +
              "&redirect_uri=" + url_encode(pending.redirect_uri) + "&scope=" + url_encode(scopes) +
              "&state=" + state + "&nonce=" + random_base64url(24) +
              "&code_challenge=" + challenge +
              "&code_challenge_method=S256&resource=" + url_encode(config.audience);
  {
    const std::lock_guard lock(mutex_);
    std::erase_if(pending_, [&](const auto& entry) {
      return pending.started - entry.second.started > kPendingLifetime;
    });
    if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());
    pending_.emplace(state, std::move(pending));
  }
  HttpResponse response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("Location", location);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

OidcSignIn::Outcome OidcSignIn::complete(const HttpRequest& request, std::string_view query) {
  (void)request;
  Outcome outcome;
  const std::string state = form_value(query, "state");
  Pending pending;
  {
    const std::lock_guard lock(mutex_);
    const auto it = pending_.find(state);
    if (state.empty() || it == pending_.end() ||
        std::chrono::steady_clock::now() - it->second.started > kPendingLifetime) {
      if (it != pending_.end()) pending_.erase(it);
      outcome.error = sign_in_failed(400, "Innloggingen er utløpt eller ukjent. Prøv på nytt.");
      outcome.log_reason = "unknown or expired state";
      return outcome;
    }
    pending = std::move(it->second);
    pending_.erase(it);
  }
  outcome.next = pending.next;
  const std::string code = form_value(query, "code");
  if (code.empty()) {
    outcome.error = sign_in_failed(401, "Identitetsleverandøren logget deg ikke inn.");
    outcome.log_reason = "provider error: " + form_value(query, "error").substr(0, 64);
    return outcome;
  }
  const OidcConfig& config = verifier_.config();
  const std::string form = "grant_type=authorization_code&code=" + url_encode(code) +
                           "&redirect_uri=" + url_encode(pending.redirect_uri) +
                           "&client_id=" + url_encode(config.client_id) +
                           "&code_verifier=" + pending.code_verifier +
                           "&resource=" + url_encode(config.audience);
  const FetchResult token =
      http_post_form(verifier_.metadata().token_endpoint, form, config.fetch_timeout);
  std::string access_token;
  if (token.status == 200) {
    boost::system::error_code ec;
    const json::value body = json::parse(token.body, ec);
    const json::value* at =
        !ec && body.is_object() ? body.get_object().if_contains("access_token") : nullptr;
    if (at != nullptr && at->is_string()) access_token = std::string(at->get_string());
  }
  if (access_token.empty()) {
    outcome.error = sign_in_failed(502, "Identitetsleverandøren svarte ikke som ventet.");
    outcome.log_reason =
        "token endpoint: " + (token.status == 0 ? token.error : std::to_string(token.status));
    return outcome;
  }
  TokenCheck check = verifier_.verify(access_token);
  if (!check.principal) {
    outcome.error = sign_in_failed(403, "Du har ikke tilgang til boligflyt.");
    outcome.log_reason = "access token refused: " + check.failure;
    return outcome;
  }
  outcome.principal = std::move(check.principal);
  return outcome;
}

}  // namespace boligflyt::host

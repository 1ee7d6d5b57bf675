#include "http/front_door.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "api/api_gateway.h"

namespace boligflyt::host {
namespace {

// A cross-origin caller authenticates with a bearer token, never with our cookie, so no
// Access-Control-Allow-Credentials: a foreign page cannot act with a signed-in browser.
constexpr std::string_view kAllowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
constexpr std::string_view kAllowedHeaders =
    "Authorization, Content-Type, Accept, If-Match, If-None-Match, Idempotency-Key, "
    "X-Request-Id";
constexpr std::string_view kExposedHeaders = "ETag, Location, Retry-After, X-Request-Id";
constexpr std::string_view kPreflightMaxAgeSeconds = "600";
constexpr std::string_view kHstsValue = "max-age=31536000; includeSubDomains";

void set_if_absent(HttpResponse& response, std::string_view name, std::string_view value) {
  if (find_header(response.headers, name) == nullptr) response.headers.emplace_back(name, value);
}

std::string sha256_base64(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  // 4 * ceil(32 / 3) = 44 characters and a terminating NUL.
  std::array<unsigned char, 45> encoded{};
  const int length = EVP_EncodeBlock(encoded.data(), digest.data(), SHA256_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(length)};
}

}  // namespace

std::string content_security_policy_for(const HttpResponse& response) {
  std::string policy(kDefaultContentSecurityPolicy);
  if (!response.content_type.starts_with("text/html")) return policy;
  std::string hashes;
  constexpr std::string_view kOpen = "<style>";
  constexpr std::string_view kClose = "</style>";
  const std::string_view body = response.body;
  for (std::size_t at = body.find(kOpen); at != std::string_view::npos;
       at = body.find(kOpen, at + 1)) {
    const std::size_t start = at + kOpen.size();
    const std::size_t end = body.find(kClose, start);
    if (end == std::string_view::npos) break;
    hashes += " 'sha256-" + sha256_base64(body.substr(start, end - start)) + "'";
  }
  if (hashes.empty()) return policy;
  const std::string style = "style-src 'self'";
  policy.insert(policy.find(style) + style.size(), hashes);
  return policy;
}

FrontDoor::FrontDoor(RequestHandler& inner, FrontDoorOptions options)
    : inner_(inner), options_(std::move(options)) {}

bool FrontDoor::origin_allowed(const std::string* origin) const {
  return origin != nullptr &&
         std::find(options_.cors_allowed_origins.begin(), options_.cors_allowed_origins.end(),
                   *origin) != options_.cors_allowed_origins.end();
}

HttpResponse FrontDoor::handle(HttpRequest request) {
  const std::string* origin_header = find_header(request.headers, "origin");
  const std::string origin = origin_header != nullptr ? *origin_header : std::string();
  const bool allowed = origin_allowed(origin_header);
  HttpResponse response;
  if (request.method == "OPTIONS" && origin_header != nullptr &&
      find_header(request.headers, "access-control-request-method") != nullptr) {
    if (allowed) {
      response.status = 204;
      response.headers.emplace_back("Access-Control-Allow-Methods", kAllowedMethods);
      response.headers.emplace_back("Access-Control-Allow-Headers", kAllowedHeaders);
      response.headers.emplace_back("Access-Control-Max-Age", kPreflightMaxAgeSeconds);
    } else {
      // Without Access-Control-Allow-Origin the browser refuses the real request.
      response = make_problem(403, "cors-origin-refused", "Opphavet har ikke tilgang",
                              "Nettstedet forespørselen kommer fra (Origin) har ikke tilgang til "
                              "API-et. Kommunen kan legge det til i http.cors_allowed_origins.");
    }
  } else {
    response = inner_.handle(std::move(request));
  }
  if (allowed) {
    response.headers.emplace_back("Access-Control-Allow-Origin", origin);
    response.headers.emplace_back("Access-Control-Expose-Headers", kExposedHeaders);
  }
  // Caches must not hand one origin's answer to another.
  if (!options_.cors_allowed_origins.empty()) set_if_absent(response, "Vary", "Origin");
  add_security_headers(response);
  return response;
}

HttpResponse FrontDoor::reject(TransportRejection why) {
  HttpResponse response = inner_.reject(why);
  add_security_headers(response);
  return response;
}

void FrontDoor::add_security_headers(HttpResponse& response) const {
  // The plugin's pages bring their own policy; everything else gets the default.
  if (find_header(response.headers, "content-security-policy") == nullptr) {
    response.headers.emplace_back("Content-Security-Policy", content_security_policy_for(response));
  }
  set_if_absent(response, "X-Content-Type-Options", "nosniff");
  set_if_absent(response, "Referrer-Policy", "same-origin");
  set_if_absent(response, "X-Frame-Options", "DENY");
  if (options_.tls) set_if_absent(response, "Strict-Transport-Security", kHstsValue);
}

}  // namespace boligflyt::host

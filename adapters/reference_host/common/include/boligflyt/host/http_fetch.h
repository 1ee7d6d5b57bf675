#pragma once
/// A small HTTP(S) GET for the host's own outgoing requests (OpenID Connect discovery and
/// JWKS). Boost.Beast stays inside http_fetch.cpp.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace boligflyt::host {

struct FetchResult {
  unsigned status = 0;  ///< 0 when no response arrived; `error` says why
  std::string body;
  std::string error;  ///< for the log; never holds credentials
};

/// GETs `url` (`http://` or `https://`, certificate and host name checked against the
/// system's trust store). Follows no redirects; the whole exchange must finish within
/// `timeout`, and a body above `max_body` bytes is an error. Never throws.
FetchResult http_get(std::string_view url, std::chrono::milliseconds timeout,
                     std::size_t max_body = 1024 * 1024);

/// POSTs an application/x-www-form-urlencoded `form` (an OAuth token request) to `url`, with
/// the same rules as http_get. Never throws.
FetchResult http_post_form(std::string_view url, std::string_view form,
                           std::chrono::milliseconds timeout, std::size_t max_body = 1024 * 1024);

}  // namespace boligflyt::host

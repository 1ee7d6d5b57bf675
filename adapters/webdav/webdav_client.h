#pragma once
// One HTTP exchange with the WebDAV server (Boost.Beast; TLS through Boost.Asio SSL when the
// URL is https, the certificate checked against the host name). A fresh connection per
// request, every step bounded by the configured timeout. Blocks; the outbox thread calls it.

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "webdav/webdav_settings.h"

namespace boligflyt::adapters {

struct DavRequest {
  std::string method;  // MKCOL, PUT, GET, PROPFIND
  std::string target;  // the percent-encoded path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct DavReply {
  unsigned status = 0;
  std::string body;
};

/// The server's reply, whatever its status; an error only when there is none (cannot
/// connect, TLS refused, timed out). The credentials go in the Authorization header and
/// nowhere else: never into an error text.
Result<DavReply> send_dav_request(const WebDavSettings& settings, const DavRequest& request);

}  // namespace boligflyt::adapters

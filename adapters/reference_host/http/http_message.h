#pragma once
// Plain HTTP messages: what the transport hands to a handler and gets back. Nothing here
// knows of sockets or Beast, so handlers can be tested and reasoned about on their own.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boligflyt::host {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  ///< path and query as received
  HeaderList headers;
  std::string body;
  /// The client's IP address as the transport saw it (no port), for per-address limits.
  std::string remote_address;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type;
  HeaderList headers;  ///< extra headers; the transport sets Content-Length and Connection
  std::string body;
};

/// Requests the transport refuses before a handler sees them.
enum class TransportRejection { kBodyTooLarge, kHeaderTooLarge, kMalformed };

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// Called from many threads at once.
  virtual HttpResponse handle(HttpRequest request) = 0;
  /// The response for a request the transport refused; the connection closes afterwards.
  virtual HttpResponse reject(TransportRejection why) = 0;
};

/// Case-insensitive header lookup; nullptr when absent.
const std::string* find_header(const HeaderList& headers, std::string_view name);

}  // namespace boligflyt::host

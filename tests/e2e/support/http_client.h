#pragma once
// A small HTTP/1.1 client over a real loopback TCP connection (Boost.Beast inside the .cpp
// only). Every operation has a timeout, so a hung server fails the test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boligflyt::e2e {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  unsigned status = 0;  ///< 0 when no response arrived; see `error`
  Headers headers;
  std::string body;
  bool keep_alive = false;
  std::string error;

  /// Case-insensitive; empty when absent.
  std::string header(const std::string& name) const;
};

class HttpConnection {
 public:
  /// Connects to 127.0.0.1:port. Throws std::runtime_error when it cannot.
  explicit HttpConnection(uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpResult request(const std::string& method, const std::string& target,
                     const Headers& headers = {}, const std::string& body = {});
  /// Sends bytes as they are (for malformed or partial requests), then reads one response.
  HttpResult raw_exchange(const std::string& bytes);
  /// The client's port: the same value for two requests proves one connection was reused.
  uint16_t local_port() const;
  /// True when the server closed the connection (EOF) before the deadline.
  bool wait_for_close(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One request on a fresh connection.
HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const Headers& headers = {}, const std::string& body = {});

inline Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// JSON look-ups for assertions (Boost.JSON stays in one translation unit).
/// The value at a JSON pointer ("/user_id") as text: strings without quotes, other values
/// serialised; nullopt when the body is not JSON or the pointer finds nothing.
std::optional<std::string> json_at(const std::string& body, const std::string& pointer);
/// Number of elements of the array at `pointer`; nullopt when it is not an array.
std::optional<std::size_t> json_array_size(const std::string& body, const std::string& pointer);
/// `document` with the member at `path` (object keys, created as needed) set to `value_json`.
std::string json_set(const std::string& document, const std::vector<std::string>& path,
                     const std::string& value_json);
/// A JSON string literal for `text`.
std::string json_quote(const std::string& text);

}  // namespace boligflyt::e2e

#pragma once
// The HTTP/1.1 transport of the reference host (Boost.Beast, asynchronous, a small thread
// pool). It only moves bytes: every complete request goes to a RequestHandler. Beast stays
// inside http_server.cpp so that the rest of the host compiles quickly.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/http_message.h"
#include "log/logger.h"

namespace boligflyt::host {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  unsigned threads = 4;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 8 * 1024 * 1024;
  /// A client gets this long to send each request (and to read each response).
  std::chrono::seconds io_timeout{30};
  /// After SIGINT/SIGTERM, requests in progress get this long to finish.
  std::chrono::seconds drain_timeout{10};
  /// From waiting for a request until its header is complete (slow or idle clients).
  std::chrono::seconds header_timeout{20};
  /// Simultaneous connections from one client address; 0 is no limit. A connection over
  /// the limit is closed at once, without a response.
  unsigned max_connections_per_address = 0;
  /// HTTPS when both are set: a PEM certificate chain and its PEM private key, which only
  /// the host's user may read.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
};

class HttpServer {
 public:
  /// Binds and listens. Throws std::runtime_error with a Norwegian message.
  HttpServer(const ServerOptions& options, RequestHandler& handler, Logger& logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The bound address, with the real port when port 0 was asked for.
  std::string local_address() const;
  uint16_t local_port() const;

  /// Serves until SIGINT/SIGTERM or stop(): then stops accepting, closes idle connections,
  /// lets requests in progress finish (up to drain_timeout) and returns. A second signal
  /// stops at once.
  void run();

  /// Starts the same graceful stop as a signal. Thread-safe.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Throws std::runtime_error (Norwegian) when the private key file cannot be read or its
/// group or others may read it.
void refuse_readable_private_key(const std::string& path);

/// Splits "ADDR:PORT" or "[IPv6]:PORT". Throws std::invalid_argument (Norwegian message).
std::pair<std::string, uint16_t> parse_listen_address(const std::string& text);

}  // namespace boligflyt::host

#include "http/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <csignal>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace boligflyt::host {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// After refusing a request we still read (and discard) what the client is sending, for at
// most this long and this much: closing with unread data makes the kernel send RST, and
// the client would then often lose our 413 before it reads it (lingering close, as nginx).
constexpr std::chrono::seconds kLingerTimeout{5};
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// What the tracker needs of a session, whether it speaks plain HTTP or HTTPS.
class SessionBase {
 public:
  SessionBase() = default;
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;
  virtual ~SessionBase() = default;
  virtual void stop() = 0;
};

// Knows every live connection so that a graceful stop can close the idle ones and tell the
// server when the last one is gone.
class ConnectionTracker {
 public:
  enum class Admission { kAdmitted, kStopping, kTooManyFromAddress };
  /// `limit` is the most connections one address may hold at once; 0 is no limit.
  Admission add(const std::shared_ptr<SessionBase>& session, const std::string& address,
                unsigned limit);
  void remove(const SessionBase* session);
  void stop_all();
  void set_on_drained(std::function<void()> callback) {
    std::lock_guard lock(mutex_);
    on_drained_ = std::move(callback);
  }

 private:
  std::mutex mutex_;
  struct Entry {
    std::weak_ptr<SessionBase> session;
    std::string address;
  };
  std::unordered_map<const SessionBase*, Entry> sessions_;
  std::unordered_map<std::string, unsigned> per_address_;
  bool stopping_ = false;
  std::function<void()> on_drained_;
};

struct SessionContext {
  const ServerOptions& options;
  RequestHandler& handler;
  Logger& logger;
  ConnectionTracker& tracker;
  /// Set when the host serves HTTPS.
  net::ssl::context* tls = nullptr;
};

// Reports a failed asynchronous operation in one place. The expected ones (the peer went
// away, our own timer or stop closed the socket) are not worth more than a debug line.
void report(Logger& logger, beast::error_code ec, std::string_view what) {
  const bool expected = ec == net::error::operation_aborted || ec == beast::error::timeout ||
                        ec == net::error::eof || ec == net::error::connection_reset ||
                        ec == net::error::broken_pipe || ec == http::error::end_of_stream;
  logger.log(expected ? LogLevel::kDebug : LogLevel::kWarn, "http_io_error",
             {{"operation", what}, {"error", ec.message()}});
}

http::response<http::string_body> to_beast(HttpResponse&& response, unsigned version, bool head,
                                           bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "boligflyt-host");
  if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) res.insert(name, value);
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (head) {
    // HEAD: the length of the body GET would have sent, and no body.
    res.content_length(response.body.size());
  } else {
    if (!bodiless) res.body() = std::move(response.body);
    res.prepare_payload();
  }
  res.keep_alive(keep_alive);
  return res;
}

// Stream is beast::tcp_stream (HTTP) or beast::ssl_stream<beast::tcp_stream> (HTTPS).
template <class Stream>
class HttpSession final : public SessionBase,
                          public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  HttpSession(std::string remote_address, SessionContext context, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        remote_address_(std::move(remote_address)),
        context_(context) {}

  ~HttpSession() override { context_.tracker.remove(this); }

  void run() {
    // The socket's executor is a strand; start there so that no two handlers of this
    // session ever run at once.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::start, this->shared_from_this()));
  }

  // Thread-safe: hops onto the session's strand.
  void stop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->on_stop(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void start() {
    if constexpr (kTls) {
      // The handshake counts against the header deadline: a client that never finishes it
      // is as slow as one that never finishes its header.
      lowest().expires_after(context_.options.header_timeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      // Plain HTTP to the HTTPS port, old protocol versions, scanners: not worth a warning.
      context_.logger.log(LogLevel::kDebug, "tls_handshake_failed", {{"error", ec.message()}});
      return;
    }
    do_read();
  }

  enum class Phase { kReadingHeader, kReadingBody, kWriting, kClosing };

  void on_stop() {
    stopping_ = true;
    // A connection that waits for its next request is idle and can go now; one that is
    // receiving, being handled or answered finishes first (do_read/on_write check stopping_).
    if (phase_ == Phase::kReadingHeader && parser_ && !parser_->got_some()) lowest().cancel();
  }

  void do_read() {
    if (stopping_) return do_close();
    phase_ = Phase::kReadingHeader;
    // A fresh parser per request: Beast parsers cannot be reused.
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_.options.header_limit));
    parser_->body_limit(context_.options.body_limit);
    // One deadline for the whole header, not per read: a client that trickles one byte a
    // second would otherwise hold the connection for ever.
    lowest().expires_after(context_.options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&HttpSession::on_read_header, this->shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    phase_ = Phase::kReadingBody;
    lowest().expires_after(context_.options.io_timeout);
    const auto& req = parser_->get();
    if (iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      // The client waits for our go-ahead before it sends a large body (curl does this).
      continue_.emplace(http::status::continue_, req.version());
      http::async_write(
          stream_, *continue_,
          beast::bind_front_handler(&HttpSession::on_continue_sent, this->shared_from_this()));
      return;
    }
    do_read_body();
  }

  void on_continue_sent(beast::error_code ec, std::size_t) {
    if (ec) {
      report(context_.logger, ec, "write_100_continue");
      return;
    }
    do_read_body();
  }

  void do_read_body() {
    if (parser_->is_done()) return on_read(beast::error_code{}, 0);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);

    http::request<http::string_body> req = parser_->release();
    const bool head = req.method() == http::verb::head;
    const bool keep_alive = req.keep_alive() && !stopping_;
    const unsigned version = req.version();

    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.headers.reserve(16);
    for (const auto& field : req) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote_address = remote_address_;

    HttpResponse response = context_.handler.handle(std::move(request));
    send(to_beast(std::move(response), version, head, keep_alive), keep_alive, false);
  }

  void on_read_error(beast::error_code ec) {
    // The client closed between requests: the normal end of a keep-alive connection.
    if (ec == http::error::end_of_stream) return do_close();
    if (ec == http::error::body_limit) return reject(TransportRejection::kBodyTooLarge);
    if (ec == http::error::header_limit) return reject(TransportRejection::kHeaderTooLarge);
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::partial_message) {
      return reject(TransportRejection::kMalformed);
    }
    // Timeouts, resets and our own cancel during stop end the connection silently.
    report(context_.logger, ec, "read");
  }

  void reject(TransportRejection why) {
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    send(to_beast(context_.handler.reject(why), version, false, false), false, true);
  }

  void send(http::response<http::string_body>&& res, bool keep_alive, bool linger) {
    phase_ = Phase::kWriting;
    lowest().expires_after(context_.options.io_timeout);
    // http::async_write hands header and body to one sendmsg (message_generator stops at
    // 12 buffers, which the front door's security headers exceed, and then writes twice).
    response_ = std::move(res);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(),
                                                keep_alive, linger));
  }

  void on_write(bool keep_alive, bool linger, beast::error_code ec, std::size_t) {
    if (ec) {
      report(context_.logger, ec, "write");
      return;
    }
    if (linger) return do_linger();
    if (!keep_alive || stopping_) return do_close();
    do_read();
  }

  void do_linger() {
    // Over TLS the unread rest cannot be drained as plain bytes: close properly instead.
    if constexpr (kTls) return do_close();
    phase_ = Phase::kClosing;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    do_drain();
  }

  void do_drain() {
    lowest().expires_after(kLingerTimeout);
    stream_.async_read_some(
        net::buffer(drain_buffer_),
        beast::bind_front_handler(&HttpSession::on_drain, this->shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t bytes) {
    lingered_bytes_ += bytes;
    // EOF is the good end: the client has read our answer and closed.
    if (ec || lingered_bytes_ > kMaxLingerBytes) return;
    do_drain();
  }

  void do_close() {
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
      // TLS close_notify first, so that the client can tell our end from a truncation.
      lowest().expires_after(kLingerTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
      return;
    }
    // Send a TCP FIN; the socket closes when the last handler lets go of this session.
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Stream stream_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::array<char, 16 * 1024> drain_buffer_{};
  std::size_t lingered_bytes_ = 0;
  SessionContext context_;
  Phase phase_ = Phase::kReadingHeader;
  bool stopping_ = false;
};

ConnectionTracker::Admission ConnectionTracker::add(const std::shared_ptr<SessionBase>& session,
                                                    const std::string& address, unsigned limit) {
  std::lock_guard lock(mutex_);
  if (stopping_) return Admission::kStopping;
  unsigned& count = per_address_[address];
  if (limit != 0 && count >= limit) {
    if (count == 0) per_address_.erase(address);
    return Admission::kTooManyFromAddress;
  }
  ++count;
  sessions_.emplace(session.get(), Entry{session, address});
  return Admission::kAdmitted;
}

void ConnectionTracker::remove(const SessionBase* session) {
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(session); it != sessions_.end()) {
      if (auto count = per_address_.find(it->second.address);
          count != per_address_.end() && --count->second == 0) {
        per_address_.erase(count);
      }
      sessions_.erase(it);
    }
    if (stopping_ && sessions_.empty()) drained = on_drained_;
  }
  if (drained) drained();
}

void ConnectionTracker::stop_all() {
  std::vector<std::shared_ptr<SessionBase>> live;
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [key, entry] : sessions_) {
      if (auto session = entry.session.lock()) live.push_back(std::move(session));
    }
    if (sessions_.empty()) drained = on_drained_;
  }
  // Outside the lock: dropping the last reference runs ~HttpSession, which calls remove().
  for (auto& session : live) session->stop();
  live.clear();
  if (drained) drained();
}

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, SessionContext context)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), context_(context) {
    const std::string where =
        endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("Kan ikke lytte på " + where + ": " + ec.message());
  }

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  void run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    // Each connection gets its own strand.
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    // Happens when stop() closed the acceptor.
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      report(context_.logger, ec, "accept");
    } else {
      // Any response written in more than one piece (a large body, 100 Continue) must not
      // wait for the client's delayed ACK: with Nagle that is 40 ms per request.
      beast::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      beast::error_code peer_ec;
      const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
      std::string address = peer_ec ? std::string() : peer.address().to_string();
      const auto admission =
          context_.tls != nullptr
              ? admit(std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
                          address, context_, std::move(socket), *context_.tls),
                      address)
              : admit(std::make_shared<HttpSession<beast::tcp_stream>>(address, context_,
                                                                       std::move(socket)),
                      address);
      if (admission == ConnectionTracker::Admission::kTooManyFromAddress) {
        // Dropping the session closed the socket at once: one address must not use up the
        // descriptors and threads that everyone else needs.
        context_.logger.log(LogLevel::kWarn, "connection_refused",
                            {{"reason", "too_many_from_address"}, {"address", address}});
      }
    }
    do_accept();
  }

  template <class Session>
  ConnectionTracker::Admission admit(const std::shared_ptr<Session>& session,
                                     const std::string& address) {
    const auto admission =
        context_.tracker.add(session, address, context_.options.max_connections_per_address);
    if (admission == ConnectionTracker::Admission::kAdmitted) session->run();
    return admission;
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  SessionContext context_;
};

// TLS 1.2 and newer only, with the certificate and key the municipality configured.
void load_tls(net::ssl::context& context, const ServerOptions& options) {
  refuse_readable_private_key(options.tls_private_key_file);
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  beast::error_code ec;
  context.use_certificate_chain_file(options.tls_certificate_file, ec);
  if (ec) {
    throw std::runtime_error("Kan ikke bruke TLS-sertifikatet " + options.tls_certificate_file +
                             ": " + ec.message());
  }
  context.use_private_key_file(options.tls_private_key_file, net::ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("Kan ikke bruke den private TLS-nøkkelen " +
                             options.tls_private_key_file + ": " + ec.message());
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerOptions& opts, RequestHandler& handler, Logger& log)
      : options(opts),
        logger(log),
        ioc(static_cast<int>(opts.threads)),
        control(net::make_strand(ioc)),
        signals(ioc, SIGINT, SIGTERM),
        drain_timer(control),
        context{options, handler, logger, tracker} {}

  ~Impl() {
    // Sessions still queued in the io_context are destroyed with it; they must not call
    // back into a half-destroyed server.
    tracker.set_on_drained(nullptr);
  }

  void wait_for_signal() {
    signals.async_wait([this](beast::error_code ec, int signal_number) {
      if (ec) return;
      logger.log(LogLevel::kInfo, "signal_received", {{"signal", std::to_string(signal_number)}});
      net::dispatch(control, [this] { begin_shutdown(); });
      wait_for_signal();
    });
  }

  // Runs on the control strand only.
  void begin_shutdown() {
    if (stopping) {
      // A second request to stop: the operator does not want to wait.
      ioc.stop();
      return;
    }
    stopping = true;
    listener->stop();
    drain_timer.expires_after(options.drain_timeout);
    drain_timer.async_wait([this](beast::error_code ec) {
      if (ec) return;
      logger.log(LogLevel::kWarn, "shutdown_drain_timeout");
      ioc.stop();
    });
    tracker.set_on_drained([this] { ioc.stop(); });
    tracker.stop_all();
  }

  ServerOptions options;
  Logger& logger;
  // Declared before the io_context: handlers destroyed with it still deregister here.
  ConnectionTracker tracker;
  net::io_context ioc;
  net::strand<net::io_context::executor_type> control;
  net::signal_set signals;
  net::steady_timer drain_timer;
  SessionContext context;
  std::shared_ptr<Listener> listener;
  bool stopping = false;
  std::optional<net::ssl::context> tls_context;
};

HttpServer::HttpServer(const ServerOptions& options, RequestHandler& handler, Logger& logger)
    : impl_(std::make_unique<Impl>(options, handler, logger)) {
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec)
    throw std::runtime_error("Ugyldig lytteadresse «" + options.address + "»: bruk en IP-adresse.");
  if (!options.tls_certificate_file.empty()) {
    impl_->tls_context.emplace(net::ssl::context::tls_server);
    load_tls(*impl_->tls_context, options);
    impl_->context.tls = &*impl_->tls_context;
  }
  impl_->listener =
      std::make_shared<Listener>(impl_->ioc, tcp::endpoint(address, options.port), impl_->context);
}

HttpServer::~HttpServer() = default;

std::string HttpServer::local_address() const {
  const tcp::endpoint endpoint = impl_->listener->local_endpoint();
  return endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                    : endpoint.address().to_string();
}

uint16_t HttpServer::local_port() const { return impl_->listener->local_endpoint().port(); }

void HttpServer::run() {
  impl_->wait_for_signal();
  impl_->listener->run();
  auto run_loop = [this] {
    // A handler that throws must not take the whole host down with std::terminate.
    for (;;) {
      try {
        impl_->ioc.run();
        return;
      } catch (const std::exception& e) {
        impl_->logger.log(LogLevel::kError, "handler_exception", {{"error", e.what()}});
      }
    }
  };
  std::vector<std::thread> threads;
  const unsigned extra = impl_->options.threads > 1 ? impl_->options.threads - 1 : 0;
  threads.reserve(extra);
  for (unsigned i = 0; i < extra; ++i) threads.emplace_back(run_loop);
  run_loop();
  for (auto& thread : threads) thread.join();
}

void HttpServer::stop() {
  net::dispatch(impl_->control, [impl = impl_.get()] { impl->begin_shutdown(); });
}

}  // namespace boligflyt::host

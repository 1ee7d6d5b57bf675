#include "load_generator.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

namespace boligflyt::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxFailureSamples = 5;
constexpr std::size_t kSampleBodyChars = 300;

/// What all connections share: the clock marks, the counters (under a mutex: with one I/O
/// thread it is never contended) and the drain guard.
class Run {
 public:
  Run(const LoadOptions& options, net::io_context& ioc)
      : options_(options),
        ioc_(ioc),
        endpoint_(net::ip::make_address("127.0.0.1"), options.port),
        drain_strand_(net::make_strand(ioc)),
        drain_timer_(drain_strand_) {}

  void start() {
    const auto t0 = Clock::now();
    warmup_end_ = t0 + options_.warmup;
    end_ = warmup_end_ + options_.duration;
    result_.window_seconds = std::chrono::duration<double>(options_.duration).count();
    active_ = options_.connections;
    // If requests are still in flight this long after the window, give up on them.
    drain_timer_.expires_at(end_ + options_.drain_timeout);
    drain_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;  // cancelled: every connection finished
      std::lock_guard lock(mutex_);
      result_.drained = false;
      ioc_.stop();
    });
  }

  const LoadOptions& options() const { return options_; }
  net::io_context& ioc() { return ioc_; }
  const tcp::endpoint& endpoint() const { return endpoint_; }
  bool over() const { return Clock::now() >= end_; }
  std::uint64_t next_sequence() { return sequence_.fetch_add(1, std::memory_order_relaxed); }

  void record_response(Clock::time_point started, Clock::time_point finished, unsigned status,
                       const std::string& body) {
    const bool success = status == options_.success_status;
    std::lock_guard lock(mutex_);
    if (finished < warmup_end_) {
      ++(success ? result_.warmup_successes : result_.warmup_failures);
    } else if (finished <= end_) {
      if (success) {
        ++result_.successes;
        result_.success_latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(finished - started).count());
      } else {
        ++result_.failures;
        ++result_.failures_by_status[status];
      }
    } else {
      ++(success ? result_.late_successes : result_.late_failures);
    }
    if (!success && result_.failure_samples.size() < kMaxFailureSamples) {
      std::string sample = "HTTP " + std::to_string(status) + ": " +
                           body.substr(0, std::min(body.size(), kSampleBodyChars));
      if (sample_keys_.insert(sample).second) result_.failure_samples.push_back(std::move(sample));
    }
  }

  void record_transport_error(const std::string& what) {
    std::lock_guard lock(mutex_);
    ++result_.transport_errors[what];
  }

  void count_request() {
    std::lock_guard lock(mutex_);
    ++result_.requests_started;
  }

  void count_connection() {
    std::lock_guard lock(mutex_);
    ++result_.connections_opened;
  }

  void connection_done() {
    if (active_.fetch_sub(1) == 1) {
      net::post(drain_strand_, [this] { drain_timer_.cancel(); });
    }
  }

  LoadResult take_result() {
    std::lock_guard lock(mutex_);
    return std::move(result_);
  }

 private:
  const LoadOptions& options_;
  net::io_context& ioc_;
  tcp::endpoint endpoint_;
  net::strand<net::io_context::executor_type> drain_strand_;
  net::steady_timer drain_timer_;
  Clock::time_point warmup_end_;
  Clock::time_point end_;
  std::atomic<std::uint64_t> sequence_{0};
  std::atomic<std::size_t> active_{0};
  std::mutex mutex_;
  LoadResult result_;
  std::set<std::string> sample_keys_;
};

/// One keep-alive connection in a closed loop: connect, then request → response → request …
/// until the window ends. A broken connection is reopened after a short pause.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(Run& run)
      : run_(run), stream_(net::make_strand(run.ioc())), pause_(stream_.get_executor()) {}

  void start() {
    net::post(stream_.get_executor(),
              beast::bind_front_handler(&Connection::connect, shared_from_this()));
  }

 private:
  void connect() {
    if (run_.over()) return finish();
    stream_.expires_after(run_.options().io_timeout);
    stream_.async_connect(run_.endpoint(),
                          beast::bind_front_handler(&Connection::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    run_.count_connection();
    send();
  }

  void send() {
    if (run_.over()) return finish();
    LoadRequest next = run_.options().make_request(run_.next_sequence());
    request_ = {};
    request_.version(11);
    const auto verb = http::string_to_verb(next.method);
    if (verb == http::verb::unknown) {
      request_.method_string(next.method);
    } else {
      request_.method(verb);
    }
    request_.target(next.target);
    request_.set(http::field::host, "127.0.0.1");
    request_.set(http::field::user_agent, "boligflyt-bench");
    request_.keep_alive(true);
    for (const auto& [name, value] : next.headers) request_.set(name, value);
    request_.body() = std::move(next.body);
    request_.prepare_payload();
    parser_.emplace();
    parser_->body_limit(64U * 1024U * 1024U);
    run_.count_request();
    started_ = Clock::now();
    stream_.expires_after(run_.options().io_timeout);
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&Connection::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail("write", ec);
    stream_.expires_after(run_.options().io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail("read", ec);
    const auto finished = Clock::now();
    const auto& response = parser_->get();
    run_.record_response(started_, finished, response.result_int(), response.body());
    if (!response.keep_alive()) {
      close();
      return connect();
    }
    send();
  }

  void fail(const char* step, beast::error_code ec) {
    run_.record_transport_error(std::string(step) + ": " + ec.message());
    close();
    if (run_.over()) return finish();
    pause_.expires_after(std::chrono::milliseconds(10));
    pause_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
  }

  void finish() {
    close();
    run_.connection_done();
  }

  Run& run_;
  beast::tcp_stream stream_;
  net::steady_timer pause_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Clock::time_point started_;
};

}  // namespace

LoadResult run_load(const LoadOptions& options) {
  if (options.port == 0) throw std::invalid_argument("run_load: no port");
  if (options.connections == 0) throw std::invalid_argument("run_load: no connections");
  if (!options.make_request) throw std::invalid_argument("run_load: no make_request");
  const unsigned threads = std::max(1U, options.threads);
  net::io_context ioc(static_cast<int>(threads));
  Run run(options, ioc);
  run.start();
  for (std::size_t i = 0; i < options.connections; ++i) {
    std::make_shared<Connection>(run)->start();
  }
  std::vector<std::thread> extra;
  for (unsigned i = 1; i < threads; ++i) extra.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& thread : extra) thread.join();
  return run.take_result();
}

Summary summarize(std::vector<double> values) {
  Summary s;
  s.n = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const auto rank = [&](double p) {
    const auto index = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(s.n)));
    return values[std::clamp<std::size_t>(index, 1, s.n) - 1];
  };
  s.median = rank(50);
  s.p99 = rank(99);
  s.min = values.front();
  s.max = values.back();
  return s;
}

}  // namespace boligflyt::bench

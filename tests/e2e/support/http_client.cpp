#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <functional>
#include <limits>
#include <stdexcept>

namespace boligflyt::e2e {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

struct HttpConnection::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;

  // Runs the io_context until `done` or the timeout; a late operation is cancelled.
  void run_until(const bool& done) {
    ioc.restart();
    ioc.run_for(timeout);
    if (!done) {
      beast::error_code ignored;
      socket.cancel(ignored);
      ioc.restart();
      ioc.run();
    }
  }

  HttpResult read_response() {
    HttpResult result;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    bool done = false;
    beast::error_code read_ec;
    http::async_read(socket, buffer, parser, [&](beast::error_code ec, std::size_t) {
      read_ec = ec;
      done = true;
    });
    run_until(done);
    if (!done) {
      result.error = "timeout while reading the response";
      return result;
    }
    if (read_ec) {
      result.error = "read: " + read_ec.message();
      return result;
    }
    auto res = parser.release();
    result.status = res.result_int();
    for (const auto& field : res) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.keep_alive = res.keep_alive();
    result.body = std::move(res.body());
    return result;
  }

  HttpResult exchange(std::function<void(std::function<void(beast::error_code)>)> start_write) {
    bool done = false;
    beast::error_code write_ec;
    start_write([&](beast::error_code ec) {
      write_ec = ec;
      done = true;
    });
    run_until(done);
    HttpResult result = read_response();
    if (result.status == 0 && (write_ec || !done)) {
      result.error =
          (done ? "write: " + write_ec.message() : "timeout while writing") + "; " + result.error;
    }
    return result;
  }
};

HttpConnection::HttpConnection(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
  beast::error_code ec;
  impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec)
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
}

HttpConnection::~HttpConnection() {
  beast::error_code ignored;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

HttpResult HttpConnection::request(const std::string& method, const std::string& target,
                                   const Headers& headers, const std::string& body) {
  auto req =
      std::make_shared<http::request<http::string_body>>(http::string_to_verb(method), target, 11);
  if (req->method() == http::verb::unknown) req->method_string(method);
  req->set(http::field::host, "127.0.0.1");
  req->set(http::field::user_agent, "boligflyt-e2e");
  for (const auto& [name, value] : headers) req->set(name, value);
  req->body() = body;
  req->prepare_payload();
  return impl_->exchange([this, req](std::function<void(beast::error_code)> done) {
    http::async_write(impl_->socket, *req,
                      [req, done](beast::error_code ec, std::size_t) { done(ec); });
  });
}

HttpResult HttpConnection::raw_exchange(const std::string& bytes) {
  auto data = std::make_shared<std::string>(bytes);
  return impl_->exchange([this, data](std::function<void(beast::error_code)> done) {
    net::async_write(impl_->socket, net::buffer(*data),
                     [data, done](beast::error_code ec, std::size_t) { done(ec); });
  });
}

uint16_t HttpConnection::local_port() const { return impl_->socket.local_endpoint().port(); }

bool HttpConnection::wait_for_close(std::chrono::milliseconds timeout) {
  char byte = 0;
  bool done = false;
  beast::error_code read_ec;
  impl_->socket.async_read_some(net::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) {
    read_ec = ec;
    done = true;
  });
  const auto saved = impl_->timeout;
  impl_->timeout = timeout;
  impl_->run_until(done);
  impl_->timeout = saved;
  return done && (read_ec == net::error::eof || read_ec == net::error::connection_reset);
}

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body) {
  HttpConnection connection(port);
  return connection.request(method, target, headers, body);
}

std::optional<std::string> json_at(const std::string& body, const std::string& pointer) {
  boost::system::error_code ec;
  const boost::json::value document = boost::json::parse(body, ec);
  if (ec) return std::nullopt;
  const boost::json::value* found = document.find_pointer(pointer, ec);
  if (found == nullptr || ec) return std::nullopt;
  if (found->is_string()) return std::string(found->get_string());
  return boost::json::serialize(*found);
}

std::optional<std::size_t> json_array_size(const std::string& body, const std::string& pointer) {
  boost::system::error_code ec;
  const boost::json::value document = boost::json::parse(body, ec);
  if (ec) return std::nullopt;
  const boost::json::value* found = document.find_pointer(pointer, ec);
  if (found == nullptr || ec || !found->is_array()) return std::nullopt;
  return found->get_array().size();
}

std::string json_set(const std::string& document, const std::vector<std::string>& path,
                     const std::string& value_json) {
  boost::json::value root = boost::json::parse(document);
  boost::json::value* current = &root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    boost::json::object& object = current->as_object();
    if (!object.contains(path[i]) || !object[path[i]].is_object())
      object[path[i]] = boost::json::object();
    current = &object[path[i]];
  }
  current->as_object()[path.back()] = boost::json::parse(value_json);
  return boost::json::serialize(root);
}

std::string json_quote(const std::string& text) {
  return boost::json::serialize(boost::json::value(text));
}

}  // namespace boligflyt::e2e

#include "boligflyt/host/http_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace boligflyt::host {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const std::size_t path = text.find('/');
  std::string_view authority = text.substr(0, path);
  url.target = path == std::string_view::npos ? "/" : std::string(text.substr(path));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  url.port = port.empty() ? (url.tls ? "443" : "80") : std::string(port);
  return url;
}

// One exchange on one stream type. The io_context runs only until the deadline: a provider
// that accepts and then says nothing costs us `timeout`, never a hung request thread.
template <class Stream>
FetchResult exchange(asio::io_context& ioc, Stream& stream, beast::tcp_stream& tcp_layer,
                     const Url& url, std::optional<std::string_view> form,
                     std::chrono::milliseconds timeout, std::size_t max_body,
                     const tcp::resolver::results_type& endpoints) {
  FetchResult result;
  beast::error_code failure;
  http::request<http::string_body> request{form ? http::verb::post : http::verb::get, url.target,
                                           11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "boligflyt-host");
  request.set(http::field::accept, "application/json");
  if (form) {
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = std::string(*form);
    request.prepare_payload();
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body);

  auto on_read = [&](beast::error_code ec, std::size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    result.status = parser.get().result_int();
    result.body = std::move(parser.get().body());
  };
  auto on_write = [&](beast::error_code ec, std::size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    http::async_read(stream, buffer, parser, on_read);
  };
  auto on_ready = [&](beast::error_code ec) {
    if (ec) {
      failure = ec;
      return;
    }
    http::async_write(stream, request, on_write);
  };
  tcp_layer.expires_after(timeout);
  tcp_layer.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      stream.async_handshake(asio::ssl::stream_base::client, on_ready);
    } else {
      on_ready({});
    }
  });
  ioc.run_for(timeout + std::chrono::milliseconds(100));
  if (failure) {
    result.status = 0;
    result.error = failure.message();
  } else if (result.status == 0) {
    result.error = "timeout";
  }
  return result;
}

FetchResult fetch(std::string_view url_text, std::optional<std::string_view> form,
                  std::chrono::milliseconds timeout, std::size_t max_body) {
  const std::optional<Url> url = parse_url(url_text);
  if (!url) return {0, {}, "unsupported URL"};
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    const tcp::resolver::results_type endpoints = resolver.resolve(url->host, url->port, ec);
    if (ec) return {0, {}, "resolve: " + ec.message()};
    if (!url->tls) {
      beast::tcp_stream stream(ioc);
      return exchange(ioc, stream, stream, *url, form, timeout, max_body, endpoints);
    }
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
    // SNI: a provider behind a shared front end needs the name to pick its certificate.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      return {0, {}, "cannot set SNI"};
    }
    return exchange(ioc, stream, beast::get_lowest_layer(stream), *url, form, timeout, max_body,
                    endpoints);
  } catch (const std::exception& e) {
    return {0, {}, e.what()};
  }
}

}  // namespace

FetchResult http_get(std::string_view url, std::chrono::milliseconds timeout,
                     std::size_t max_body) {
  return fetch(url, std::nullopt, timeout, max_body);
}

FetchResult http_post_form(std::string_view url, std::string_view form,
                           std::chrono::milliseconds timeout, std::size_t max_body) {
  return fetch(url, form, timeout, max_body);
}

}  // namespace boligflyt::host

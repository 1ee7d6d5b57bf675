// The only translation unit of the WebDAV adapter that includes Beast and Asio: they cost
// seconds and hundreds of MB to compile.

#include "webdav/webdav_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>

#include "util/base64.h"

namespace boligflyt::adapters {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// A document of the library is a few MB at most; a reply larger than this is not ours.
constexpr std::uint64_t kMaxReplyBytes = 256ULL << 20;

Error no_reply(const std::string& why) {
  return make_error(ErrorKind::kUnavailable, "document-library-unreachable",
                    "Dokumentbiblioteket svarer ikke",
                    "Dokumentbiblioteket kunne ikke nås nå; dokumentene legges inn senere.", {},
                    "webdav: " + why);
}

http::request<http::string_body> build(const WebDavSettings& s, const DavRequest& r) {
  http::request<http::string_body> req;
  req.method_string(r.method);
  req.target(r.target);
  req.version(11);
  const bool default_port = s.port == (s.tls ? 443 : 80);
  const std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  req.set(http::field::host, default_port ? host : host + ":" + std::to_string(s.port));
  req.set(http::field::user_agent, "boligflyt/" BOLIGFLYT_VERSION);
  if (!s.token.empty()) {
    req.set(http::field::authorization, "Bearer " + s.token);
  } else if (!s.user.empty()) {
    req.set(http::field::authorization, "Basic " + util::base64_encode(s.user + ":" + s.password));
  }
  for (const auto& [name, value] : r.headers) req.set(name, value);
  req.keep_alive(false);
  req.body() = r.body;
  req.prepare_payload();
  return req;
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, beast::tcp_stream& lowest,
                               std::chrono::seconds timeout,
                               http::request<http::string_body>& request, DavReply& reply) {
  lowest.expires_after(timeout);
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  // A PUT or MKCOL may be answered without a body; HEAD is never sent.
  lowest.expires_after(timeout);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  reply.status = parser.get().result_int();
  reply.body = std::move(parser.get().body());
}

asio::awaitable<void> run(const WebDavSettings& s, http::request<http::string_body>& request,
                          DavReply& reply) {
  const auto executor = co_await asio::this_coro::executor;
  const std::chrono::seconds timeout(s.timeout_seconds);
  tcp::resolver resolver(executor);
  const auto endpoints =
      co_await resolver.async_resolve(s.host, std::to_string(s.port), asio::use_awaitable);
  if (!s.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    co_await exchange(stream, stream, timeout, request, reply);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (s.ca_file.empty()) {
    context.set_default_verify_paths();
  } else {
    context.load_verify_file(s.ca_file);
  }
  context.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, context);
  stream.set_verify_callback(ssl::host_name_verification(s.host));
  // SNI: a server with several names picks the certificate by it.
  if (::SSL_set_tlsext_host_name(stream.native_handle(), s.host.c_str()) != 1) {
    throw beast::system_error(
        beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
  }
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(timeout);
  co_await lowest.async_connect(endpoints, asio::use_awaitable);
  lowest.expires_after(timeout);
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  co_await exchange(stream, lowest, timeout, request, reply);
  // The reply is in hand; a server that drops the connection without close_notify is common
  // and harmless here.
  lowest.expires_after(timeout);
  beast::error_code ignored;
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

Result<DavReply> send_dav_request(const WebDavSettings& settings, const DavRequest& request) {
  auto req = build(settings, request);
  DavReply reply;
  std::string failure;
  try {
    asio::io_context context;
    asio::co_spawn(context, run(settings, req, reply), [&](const std::exception_ptr& error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const beast::system_error& e) {
        failure = e.code() == beast::error::timeout
                      ? "no answer within " + std::to_string(settings.timeout_seconds) + " s"
                      : e.code().message();
      } catch (const std::exception& e) {
        failure = e.what();
      }
    });
    context.run();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty() || reply.status == 0) {
    return no_reply(request.method + " " + request.target + " to " + settings.host + ":" +
                    std::to_string(settings.port) + ": " +
                    (failure.empty() ? std::string("no reply") : failure));
  }
  return reply;
}

}  // namespace boligflyt::adapters

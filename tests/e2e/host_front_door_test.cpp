// The hardened front door of the reference host: limits on headers, bodies, slow clients and
// connections per address, per-principal rate limiting, security headers and CORS. Each
// abuse gets its answer (or is cut) while other clients keep getting theirs.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

// A raw loopback TCP connection from a chosen source address (127.0.0.2 is loopback too,
// and to the host a different client).
class RawSocket {
 public:
  RawSocket(const char* source, uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      throw std::runtime_error("bind");
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      throw std::runtime_error("connect");
    }
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  /// True when the server closed (EOF or reset) within `timeout`; data read is kept.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return true;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// Sends a request with `Connection: close` and returns all the server sent back.
  std::string exchange(const std::string& request) {
    if (!send(request)) return {};
    closed_within(10s);
    return received_;
  }

  const std::string& received() const { return received_; }

 private:
  int fd_;
  std::string received_;
};

class HostFrontDoorTest : public HostTest {
 protected:
  /// A host with the stub plugin and the given `http` section.
  void start_with_http(const std::string& http_json) {
    std::string config =
        json_set(default_config_json(), {"plugin_path"}, json_quote(BOLIGFLYT_E2E_STUB_PLUGIN));
    config = json_set(config, {"http"}, http_json);
    start_host(write_config(config));
  }

  void expect_other_clients_served() {
    const HttpResult response = get("/healthz");
    EXPECT_EQ(response.status, 200u) << response.error;
  }
};

void expect_security_headers(const HttpResult& response) {
  EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response.header("Referrer-Policy"), "same-origin");
  EXPECT_EQ(response.header("X-Frame-Options"), "DENY");
  const std::string csp = response.header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  // Plain HTTP: HSTS belongs to TLS only.
  EXPECT_EQ(response.header("Strict-Transport-Security"), "");
}

TEST_F(HostFrontDoorTest, SecurityHeadersOnEveryKindOfResponse) {
  ASSERT_NO_FATAL_FAILURE(start_with_http("{\"header_limit_bytes\":4096}"));
  const HttpResult ok = get("/healthz");
  ASSERT_EQ(ok.status, 200u) << ok.error;
  expect_security_headers(ok);
  const HttpResult unauthenticated = get("/api/v1/me");
  ASSERT_EQ(unauthenticated.status, 401u);
  expect_security_headers(unauthenticated);
  const HttpResult too_large = get("/healthz", {{"X-Padding", std::string(5000, 'p')}});
  ASSERT_EQ(too_large.status, 431u) << too_large.error;
  expect_security_headers(too_large);
}

TEST_F(HostFrontDoorTest, OversizedHeaderAndBodyAreRefusedWhileOthersAreServed) {
  ASSERT_NO_FATAL_FAILURE(start_with_http("{\"header_limit_bytes\":4096,\"max_body_bytes\":2048}"));
  const HttpResult header = get("/healthz", {{"X-Padding", std::string(5000, 'p')}});
  EXPECT_EQ(header.status, 431u) << header.error;
  EXPECT_EQ(header.header("Content-Type"), "application/problem+json");
  expect_other_clients_served();

  const HttpResult body = http_request(host_->port(), "POST", "/stub/echo",
                                       bearer(token("leder-boligkontor")), std::string(2049, 'x'));
  ASSERT_EQ(body.status, 413u) << body.error;
  EXPECT_EQ(body.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json_at(body.body, "/title"), "Forespørselen er for stor") << body.body;
  const HttpResult within =
      http_request(host_->port(), "POST", "/stub/echo", bearer(token("leder-boligkontor")),
                   std::string(2048, 'x'));
  EXPECT_EQ(within.status, 200u) << within.error << within.body;
}

TEST_F(HostFrontDoorTest, ClientSendingOneByteASecondIsCutAfterTheHeaderTimeout) {
  ASSERT_NO_FATAL_FAILURE(start_with_http("{\"header_timeout_seconds\":2}"));
  RawSocket slow("127.0.0.1", host_->port());
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(40, 's') + "\r\n\r\n";
  const auto started = std::chrono::steady_clock::now();
  bool cut = false;
  // Each byte arrives in time for a per-read timeout; only a deadline for the whole header
  // ends this. Bounded: 12 bytes, 12 seconds at most.
  for (std::size_t i = 0; i < 12 && !cut; ++i) {
    if (!slow.send(request.substr(i, 1))) {
      cut = true;
      break;
    }
    cut = slow.closed_within(1s);
    expect_other_clients_served();
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(cut) << "a client trickling its header was never cut off";
  EXPECT_LT(elapsed, 6s);
  // Cut without a response to the half-sent request, or with 408: never a 200.
  EXPECT_EQ(slow.received().find("200 OK"), std::string::npos) << slow.received();
}

TEST_F(HostFrontDoorTest, TooManyConnectionsFromOneAddressAreClosedOthersAreServed) {
  ASSERT_NO_FATAL_FAILURE(start_with_http("{\"max_connections_per_address\":3}"));
  std::vector<std::unique_ptr<RawSocket>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(std::make_unique<RawSocket>("127.0.0.2", host_->port()));
  // Give the host time to accept the three before the fourth arrives.
  for (auto& socket : held) EXPECT_FALSE(socket->closed_within(200ms));

  RawSocket fourth("127.0.0.2", host_->port());
  EXPECT_TRUE(fourth.closed_within(2s)) << "the connection over the limit stayed open";
  // The held ones still work, and another address is not affected at all.
  for (auto& socket : held) EXPECT_FALSE(socket->closed_within(50ms));
  const std::string answer =
      held.front()->exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
  RawSocket other("127.0.0.3", host_->port());
  const std::string other_answer =
      other.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(other_answer.find("HTTP/1.1 200"), std::string::npos) << other_answer;

  // Once one closes, the address may connect again.
  held.front().reset();
  bool admitted = false;
  for (int attempt = 0; attempt < 20 && !admitted; ++attempt) {
    RawSocket again("127.0.0.2", host_->port());
    const std::string reply =
        again.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    admitted = reply.find("HTTP/1.1 200") != std::string::npos;
    if (!admitted) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(admitted);
}

TEST_F(HostFrontDoorTest, BurstOverTheRateLimitGets429WithRetryAfterOthersStillServed) {
  ASSERT_NO_FATAL_FAILURE(
      start_with_http("{\"rate_limit\":{\"requests_per_second\":0.5,\"burst\":5}}"));
  HttpConnection connection(host_->port());
  const Headers kari = bearer(token("leder-boligkontor"));
  unsigned ok = 0;
  unsigned limited = 0;
  HttpResult refused;
  for (int i = 0; i < 10; ++i) {
    const HttpResult response = connection.request("GET", "/stub/echo", kari);
    if (response.status == 200) ++ok;
    if (response.status == 429) {
      ++limited;
      refused = response;
    }
  }
  EXPECT_EQ(ok, 5u);
  EXPECT_EQ(limited, 5u);
  ASSERT_EQ(refused.status, 429u);
  EXPECT_EQ(refused.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json_at(refused.body, "/title"), "For mange forespørsler") << refused.body;
  const std::string retry_after = refused.header("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_LE(std::stoi(retry_after), 2);

  // The limit is per principal, not per address or connection: another user on the same
  // address is served, and so is the health check.
  const HttpResult other =
      http_request(host_->port(), "GET", "/stub/echo", bearer(token("leder-eiendom")));
  EXPECT_EQ(other.status, 200u) << other.body;
  expect_other_clients_served();
  // A new connection does not reset Kari's bucket.
  const HttpResult again = http_request(host_->port(), "GET", "/stub/echo", kari);
  EXPECT_EQ(again.status, 429u);
}

TEST_F(HostFrontDoorTest, TheDefaultHasNoRateLimit) {
  ASSERT_NO_FATAL_FAILURE(start_stub_host());
  HttpConnection connection(host_->port());
  const Headers kari = bearer(token("leder-boligkontor"));
  for (int i = 0; i < 100; ++i) {
    const HttpResult response = connection.request("GET", "/stub/echo", kari);
    ASSERT_EQ(response.status, 200u) << "request " << i << ": " << response.body;
  }
}

TEST_F(HostFrontDoorTest, CorsIsOffUnlessConfigured) {
  ASSERT_NO_FATAL_FAILURE(start_stub_host());
  const HttpResult preflight =
      http_request(host_->port(), "OPTIONS", "/stub/echo",
                   {{"Origin", "https://kvalitet.kommune.no"},
                    {"Access-Control-Request-Method", "POST"},
                    {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 403u);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), "");
  const HttpResult simple = http_request(host_->port(), "GET", "/stub/echo",
                                         {{"Origin", "https://kvalitet.kommune.no"},
                                          {"Authorization", "Bearer " + token("leder-eiendom")}});
  EXPECT_EQ(simple.status, 200u);
  EXPECT_EQ(simple.header("Access-Control-Allow-Origin"), "");
}

TEST_F(HostFrontDoorTest, CorsAnswersOnlyTheConfiguredOrigins) {
  ASSERT_NO_FATAL_FAILURE(
      start_with_http("{\"cors_allowed_origins\":[\"https://kvalitet.kommune.no\"]}"));
  const auto preflight = [&](const std::string& origin) {
    return http_request(host_->port(), "OPTIONS", "/stub/echo",
                        {{"Origin", origin},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "authorization, content-type"}});
  };
  const HttpResult allowed = preflight("https://kvalitet.kommune.no");
  EXPECT_EQ(allowed.status, 204u);
  EXPECT_EQ(allowed.header("Access-Control-Allow-Origin"), "https://kvalitet.kommune.no");
  EXPECT_NE(allowed.header("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_NE(allowed.header("Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);
  EXPECT_EQ(allowed.header("Access-Control-Allow-Credentials"), "");

  const HttpResult foreign = preflight("https://angriper.example");
  EXPECT_EQ(foreign.status, 403u);
  EXPECT_EQ(foreign.header("Access-Control-Allow-Origin"), "");

  const HttpResult real = http_request(host_->port(), "GET", "/stub/echo",
                                       {{"Origin", "https://kvalitet.kommune.no"},
                                        {"Authorization", "Bearer " + token("leder-eiendom")}});
  EXPECT_EQ(real.status, 200u);
  EXPECT_EQ(real.header("Access-Control-Allow-Origin"), "https://kvalitet.kommune.no");
  EXPECT_EQ(real.header("Vary"), "Origin");
}

TEST_F(HostFrontDoorTest, WorldReadableConfigWithAPasswordIsRefused) {
  std::string config =
      json_set(default_config_json(), {"plugin", "store"},
               R"({"kind":"postgresql","connection":"host=127.0.0.1 password=Pw-7xq2"})");
  const std::filesystem::path path = write_config(config);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  HostOptions options;
  options.data_dir = data_dir();
  options.config_file = path;
  std::string failure;
  auto host = HostProcess::start(options, temp_.path(), failure, 20s);
  ASSERT_EQ(host, nullptr) << "the host started with a world-readable secret";
  EXPECT_NE(failure.find("chmod 600"), std::string::npos) << failure;
  EXPECT_EQ(failure.find("Pw-7xq2"), std::string::npos) << failure;
}

TEST_F(HostFrontDoorTest, RenderedDocumentStylesAreAllowedByTheirHashOnly) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const HttpResult document = get("/api/v1/procedures/boligflytprosedyre/versions/3.0/document",
                                  bearer(token("ansatt-nav")));
  ASSERT_EQ(document.status, 200u) << document.body;
  const std::size_t open = document.body.find("<style>");
  const std::size_t close = document.body.find("</style>");
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  // The hash as openssl computes it, not as the host does.
  write_file(temp_.path() / "style.css", document.body.substr(open + 7, close - open - 7));
  const CommandResult digest =
      run_command({"/usr/bin/openssl", "dgst", "-sha256", "-binary", "-out",
                   (temp_.path() / "style.sha256").string(), (temp_.path() / "style.css").string()},
                  temp_.path(), 20s);
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  const CommandResult base64 = run_command(
      {"/usr/bin/openssl", "base64", "-A", "-in", (temp_.path() / "style.sha256").string()},
      temp_.path(), 20s);
  ASSERT_EQ(base64.exit_code, 0) << base64.err;
  const std::string csp = document.header("Content-Security-Policy");
  EXPECT_NE(csp.find("style-src 'self' 'sha256-" + base64.out + "'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
}

TEST_F(HostFrontDoorTest, RefusedTokenIsLoggedWithoutTheToken) {
  ASSERT_NO_FATAL_FAILURE(start_stub_host());
  // A real token with its signature changed: well-formed, so it gets as far as verification.
  std::string forged = token("leder-eiendom");
  // The first character of the signature: all its bits count (the last one's low bits are
  // padding that decoders may ignore).
  char& first = forged[forged.rfind('.') + 1];
  first = first == 'A' ? 'B' : 'A';
  const HttpResult refused = get("/stub/echo", bearer(forged));
  ASSERT_EQ(refused.status, 401u);
  const std::string signature = forged.substr(forged.rfind('.') + 1);
  const std::string payload =
      forged.substr(forged.find('.') + 1, forged.rfind('.') - forged.find('.') - 1);
  // The log line is written before the answer; the host flushes each line.
  ASSERT_EQ(host_->stop(), 0);
  const std::string log = host_->stderr_text();
  EXPECT_NE(log.find("authentication_failed"), std::string::npos) << log;
  EXPECT_EQ(log.find(signature), std::string::npos) << "the token's signature was logged";
  EXPECT_EQ(log.find(payload), std::string::npos) << "the token's payload was logged";
}

// A self-signed certificate for 127.0.0.1, made by openssl as an operator would.
void make_certificate(const std::filesystem::path& dir) {
  const CommandResult made =
      run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", (dir / "key.pem").string(),
                   "-out", (dir / "cert.pem").string(), "-days", "1", "-subj", "/CN=127.0.0.1",
                   "-addext", "subjectAltName=IP:127.0.0.1"},
                  dir, 60s);
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

TEST_F(HostFrontDoorTest, ServesHttpsWithTheConfiguredCertificateAndHsts) {
  ASSERT_NO_FATAL_FAILURE(make_certificate(temp_.path()));
  std::filesystem::permissions(
      temp_.path() / "key.pem",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace);
  // Relative paths: beside the configuration file.
  ASSERT_NO_FATAL_FAILURE(
      start_with_http(R"({"tls":{"certificate_file":"cert.pem","private_key_file":"key.pem"}})"));
  ASSERT_TRUE(host_->base_url().starts_with("https://")) << host_->base_url();

  const CommandResult fetched = run_command(
      {"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", (temp_.path() / "cert.pem").string(),
       "-D", "-", "-o", "/dev/null", host_->base_url() + "/healthz"},
      temp_.path(), 20s);
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  std::string headers = fetched.out;
  std::transform(headers.begin(), headers.end(), headers.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_NE(headers.find("http/1.1 200"), std::string::npos) << fetched.out;
  EXPECT_NE(headers.find("strict-transport-security: max-age=31536000"), std::string::npos)
      << fetched.out;
  EXPECT_NE(headers.find("x-content-type-options: nosniff"), std::string::npos) << fetched.out;

  // An authenticated API call over TLS, too.
  const CommandResult me = run_command(
      {"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", (temp_.path() / "cert.pem").string(),
       "-H", "Authorization: Bearer " + token("leder-eiendom"), host_->base_url() + "/stub/echo"},
      temp_.path(), 20s);
  ASSERT_EQ(me.exit_code, 0) << me.err;
  EXPECT_NE(me.out.find("leder-eiendom"), std::string::npos) << me.out;

  // Plain HTTP to the HTTPS port is not served.
  const HttpResult plain = get("/healthz");
  EXPECT_NE(plain.status, 200u);
  const CommandResult ok_after = run_command(
      {"/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", (temp_.path() / "cert.pem").string(),
       "-o", "/dev/null", "-w", "%{http_code}", host_->base_url() + "/healthz"},
      temp_.path(), 20s);
  EXPECT_EQ(ok_after.out, "200") << ok_after.err;
}

TEST_F(HostFrontDoorTest, PrivateKeyReadableByOthersIsRefused) {
  ASSERT_NO_FATAL_FAILURE(make_certificate(temp_.path()));
  std::filesystem::permissions(
      temp_.path() / "key.pem",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      std::filesystem::perm_options::replace);
  std::string config =
      json_set(default_config_json(), {"plugin_path"}, json_quote(BOLIGFLYT_E2E_STUB_PLUGIN));
  config = json_set(config, {"http"},
                    R"({"tls":{"certificate_file":"cert.pem","private_key_file":"key.pem"}})");
  HostOptions options;
  options.data_dir = data_dir();
  options.config_file = write_config(config);
  std::string failure;
  auto host = HostProcess::start(options, temp_.path(), failure, 20s);
  ASSERT_EQ(host, nullptr) << "the host served with a private key others can read";
  EXPECT_NE(failure.find("chmod 600"), std::string::npos) << failure;
}

}  // namespace
}  // namespace boligflyt::e2e

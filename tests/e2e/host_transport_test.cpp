// The HTTP transport of the host: limits, keep-alive, request ids and malformed input.

#include <gtest/gtest.h>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

constexpr std::size_t kBodyLimit = 8 * 1024 * 1024;

class HostTransportTest : public HostTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start_host()); }
};

TEST_F(HostTransportTest, BodyOverLimitIsRejectedWith413) {
  HttpConnection connection(host_->port());
  Headers headers = bearer(token("leder-boligkontor"));
  headers.emplace_back("Content-Type", "application/json");
  const HttpResult response = connection.request("PUT", "/api/v1/me/preferences", headers,
                                                 std::string(kBodyLimit + 1, 'x'));
  ASSERT_EQ(response.status, 413u) << response.error;
  EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json_at(response.body, "/status"), "413") << response.body;
  EXPECT_EQ(json_at(response.body, "/title"), "Forespørselen er for stor") << response.body;
  // The rest of the body cannot be told from a next request, so the connection ends.
  EXPECT_FALSE(response.keep_alive);
  EXPECT_TRUE(connection.wait_for_close(std::chrono::seconds(10)));
}

TEST_F(HostTransportTest, BodyOverLimitWithExpectContinueIsRejectedBeforeTheBody) {
  HttpConnection connection(host_->port());
  // Only the header is sent: the host must answer without waiting for 9 MiB that never come.
  const HttpResult response = connection.raw_exchange(
      "PUT /api/v1/me/preferences HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
      token("leder-boligkontor") + "\r\nContent-Length: " + std::to_string(kBodyLimit + 1) +
      "\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(response.status, 413u) << response.error;
}

TEST_F(HostTransportTest, BodyAtTheLimitIsAccepted) {
  // Exactly 8 MiB passes the transport; what the plugin makes of it is its business, as
  // long as it is not 413.
  const HttpResult response =
      http_request(host_->port(), "PUT", "/api/v1/me/preferences",
                   bearer(token("leder-boligkontor")), std::string(kBodyLimit, ' '));
  EXPECT_NE(response.status, 413u);
  EXPECT_NE(response.status, 0u) << response.error;
}

TEST_F(HostTransportTest, HeaderOverLimitIsRejectedWith431) {
  HttpConnection connection(host_->port());
  const HttpResult response =
      connection.request("GET", "/healthz", {{"X-Padding", std::string(17 * 1024, 'p')}});
  EXPECT_EQ(response.status, 431u) << response.error;
  EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
}

TEST_F(HostTransportTest, MalformedRequestIsRejectedWith400) {
  HttpConnection connection(host_->port());
  const HttpResult response = connection.raw_exchange("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(response.status, 400u) << response.error;
}

TEST_F(HostTransportTest, KeepAliveServesTwoRequestsOnOneConnection) {
  HttpConnection connection(host_->port());
  const uint16_t client_port = connection.local_port();
  const HttpResult first = connection.request("GET", "/healthz");
  ASSERT_EQ(first.status, 200u) << first.error;
  EXPECT_TRUE(first.keep_alive);
  const HttpResult second = connection.request("GET", "/api/v1/me", bearer(token("leder-eiendom")));
  ASSERT_EQ(second.status, 200u) << second.error << second.body;
  EXPECT_EQ(connection.local_port(), client_port);
}

TEST_F(HostTransportTest, ConnectionCloseIsHonoured) {
  HttpConnection connection(host_->port());
  const HttpResult response = connection.request("GET", "/healthz", {{"Connection", "close"}});
  EXPECT_EQ(response.status, 200u);
  EXPECT_FALSE(response.keep_alive);
  EXPECT_TRUE(connection.wait_for_close(std::chrono::seconds(10)));
}

TEST_F(HostTransportTest, RequestIdIsAddedOrKept) {
  const HttpResult generated = get("/healthz");
  EXPECT_EQ(generated.header("X-Request-Id").size(), 32u) << generated.header("X-Request-Id");
  const HttpResult kept = get("/healthz", {{"X-Request-Id", "min-foresporsel-42"}});
  EXPECT_EQ(kept.header("X-Request-Id"), "min-foresporsel-42");
  const HttpResult unauthorized = get("/api/v1/me", {{"X-Request-Id", "uten-token-1"}});
  EXPECT_EQ(unauthorized.header("X-Request-Id"), "uten-token-1");
  EXPECT_EQ(json_at(unauthorized.body, "/request_id"), "uten-token-1");
  // An id that would smuggle text into logs and headers is replaced.
  const HttpResult replaced = get("/healthz", {{"X-Request-Id", "\"quote\" and spaces"}});
  EXPECT_EQ(replaced.header("X-Request-Id").size(), 32u);
}

}  // namespace
}  // namespace boligflyt::e2e

// Authentication at the host: every path but GET /healthz needs a valid bearer token, and
// a refusal is a 401 problem+json with WWW-Authenticate.

#include <gtest/gtest.h>

#include "boligflyt/host/host_config.h"
#include "boligflyt/host/secret_key_file.h"
#include "boligflyt/host/token_authority.h"
#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;

class HostAuthTest : public HostTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start_host()); }

  // A problem+json 401 as RFC 9457 and RFC 6750 describe it.
  static void expect_unauthorized(const HttpResult& response) {
    EXPECT_EQ(response.status, 401u) << response.error << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
    EXPECT_TRUE(response.header("WWW-Authenticate").starts_with("Bearer"))
        << response.header("WWW-Authenticate");
    EXPECT_EQ(json_at(response.body, "/status"), "401") << response.body;
    EXPECT_TRUE(json_at(response.body, "/type").has_value()) << response.body;
    EXPECT_EQ(json_at(response.body, "/title"), "Ikke autentisert") << response.body;
    EXPECT_TRUE(json_at(response.body, "/detail").has_value()) << response.body;
  }

  // Tokens the host's own secret signs, for cases the host would never print.
  std::unique_ptr<host::TokenAuthority> authority_with_host_secret() {
    const host::HostConfig config = host::load_host_config(std::nullopt);
    return host::TokenAuthority::hs256(host::load_or_create_hs256_secret(data_dir()).bytes, config);
  }
};

TEST_F(HostAuthTest, HealthzAnswersWithoutToken) {
  const HttpResult response = get("/healthz");
  EXPECT_EQ(response.status, 200u) << response.error << response.body;
  // Only GET is public; the same path with another method needs a token like any other.
  EXPECT_EQ(http_request(host_->port(), "POST", "/healthz").status, 401u);
}

TEST_F(HostAuthTest, MeWithoutTokenIsRejectedWithProblemJson) {
  const HttpResult response = get("/api/v1/me");
  expect_unauthorized(response);
  EXPECT_EQ(response.header("WWW-Authenticate"), R"(Bearer realm="boligflyt")");
}

TEST_F(HostAuthTest, GarbageTokenIsRejected) {
  for (const std::string& token : std::vector<std::string>{
           "garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", std::string(9000, 'x')}) {
    SCOPED_TRACE(token.substr(0, 40));
    const HttpResult response = get("/api/v1/me", bearer(token));
    expect_unauthorized(response);
    EXPECT_NE(response.header("WWW-Authenticate").find("invalid_token"), std::string::npos);
  }
  // A scheme other than Bearer counts as no token at all.
  expect_unauthorized(get("/api/v1/me", {{"Authorization", "Basic dXNlcjpwYXNz"}}));
}

TEST_F(HostAuthTest, TokenSignedWithAnotherSecretIsRejected) {
  const host::HostConfig config = host::load_host_config(std::nullopt);
  const auto foreign = host::TokenAuthority::hs256(std::string(32, 'z'), config);
  expect_unauthorized(
      get("/api/v1/me", bearer(foreign->issue(*config.find_user("leder-boligkontor")))));
}

TEST_F(HostAuthTest, ExpiredTokenIsRejected) {
  const host::HostConfig config = host::load_host_config(std::nullopt);
  const auto authority = authority_with_host_secret();
  const std::string expired =
      authority->issue(*config.find_user("leder-boligkontor"), system_clock::now() - hours(1));
  expect_unauthorized(get("/api/v1/me", bearer(expired)));
  // The same secret with a future expiry is fine: it was the expiry that was refused.
  const std::string fresh =
      authority->issue(*config.find_user("leder-boligkontor"), system_clock::now() + hours(1));
  EXPECT_EQ(get("/api/v1/me", bearer(fresh)).status, 200u);
}

TEST_F(HostAuthTest, PrintedDevTokenIsAccepted) {
  // One printed token per configured user.
  const host::HostConfig config = host::load_host_config(std::nullopt);
  EXPECT_EQ(host_->printed_tokens().size(), config.users.size());

  const HttpResult response = get("/api/v1/me", bearer(token("leder-boligkontor")));
  ASSERT_EQ(response.status, 200u) << response.error << response.body;
  EXPECT_NE(response.body.find("leder-boligkontor"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("Kari Solberg"), std::string::npos) << response.body;
}

TEST_F(HostAuthTest, CliDevTokenIsAccepted) {
  const CommandResult cli = run_command(
      {cli_binary(), "dev-token", "kvalitetsleder", "--data", data_dir().string()}, temp_.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  std::string token = cli.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();

  const HttpResult response = get("/api/v1/me", bearer(token));
  ASSERT_EQ(response.status, 200u) << response.error << response.body;
  EXPECT_NE(response.body.find("kvalitetsleder"), std::string::npos) << response.body;
}

TEST_F(HostAuthTest, TokensNeverReachTheLog) {
  const std::string valid = token("leder-nav");
  get("/api/v1/me", bearer(valid));
  get("/api/v1/me", bearer(valid + "tampered"));
  const std::optional<int> code = host_->stop();
  EXPECT_EQ(code, 0);
  const std::string log = host_->stderr_text();
  EXPECT_EQ(log.find(valid.substr(valid.rfind('.') + 1)), std::string::npos)
      << "a token signature is in the log";
  EXPECT_EQ(log.find("Bearer"), std::string::npos);
}

}  // namespace
}  // namespace boligflyt::e2e

#include "boligflyt/host/token_authority.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

namespace boligflyt::host {
namespace {

using std::chrono::system_clock;

HostConfig test_config() {
  return parse_host_config(R"({
      "units":[{"id":"boligkontor","name":"Boligkontoret"}],
      "users":[{"id":"kari","display_name":"Kari Solberg","units":["boligkontor"],"roles":["unit_leader"]}]})",
                           "/", "test");
}

const std::string kSecret(32, 'k');

std::string sign_hs256(const std::string& secret, Poco::JWT::Token& token) {
  Poco::JWT::Signer signer(secret);
  return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

Poco::JWT::Token claims(const std::string& sub, int64_t exp_offset_seconds) {
  Poco::JWT::Token token;
  token.setIssuer("boligflyt-dev");
  token.setAudience("boligflyt");
  token.setSubject(sub);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch())
          .count();
  token.payload().set("exp", static_cast<Poco::Int64>(now + exp_offset_seconds));
  return token;
}

std::string base64url(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << text;
  encoder.close();
  return out.str();
}

TEST(TokenAuthorityTest, IssuedTokenVerifiesToTheConfiguredUser) {
  const HostConfig config = test_config();
  auto authority = TokenAuthority::hs256(kSecret, config);
  const std::string token = authority->issue(*config.find_user("kari"));
  const TokenCheck check = authority->verify(token);
  ASSERT_TRUE(check.principal) << check.failure;
  EXPECT_EQ(check.principal->user_id, "kari");
  EXPECT_EQ(check.principal->display_name, "Kari Solberg");
  EXPECT_EQ(check.principal->units, std::vector<std::string>{"boligkontor"});
  EXPECT_EQ(check.principal->roles, std::vector<std::string>{"unit_leader"});
}

TEST(TokenAuthorityTest, RefusesExpiredForeignAndMisaddressedTokens) {
  const HostConfig config = test_config();
  auto authority = TokenAuthority::hs256(kSecret, config);

  auto expired = claims("kari", -3600);
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, expired)).failure, "expired");

  auto other_secret = claims("kari", 3600);
  EXPECT_EQ(authority->verify(sign_hs256(std::string(32, 'x'), other_secret)).failure,
            "bad signature");

  auto wrong_issuer = claims("kari", 3600);
  wrong_issuer.setIssuer("someone-else");
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, wrong_issuer)).failure, "wrong issuer");

  auto wrong_audience = claims("kari", 3600);
  wrong_audience.setAudience("another-app");
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, wrong_audience)).failure, "wrong audience");

  auto unknown_user = claims("mallory", 3600);
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, unknown_user)).failure, "unknown user");

  auto no_expiry = claims("kari", 0);
  no_expiry.payload().remove("exp");
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, no_expiry)).failure, "missing exp");

  EXPECT_FALSE(authority->verify("garbage").principal);
  EXPECT_FALSE(authority->verify("a.b.c").principal);
  EXPECT_FALSE(authority->verify("").principal);
}

TEST(TokenAuthorityTest, RefusesUnsignedAlgNoneToken) {
  const HostConfig config = test_config();
  auto authority = TokenAuthority::hs256(kSecret, config);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch())
          .count();
  const std::string token =
      base64url(R"({"alg":"none","typ":"JWT"})") + "." +
      base64url(R"({"iss":"boligflyt-dev","aud":"boligflyt","sub":"kari","exp":)" +
                std::to_string(now + 3600) + "}") +
      ".";
  const TokenCheck check = authority->verify(token);
  EXPECT_FALSE(check.principal);
}

TEST(TokenAuthorityTest, Rs256TakesUnknownUsersFromClaimsAndRefusesHs256) {
  const HostConfig config = test_config();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("boligflyt-rsa-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Poco::Crypto::RSAKey key(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
  key.save((dir / "public.pem").string());
  auto authority = TokenAuthority::rs256(dir / "public.pem", config);
  EXPECT_FALSE(authority->can_issue());

  Poco::JWT::Signer signer(Poco::SharedPtr<Poco::Crypto::RSAKey>(new Poco::Crypto::RSAKey(key)));
  auto token = claims("ola", 3600);
  token.payload().set("name", "Ola Nordmann");
  Poco::JSON::Array::Ptr units = new Poco::JSON::Array;
  units->add("nav");
  token.payload().set("units", units);
  Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
  roles->add("unit_leader");
  token.payload().set("roles", roles);
  const TokenCheck check = authority->verify(signer.sign(token, Poco::JWT::Signer::ALGO_RS256));
  ASSERT_TRUE(check.principal) << check.failure;
  EXPECT_EQ(check.principal->display_name, "Ola Nordmann");
  EXPECT_EQ(check.principal->units, std::vector<std::string>{"nav"});

  // Key confusion: an HS256 token must not pass, whatever its MAC key.
  auto hs = claims("kari", 3600);
  EXPECT_EQ(authority->verify(sign_hs256(kSecret, hs)).failure, "algorithm not allowed");
  std::filesystem::remove_all(dir);
}

TEST(TokenAuthorityTest, ManyThreadsVerifyAtOnce) {
  // The host verifies on every request thread at once. Poco's per-call OpenSSL
  // initialisation once destroyed its locks under a concurrent verification (the host
  // crashed when 16 clients connected at the same moment).
  const HostConfig config = test_config();
  auto authority = TokenAuthority::hs256(kSecret, config);
  const std::string token = authority->issue(*config.find_user("kari"));
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        if (authority->verify(token).principal) ++accepted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kThreads * kRounds);
}

}  // namespace
}  // namespace boligflyt::host

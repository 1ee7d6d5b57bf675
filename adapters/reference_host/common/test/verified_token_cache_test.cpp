#include "boligflyt/host/verified_token_cache.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "boligflyt/host/token_authority.h"

namespace boligflyt::host {
namespace {

using std::chrono::system_clock;

// No clock skew, so that a token's exp is the moment it stops being accepted.
HostConfig strict_config() {
  return parse_host_config(R"({
      "auth":{"clock_skew_seconds":0},
      "units":[{"id":"boligkontor","name":"Boligkontoret"}],
      "users":[{"id":"kari","display_name":"Kari Solberg","units":["boligkontor"],"roles":["unit_leader"]}]})",
                           "/", "test");
}

Principal principal(const std::string& id) { return Principal{id, id, {"nav"}, {"employee"}}; }

TEST(VerifiedTokenCacheTest, AVerifiedTokenIsRefusedOnceItHasExpired) {
  const HostConfig config = strict_config();
  auto authority = TokenAuthority::hs256(std::string(32, 'k'), config);
  // Whole seconds: exp is written in seconds, so the token lives between 1 and 2 seconds.
  const auto expires = system_clock::now() + std::chrono::seconds(2);
  const std::string token = authority->issue(*config.find_user("kari"), expires);
  ASSERT_TRUE(authority->verify(token).principal);
  ASSERT_TRUE(authority->verify(token).principal);  // now from the cache

  std::this_thread::sleep_until(expires + std::chrono::milliseconds(200));
  const TokenCheck late = authority->verify(token);
  EXPECT_FALSE(late.principal);
  EXPECT_EQ(late.failure, "expired");
}

TEST(VerifiedTokenCacheTest, AnAlteredCopyOfAVerifiedTokenIsStillRefused) {
  const HostConfig config = strict_config();
  const std::string secret(32, 'k');
  auto authority = TokenAuthority::hs256(secret, config);
  const std::string token = authority->issue(*config.find_user("kari"));
  ASSERT_TRUE(authority->verify(token).principal);

  // A character inside the signature: the last one also holds padding bits a decoder may drop.
  std::string altered = token;
  char& inside = altered[altered.size() - 10];
  inside = inside == 'A' ? 'B' : 'A';
  EXPECT_EQ(authority->verify(altered).failure, "bad signature");
  EXPECT_EQ(authority->verify(token + "x").failure, "bad signature");

  // Same claims, another subject: the cache answers by the token, never by its claims.
  Poco::JWT::Token other;
  other.setIssuer("boligflyt-dev");
  other.setAudience("boligflyt");
  other.setSubject("ukjent");
  other.payload().set(
      "exp",
      static_cast<Poco::Int64>(std::chrono::duration_cast<std::chrono::seconds>(
                                   (system_clock::now() + std::chrono::hours(1)).time_since_epoch())
                                   .count()));
  Poco::JWT::Signer signer(secret);
  EXPECT_EQ(authority->verify(signer.sign(other, Poco::JWT::Signer::ALGO_HS256)).failure,
            "unknown user");
}

TEST(VerifiedTokenCacheTest, KeepsAtMostItsCapacityDroppingTheOldestFirst) {
  VerifiedTokenCache cache(3);
  const double now = 1'000'000;
  for (int i = 0; i < 5; ++i) {
    cache.remember(VerifiedTokenCache::key_of("token-" + std::to_string(i)),
                   principal("user-" + std::to_string(i)), now + 3600, now);
    EXPECT_LE(cache.size(), 3U);
  }
  EXPECT_FALSE(cache.find(VerifiedTokenCache::key_of("token-0"), now));
  EXPECT_FALSE(cache.find(VerifiedTokenCache::key_of("token-1"), now));
  for (int i = 2; i < 5; ++i) {
    const auto found = cache.find(VerifiedTokenCache::key_of("token-" + std::to_string(i)), now);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user_id, "user-" + std::to_string(i));
  }
}

TEST(VerifiedTokenCacheTest, ExpiredEntriesAreNotAnsweredAndGoFirstWhenFull) {
  VerifiedTokenCache cache(2);
  const double now = 1'000'000;
  cache.remember(VerifiedTokenCache::key_of("old"), principal("a"), now + 3600, now);
  cache.remember(VerifiedTokenCache::key_of("short"), principal("b"), now + 10, now);
  EXPECT_TRUE(cache.find(VerifiedTokenCache::key_of("short"), now + 9));
  EXPECT_FALSE(cache.find(VerifiedTokenCache::key_of("short"), now + 10));

  // Full: the expired entry makes room, not the older live one.
  cache.remember(VerifiedTokenCache::key_of("new"), principal("c"), now + 3600, now + 20);
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_TRUE(cache.find(VerifiedTokenCache::key_of("old"), now + 20));
  EXPECT_TRUE(cache.find(VerifiedTokenCache::key_of("new"), now + 20));
}

}  // namespace
}  // namespace boligflyt::host

namespace boligflyt::host {
namespace {

TEST(VerifiedTokenCacheTest, KeyIsTheSha256OfTheToken) {
  // FIPS 180-2, appendix B.1; asked twice, as the hashing context is reused per thread.
  for (int round = 0; round < 2; ++round) {
    const VerifiedTokenCache::Key key = VerifiedTokenCache::key_of("abc");
    std::string hex;
    for (const unsigned char byte : key) {
      static constexpr char kDigits[] = "0123456789abcdef";
      hex += kDigits[byte >> 4U];
      hex += kDigits[byte & 0x0FU];
    }
    EXPECT_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}

}  // namespace
}  // namespace boligflyt::host

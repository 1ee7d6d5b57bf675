// RS256 mode: the host verifies tokens of an external identity provider with its public
// key, takes unknown users from the token's claims, and issues no development tokens.

#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Array.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <gtest/gtest.h>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

constexpr const char* kIssuer = "https://idp.kommune.example";

class HostRs256Test : public HostTest {
 protected:
  void SetUp() override {
    key_ = new Poco::Crypto::RSAKey(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
    const std::filesystem::path public_key = temp_.path() / "idp-public.pem";
    key_->save(public_key.string());
    std::string config = json_set(default_config_json(), {"auth", "rs256_public_key_file"},
                                  json_quote(public_key.string()));
    config = json_set(config, {"auth", "issuer"}, json_quote(kIssuer));
    config = json_set(config, {"plugin_path"}, json_quote(BOLIGFLYT_E2E_STUB_PLUGIN));
    ASSERT_NO_FATAL_FAILURE(start_host(write_config(config)));
  }

  std::string sign(const std::string& subject,
                   const std::string& algorithm = Poco::JWT::Signer::ALGO_RS256) {
    Poco::JWT::Token token;
    token.setIssuer(kIssuer);
    token.setAudience("boligflyt");
    token.setSubject(subject);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    token.payload().set("exp", static_cast<Poco::Int64>(now + 600));
    token.payload().set("name", "Ola Nordmann");
    Poco::JSON::Array::Ptr units = new Poco::JSON::Array;
    units->add("nav");
    token.payload().set("units", units);
    Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
    roles->add("unit_leader");
    token.payload().set("roles", roles);
    if (algorithm == Poco::JWT::Signer::ALGO_HS256) {
      return Poco::JWT::Signer(std::string(32, 's')).sign(token, algorithm);
    }
    Poco::JWT::Signer signer(key_);
    signer.setAlgorithms({algorithm});
    return signer.sign(token, algorithm);
  }

  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
};

TEST_F(HostRs256Test, NoDevelopmentTokensArePrinted) {
  EXPECT_TRUE(host_->printed_tokens().empty());
}

TEST_F(HostRs256Test, UnknownSubjectIsTakenFromClaims) {
  const HttpResult response = get("/stub/echo", bearer(sign("ola.nordmann")));
  ASSERT_EQ(response.status, 200u) << response.error << response.body;
  EXPECT_EQ(json_at(response.body, "/principal/user_id"), "ola.nordmann");
  EXPECT_EQ(json_at(response.body, "/principal/display_name"), "Ola Nordmann");
  EXPECT_EQ(json_at(response.body, "/principal/units"), R"(["nav"])");
  EXPECT_EQ(json_at(response.body, "/principal/roles"), R"(["unit_leader"])");
}

TEST_F(HostRs256Test, ConfiguredSubjectIsTakenFromConfig) {
  const HttpResult response = get("/stub/echo", bearer(sign("leder-boligkontor")));
  ASSERT_EQ(response.status, 200u) << response.error << response.body;
  EXPECT_EQ(json_at(response.body, "/principal/display_name"), "Kari Solberg");
  EXPECT_EQ(json_at(response.body, "/principal/units"), R"(["boligkontor"])");
}

TEST_F(HostRs256Test, Hs256TokenIsRejected) {
  EXPECT_EQ(get("/stub/echo", bearer(sign("ola.nordmann", Poco::JWT::Signer::ALGO_HS256))).status,
            401u);
}

}  // namespace
}  // namespace boligflyt::e2e

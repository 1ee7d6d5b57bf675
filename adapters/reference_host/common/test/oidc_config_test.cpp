// auth.oidc: how a municipality points the host at its identity provider, and the mistakes
// the host refuses to start with.

#include <gtest/gtest.h>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {
namespace {

constexpr const char* kUnits =
    R"("units":[{"id":"kommunedirektor","name":"Kommunedirektør","parent":null},)"
    R"({"id":"nav","name":"NAV","parent":"kommunedirektor"}])";

HostConfig parse(const std::string& oidc, const std::string& extra_auth = "") {
  const std::string json =
      std::string("{") + kUnits + R"(,"auth":{)" + extra_auth + R"("oidc":)" + oidc + "}}";
  return parse_host_config(json, "/etc/boligflyt", "test.json");
}

std::string error_of(const std::string& oidc, const std::string& extra_auth = "") {
  try {
    parse(oidc, extra_auth);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(OidcConfigTest, AMunicipalitysProviderWithGroupsMappedToUnitsAndRoles) {
  const HostConfig config = parse(
      R"({"issuer":"https://login.kommune.no/realms/ansatte","audience":"https://boligflyt.kommune.no/api",)"
      R"("client_id":"boligflyt","user_claim":"preferred_username",)"
      R"("groups":{"nav-ledere":{"units":["nav"],"roles":["unit_leader"]},)"
      R"("kvalitet":{"roles":["quality_leader"]}}})");
  ASSERT_TRUE(config.auth.oidc.has_value());
  const OidcConfig& oidc = *config.auth.oidc;
  EXPECT_EQ(oidc.discovery_url,
            "https://login.kommune.no/realms/ansatte/.well-known/openid-configuration");
  EXPECT_EQ(oidc.user_claim, "preferred_username");
  EXPECT_EQ(oidc.name_claim, "name");
  EXPECT_EQ(oidc.groups_claim, "groups");
  EXPECT_EQ(oidc.algorithms, (std::vector<std::string>{"RS256", "ES256"}));
  EXPECT_EQ(oidc.jwks_min_refresh, std::chrono::seconds(30));
  ASSERT_EQ(oidc.groups.size(), 2u);
  EXPECT_EQ(oidc.groups.at("nav-ledere").units, std::vector<std::string>{"nav"});
  EXPECT_EQ(oidc.groups.at("nav-ledere").roles, std::vector<std::string>{"unit_leader"});
  EXPECT_TRUE(oidc.groups.at("kvalitet").units.empty());
  EXPECT_EQ(config.auth.clock_skew, std::chrono::seconds(60));
}

TEST(OidcConfigTest, MistakesAreRefusedNamingTheKey) {
  const std::string groups = R"("groups":{"g":{"units":["nav"]}})";
  EXPECT_NE(error_of(R"({"audience":"a",)" + groups + "}").find("auth.oidc.issuer"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"issuer":"https://idp",)" + groups + "}").find("auth.oidc.audience"),
            std::string::npos);
  // Keys over plain http only from this machine.
  EXPECT_NE(error_of(R"({"issuer":"http://idp.kommune.no","audience":"a",)" + groups + "}")
                .find("https://"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"issuer":"http://127.0.0.1:9/x","audience":"a",)" + groups + "}"),
            "(no error)");
  EXPECT_NE(
      error_of(R"({"issuer":"https://idp","audience":"a","algorithms":["HS256"],)" + groups + "}")
          .find("HS256"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"issuer":"https://idp","audience":"a","groups":{"g":{"units":["x"]}}})")
                .find("auth.oidc.groups.g.units"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"issuer":"https://idp","audience":"a","groups":{"g":{"roles":["sjef"]}}})")
                .find("ukjent rolle «sjef»"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"issuer":"https://idp","audience":"a"})").find("auth.oidc.groups"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"issuer":"https://idp","audience":"a",)" + groups + "}",
                     R"("rs256_public_key_file":"idp.pem",)")
                .find("rs256_public_key_file"),
            std::string::npos);
}

}  // namespace
}  // namespace boligflyt::host

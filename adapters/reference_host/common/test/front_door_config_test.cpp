// The `http` section of the host configuration and the refusal of config files whose
// secrets others can read.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "boligflyt/host/config_file_secrets.h"
#include "boligflyt/host/host_config.h"

namespace boligflyt::host {
namespace {

HostConfig parse(const std::string& json) { return parse_host_config(json, "/tmp", "test.json"); }

TEST(FrontDoorConfigTest, DefaultsWithoutHttpSection) {
  const HostConfig config = parse("{}");
  EXPECT_EQ(config.http.header_limit_bytes, 16U * 1024);
  EXPECT_EQ(config.http.max_body_bytes, 8U * 1024 * 1024);
  EXPECT_EQ(config.http.header_timeout, std::chrono::seconds(20));
  EXPECT_EQ(config.http.max_connections_per_address, 256U);
  EXPECT_EQ(config.http.rate_limit_per_second, 0.0);
  EXPECT_TRUE(config.http.cors_allowed_origins.empty());
  // The embedded default (tests, benchmarks, one developer) has no rate limit either.
  EXPECT_EQ(load_host_config(std::nullopt).http.rate_limit_per_second, 0.0);
}

TEST(FrontDoorConfigTest, ReadsEveryKey) {
  const HostConfig config = parse(R"({"http":{"header_limit_bytes":4096,"max_body_bytes":2048,
      "header_timeout_seconds":3,"request_timeout_seconds":9,"max_connections_per_address":4,
      "rate_limit":{"requests_per_second":2.5,"burst":7},
      "cors_allowed_origins":["https://kvalitet.kommune.no","http://127.0.0.1:9000"]}})");
  EXPECT_EQ(config.http.header_limit_bytes, 4096U);
  EXPECT_EQ(config.http.max_body_bytes, 2048U);
  EXPECT_EQ(config.http.header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(config.http.request_timeout, std::chrono::seconds(9));
  EXPECT_EQ(config.http.max_connections_per_address, 4U);
  EXPECT_EQ(config.http.rate_limit_per_second, 2.5);
  EXPECT_EQ(config.http.rate_limit_burst, 7U);
  EXPECT_EQ(config.http.cors_allowed_origins,
            (std::vector<std::string>{"https://kvalitet.kommune.no", "http://127.0.0.1:9000"}));
}

TEST(FrontDoorConfigTest, RefusesBadValuesNamingTheKey) {
  const auto message = [](const std::string& json) {
    try {
      parse(json);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(message(R"({"http":{"header_limit_bytes":10}})").find("http.header_limit_bytes"),
            std::string::npos);
  EXPECT_NE(message(R"({"http":{"rate_limit":{"requests_per_second":0,"burst":1}}})")
                .find("http.rate_limit.requests_per_second"),
            std::string::npos);
  EXPECT_NE(
      message(R"({"http":{"rate_limit":{"requests_per_second":1}}})").find("http.rate_limit.burst"),
      std::string::npos);
  EXPECT_NE(message(R"({"http":{"cors_allowed_origins":["*"]}})").find("http.cors_allowed_origins"),
            std::string::npos);
  EXPECT_NE(message(R"({"http":{"cors_allowed_origins":["https://a.no/sti"]}})")
                .find("http.cors_allowed_origins"),
            std::string::npos);
  EXPECT_NE(message(R"({"http":{"max_body":1}})").find("http.max_body"), std::string::npos);
}

TEST(FrontDoorConfigTest, RecognisesSecretsInTheConfigText) {
  EXPECT_TRUE(config_holds_secret(
      R"({"plugin":{"store":{"kind":"postgresql","connection":"host=db password = hemmelig"}}})"));
  EXPECT_TRUE(config_holds_secret(R"({"x":"postgresql://bolig:hemmelig@db/boligflyt"})"));
  EXPECT_TRUE(config_holds_secret(R"({"mail":{"password":"hemmelig"}})"));
  EXPECT_TRUE(config_holds_secret(R"({"auth":{"oidc":{"client_secret":"hemmelig"}}})"));
  // A path to a file with the secret, a user without password, and no secret at all.
  EXPECT_FALSE(config_holds_secret(R"({"mail":{"password_file":"/etc/boligflyt/smtp"}})"));
  EXPECT_FALSE(config_holds_secret(R"({"x":"postgresql://bolig@db/boligflyt"})"));
  EXPECT_FALSE(config_holds_secret(embedded_default_config_json()));
}

class ConfigFileModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/boligflyt-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& text, mode_t mode) {
    const std::filesystem::path path = dir_ / "host.json";
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
};

constexpr std::string_view kWithSecret =
    R"({"plugin":{"store":{"kind":"postgresql","connection":"host=db password=Pw-7xq2"}}})";

TEST_F(ConfigFileModeTest, ReadableSecretIsRefusedWithTheFix) {
  const auto path = write(std::string(kWithSecret), 0644);
  try {
    load_host_config(path);
    FAIL() << "a world-readable config with a password was accepted";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("chmod 600"), std::string::npos) << message;
    EXPECT_NE(message.find("0644"), std::string::npos) << message;
    EXPECT_EQ(message.find("Pw-7xq2"), std::string::npos) << "the secret leaked: " << message;
  }
}

TEST_F(ConfigFileModeTest, PrivateSecretAndReadableConfigWithoutSecretAreAccepted) {
  EXPECT_NO_THROW(load_host_config(write(std::string(kWithSecret), 0600)));
  EXPECT_NO_THROW(load_host_config(write(R"({"listen":"127.0.0.1:8080"})", 0644)));
}

}  // namespace
}  // namespace boligflyt::host

// The plugin configuration's "document_library" object (adapters/webdav/webdav_settings.h):
// the URL taken apart, basic or bearer auth from a secret file that is refused when others
// may read it (naming the key, never showing the secret), and bad keys refused by name.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"

namespace boligflyt {
namespace {

namespace fs = std::filesystem;

class DocumentLibraryConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/boligflyt-library-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    secret_ = dir_ / "webdav-passord";
    std::ofstream(secret_) << "hemmelig-passord\n";
    ASSERT_EQ(::chmod(secret_.c_str(), 0600), 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<PluginConfig> parse_with(const std::string& library) {
    return parse_plugin_config(R"({"data_dir":"/x","document_library":)" + library + "}");
  }
  std::string field_of(const std::string& library) {
    auto config = parse_with(library);
    return config ? std::string("(accepted)") : config.error().field;
  }
  std::string secret() const { return "\"" + secret_.string() + "\""; }

  fs::path dir_;
  fs::path secret_;
};

TEST_F(DocumentLibraryConfigTest, BasicAuthOverHttpsWithPortAndPath) {
  auto config = parse_with(R"({"url":"https://dok.kommune.no:8443/dav/kvalitet/",)"
                           R"("user":"boligflyt","password_file":)" +
                           secret() + R"(,"timeout_seconds":12})");
  ASSERT_TRUE(config) << config.error().detail;
  ASSERT_TRUE(config->document_library.has_value());
  const auto& s = *config->document_library;
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.host, "dok.kommune.no");
  EXPECT_EQ(s.port, 8443);
  EXPECT_EQ(s.base_path, "/dav/kvalitet");  // trailing '/' dropped
  EXPECT_EQ(s.user, "boligflyt");
  EXPECT_EQ(s.password, "hemmelig-passord");  // without the newline
  EXPECT_TRUE(s.token.empty());
  EXPECT_EQ(s.timeout_seconds, 12);
}

TEST_F(DocumentLibraryConfigTest, BearerTokenAndDefaultPorts) {
  auto https = parse_with(R"({"url":"https://dok.kommune.no","token_file":)" + secret() + "}");
  ASSERT_TRUE(https) << https.error().detail;
  EXPECT_EQ(https->document_library->port, 443);
  EXPECT_EQ(https->document_library->base_path, "");
  EXPECT_EQ(https->document_library->token, "hemmelig-passord");
  EXPECT_TRUE(https->document_library->user.empty());
  auto http = parse_with(R"({"url":"http://[::1]/dav"})");
  ASSERT_TRUE(http) << http.error().detail;
  EXPECT_FALSE(http->document_library->tls);
  EXPECT_EQ(http->document_library->host, "::1");
  EXPECT_EQ(http->document_library->port, 80);
}

TEST_F(DocumentLibraryConfigTest, WithoutItThereIsNoLibraryOfThePluginsOwn) {
  auto config = parse_plugin_config(R"({"data_dir":"/x"})");
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->document_library.has_value());
}

TEST_F(DocumentLibraryConfigTest, SecretFileOthersMayReadIsRefusedNamingTheKey) {
  for (const mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(secret_.c_str(), mode), 0);
    for (const std::string key : {"password_file", "token_file"}) {
      const std::string auth = key == "password_file" ? R"("user":"boligflyt",)" : "";
      auto config = parse_with(R"({"url":"https://dok.kommune.no",)" + auth + "\"" + key +
                               "\":" + secret() + "}");
      ASSERT_FALSE(config) << std::oct << mode << " " << key;
      EXPECT_EQ(config.error().field, "document_library." + key);
      EXPECT_NE(config.error().detail.find("chmod 600"), std::string::npos);
      EXPECT_EQ(config.error().detail.find("hemmelig"), std::string::npos);
    }
  }
}

TEST_F(DocumentLibraryConfigTest, BadOrMissingKeysAreRefusedByName) {
  EXPECT_EQ(field_of(R"({"user":"boligflyt"})"), "document_library.url");
  EXPECT_EQ(field_of(R"({"url":"ftp://dok.kommune.no"})"), "document_library.url");
  EXPECT_EQ(field_of(R"({"url":"https://"})"), "document_library.url");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no:99999"})"), "document_library.url");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no/dav?x=1"})"), "document_library.url");
  // Credentials in the URL would end up in logs; they belong in the secret file.
  EXPECT_EQ(field_of(R"({"url":"https://boligflyt:passord@dok.kommune.no"})"),
            "document_library.url");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","user":"boligflyt"})"),
            "document_library.password_file");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","password_file":)" + secret() + "}"),
            "document_library.user");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","user":"b","password_file":)" + secret() +
                     R"(,"token_file":)" + secret() + "}"),
            "document_library.token_file");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","user":"b","password_file":"relativ"})"),
            "document_library.password_file");
  EXPECT_EQ(field_of(R"({"url":"http://dok.kommune.no","ca_file":"/etc/hostname"})"),
            "document_library.ca_file");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","ca_file":"/finnes/ikke.pem"})"),
            "document_library.ca_file");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","timeout_seconds":0})"),
            "document_library.timeout_seconds");
  EXPECT_EQ(field_of(R"({"url":"https://dok.kommune.no","mappe":"x"})"), "document_library.mappe");
  EXPECT_EQ(field_of(R"("https://dok.kommune.no")"), "document_library");
}

}  // namespace
}  // namespace boligflyt

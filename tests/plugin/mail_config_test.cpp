// The plugin configuration's "mail" object (adapters/smtp/smtp_settings.h): what is taken,
// and that a password file others may read is refused, naming the key.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"

namespace boligflyt {
namespace {

namespace fs = std::filesystem;

class MailConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/boligflyt-mail-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    password_file_ = dir_ / "smtp-passord";
    std::ofstream(password_file_) << "hemmelig-passord\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<PluginConfig> parse_with_mail(const std::string& mail) {
    return parse_plugin_config(R"({"data_dir":"/x","mail":)" + mail + "}");
  }
  std::string with_password() const {
    return R"({"server":"smtp.kommune.no","port":587,"from":"boligflyt@kommune.no",)"
           R"("link_base":"https://kvalitet.kommune.no/","user":"boligflyt",)"
           R"("password_file":")" +
           password_file_.string() + R"("})";
  }

  fs::path dir_;
  fs::path password_file_;
};

TEST_F(MailConfigTest, ReadsServerAddressLinkAndThePasswordFromItsFile) {
  ASSERT_EQ(::chmod(password_file_.c_str(), 0600), 0);
  auto config = parse_with_mail(with_password());
  ASSERT_TRUE(config) << config.error().detail;
  ASSERT_TRUE(config->mail.has_value());
  EXPECT_EQ(config->mail->server, "smtp.kommune.no");
  EXPECT_EQ(config->mail->port, 587);
  EXPECT_EQ(config->mail->from, "boligflyt@kommune.no");
  EXPECT_EQ(config->mail->link_base, "https://kvalitet.kommune.no");  // trailing '/' dropped
  EXPECT_EQ(config->mail->user, "boligflyt");
  EXPECT_EQ(config->mail->password, "hemmelig-passord");  // without the newline
}

TEST_F(MailConfigTest, WithoutMailThePluginSendsNone) {
  auto config = parse_plugin_config(R"({"data_dir":"/x"})");
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->mail.has_value());
}

TEST_F(MailConfigTest, PasswordFileOthersMayReadIsRefusedNamingTheKey) {
  for (const mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(password_file_.c_str(), mode), 0);
    auto config = parse_with_mail(with_password());
    ASSERT_FALSE(config) << std::oct << mode;
    EXPECT_EQ(config.error().field, "mail.password_file");
    EXPECT_NE(config.error().detail.find("chmod 600"), std::string::npos);
    // The refusal never shows the secret.
    EXPECT_EQ(config.error().detail.find("hemmelig"), std::string::npos);
  }
}

TEST_F(MailConfigTest, BadOrMissingKeysAreRefusedByName) {
  const std::string base = R"("server":"s","from":"b@k.no","link_base":"https://k.no")";
  auto field_of = [&](const std::string& mail) {
    auto config = parse_with_mail(mail);
    return config ? std::string("(accepted)") : config.error().field;
  };
  EXPECT_EQ(field_of(R"({"from":"b@k.no","link_base":"https://k.no"})"), "mail.server");
  EXPECT_EQ(field_of(R"({"server":"s","from":"ikke en adresse","link_base":"https://k.no"})"),
            "mail.from");
  EXPECT_EQ(field_of(R"({"server":"s","from":"b@k.no","link_base":"k.no"})"), "mail.link_base");
  EXPECT_EQ(field_of("{" + base + R"(,"port":0})"), "mail.port");
  EXPECT_EQ(field_of("{" + base + R"(,"passord":"x"})"), "mail.passord");
  EXPECT_EQ(field_of("{" + base + R"(,"user":"u"})"), "mail.password_file");
  EXPECT_EQ(field_of("{" + base + R"(,"password_file":"relativ"})"), "mail.user");
  EXPECT_EQ(field_of("{" + base + "}"), "(accepted)");
}

}  // namespace
}  // namespace boligflyt

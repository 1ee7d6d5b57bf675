// E-mail to the responsible leader, against a real SMTP server: Debian's OpenSMTPD
// (/usr/sbin/smtpd, package opensmtpd) on a loopback port, delivering every address to a
// maildir in the test's folder that the test reads. smtpd needs root to start (it drops to
// its own users, opensmtpd/opensmtpq, and delivers as "nobody"); the test runs it as root
// with its own configuration, in the foreground (-d), and stops it with SIGTERM. Its queue
// (/var/spool/smtpd) and control socket are the system's: one such test at a time, and no
// system OpenSMTPD running (the package's service is not needed; `systemctl disable --now
// opensmtpd` where it was started).
//
// Checked: recipient, subject, link, no free text and no person; then, with the server
// stopped, avvik are registered, the server is started again, and every message arrives
// exactly once; and a revision that changes steps reaches the leaders of those units.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

#include "support/host_test.h"
#include "support/loopback_port.h"
#include "support/procedure_drafts.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kSmtpd = "/usr/sbin/smtpd";

class MailTest : public HostTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "OpenSMTPD needs root to start; run the suite as root "
                                  "(./packaging/bootstrap.sh test does)";
    ASSERT_TRUE(fs::exists(kSmtpd)) << "install Debian's opensmtpd (packaging/bootstrap.sh)";
    // smtpd delivers as "nobody": the maildir and the folders above it must let it through.
    fs::permissions(temp_.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    maildir_ = temp_.path() / "maildir";
    fs::create_directories(maildir_);
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    ASSERT_EQ(::chown(maildir_.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    smtp_port_ = free_loopback_port();
    ASSERT_NE(smtp_port_, 0);
    const fs::path conf = temp_.path() / "smtpd.conf";
    write_file(conf,
               "table everyone { \"@\" = \"nobody\" }\n"
               "listen on 127.0.0.1 port " +
                   std::to_string(smtp_port_) +
                   "\n"
                   "action \"box\" maildir \"" +
                   maildir_.string() +
                   "\" virtual <everyone>\n"
                   "match from any for any action \"box\"\n");
    fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write);
    smtpd_conf_ = conf;
  }

  void TearDown() override {
    HostTest::TearDown();
    stop_smtpd();
  }

  void start_smtpd() {
    smtpd_ = ChildProcess::start({kSmtpd, "-d", "-f", smtpd_conf_.string()},
                                 temp_.path() / "smtpd.stderr");
    const auto deadline = deadline_in(15s);
    while (!accepts_connections(smtp_port_) && Clock::now() < deadline && smtpd_->running()) {
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(accepts_connections(smtp_port_)) << smtpd_->stderr_text();
  }

  void stop_smtpd() {
    if (!smtpd_) return;
    smtpd_->send_signal(SIGTERM);
    smtpd_->wait(deadline_in(15s));
    smtpd_.reset();
  }

  void start_host_with_mail() {
    const std::string plugin =
        R"({"notifications":{"first_retry_seconds":1,"max_retry_seconds":2,"max_attempts":200},)"
        R"("mail":{"server":"127.0.0.1","port":)" +
        std::to_string(smtp_port_) +
        R"(,"from":"boligflyt@kommune.test","link_base":"http://kvalitet.kommune.test/",)"
        R"("timeout_seconds":5}})";
    ASSERT_NO_FATAL_FAILURE(
        start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  }

  std::string register_avvik(const std::string& title) {
    Headers h = bearer(token("leder-nav"));
    h.emplace_back("Content-Type", "application/json");
    const auto created = http_request(
        host_->port(), "POST", "/api/v1/deviations", h,
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
        R"("incident_date":"2025-06-02","category":"uklart_ansvar","severity":"middels",)"
        R"("title":")" +
            title + R"(","description":"Ingen innkalling til møtet for leietaker."})");
    EXPECT_EQ(created.status, 201u) << created.body;
    return json_at(created.body, "/id").value_or("");
  }

  /// Every delivered message (maildir new/ and cur/), its text by file name.
  std::map<std::string, std::string> delivered() const {
    std::map<std::string, std::string> out;
    for (const char* sub : {"new", "cur"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(maildir_ / sub, ec)) {
        out[entry.path().filename().string()] = read_file(entry.path());
      }
    }
    return out;
  }

  /// Messages mentioning `needle`, polled until there are `count` or the deadline passes.
  std::vector<std::string> wait_for_mail(const std::string& needle, std::size_t count,
                                         std::chrono::seconds timeout) {
    const auto deadline = deadline_in(timeout);
    std::vector<std::string> found;
    do {
      found.clear();
      for (const auto& [name, text] : delivered()) {
        if (text.find(needle) != std::string::npos) found.push_back(text);
      }
      if (found.size() >= count) break;
      std::this_thread::sleep_for(100ms);
    } while (Clock::now() < deadline);
    return found;
  }

  fs::path maildir_;
  fs::path smtpd_conf_;
  int smtp_port_ = 0;
  std::unique_ptr<ChildProcess> smtpd_;
};

TEST_F(MailTest, NewAvvikMailsTheResponsibleLeaderWithALinkAndNoFreeText) {
  ASSERT_NO_FATAL_FAILURE(start_smtpd());
  ASSERT_NO_FATAL_FAILURE(start_host_with_mail());
  const std::string id = register_avvik("Innkalling mangler");
  ASSERT_FALSE(id.empty());

  const auto mails = wait_for_mail("Subject: Nytt avvik " + id + " ", 1, 30s);
  ASSERT_EQ(mails.size(), 1u) << host_->stderr_text();
  const std::string& mail = mails.front();
  // Tildelingsmøtet belongs to Boligkontoret: its leader, and only they, get it.
  EXPECT_NE(mail.find("To: leder-boligkontor@kommune.test"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("leder-nav@"), std::string::npos) << mail;
  EXPECT_NE(mail.find("From: boligflyt@kommune.test"), std::string::npos) << mail;
  EXPECT_NE(mail.find("http://kvalitet.kommune.test/avvik/" + id), std::string::npos) << mail;
  EXPECT_NE(mail.find("Boligkontoret"), std::string::npos) << mail;
  // No free text, and nobody's name.
  EXPECT_EQ(mail.find("Innkalling mangler"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("Ingen innkalling"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("leietaker"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("Aisha Rahman"), std::string::npos) << mail;
  EXPECT_EQ(mail.find("Kari Solberg"), std::string::npos) << mail;
}

TEST_F(MailTest, MailWaitsWhileTheServerIsDownAndArrivesExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(start_smtpd());
  ASSERT_NO_FATAL_FAILURE(start_host_with_mail());
  stop_smtpd();
  ASSERT_FALSE(accepts_connections(smtp_port_));

  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(register_avvik("Avvik " + std::to_string(i)));
  // Each mail was tried and refused at least once while the server was down.
  const auto deadline = deadline_in(30s);
  auto refused = [&] {
    const std::string log = host_->stderr_text();
    std::size_t n = 0;
    for (auto at = log.find("outbox_retry_later"); at != std::string::npos;
         at = log.find("outbox_retry_later", at + 1)) {
      const auto end = log.find('\n', at);
      if (log.substr(at, end - at).find("\"mail\"") != std::string::npos) ++n;
    }
    return n;
  };
  while (refused() < 3 && Clock::now() < deadline) std::this_thread::sleep_for(100ms);
  ASSERT_GE(refused(), 3u) << host_->stderr_text();
  EXPECT_TRUE(delivered().empty());

  ASSERT_NO_FATAL_FAILURE(start_smtpd());
  for (const auto& id : ids) {
    EXPECT_EQ(wait_for_mail("Subject: Nytt avvik " + id + " ", 1, 30s).size(), 1u) << id;
  }
  // One more, sent after the three: once it is there the relay has passed them all, and
  // still each of the three is there once.
  const std::string last = register_avvik("Etterpå");
  EXPECT_EQ(wait_for_mail("Subject: Nytt avvik " + last + " ", 1, 30s).size(), 1u);
  for (const auto& id : ids) {
    EXPECT_EQ(wait_for_mail("Subject: Nytt avvik " + id + " ", 1, 1s).size(), 1u) << id;
  }
  EXPECT_EQ(wait_for_mail("Subject: Nytt avvik ", 4, 1s).size(), 4u);
}

// The shared draft revision (4.1 on 4.0) moves early contact on rent arrears from
// Boligkontoret to NAV: the høring and the publication go to the leaders of those two units,
// with a link to the version.
TEST_F(MailTest, RevisionThatChangesStepsMailsTheLeadersOfTheAffectedUnits) {
  ASSERT_NO_FATAL_FAILURE(start_smtpd());
  ASSERT_NO_FATAL_FAILURE(start_host_with_mail());
  auto call = [&](const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& type = "application/json") {
    Headers h = bearer(token(user));
    h.emplace_back("Content-Type", type);
    return http_request(host_->port(), method, target, h, body);
  };
  const std::string v4 = std::string("/api/v1/procedures/boligflytprosedyre/versions/") +
                         boligflyt::testing::kDraftVersion;
  const auto upload =
      call("prosedyreeier", "POST", "/api/v1/procedures/boligflytprosedyre/versions",
           boligflyt::testing::draft_revision(), "application/xml");
  ASSERT_EQ(upload.status, 201u) << upload.body;
  ASSERT_EQ(
      call("prosedyreeier", "POST", v4 + "/consultation", R"({"deadline":"2099-12-31"})").status,
      200u);
  for (const char* unit : {"nav", "boligkontor"}) {
    ASSERT_EQ(call(std::string("leder-") + unit, "PUT", v4 + "/consultation/answers/" + unit,
                   R"({"answer":"agree"})")
                  .status,
              200u);
  }
  ASSERT_EQ(call("godkjenner", "POST", v4 + "/approval", "").status, 200u);
  ASSERT_EQ(
      call("godkjenner", "POST", v4 + "/publication",
           std::string(R"({"effective_from":")") + boligflyt::testing::kDraftEffectiveFrom + "\"}")
          .status,
      200u);

  // Two mails to each of the two leaders: the høring and the new version.
  const auto mails = wait_for_mail(std::string("http://kvalitet.kommune.test/revisjon?versjon=") +
                                       boligflyt::testing::kDraftVersion,
                                   4, 30s);
  ASSERT_EQ(mails.size(), 4u) << host_->stderr_text();
  std::map<std::string, int> per_recipient;
  for (const auto& mail : mails) {
    for (const char* leader : {"leder-nav", "leder-boligkontor", "leder-eiendom"}) {
      if (mail.find(std::string("To: ") + leader + "@kommune.test") != std::string::npos)
        ++per_recipient[leader];
    }
  }
  EXPECT_EQ(per_recipient["leder-nav"], 2);
  EXPECT_EQ(per_recipient["leder-boligkontor"], 2);
  EXPECT_EQ(per_recipient["leder-eiendom"], 0);
}

}  // namespace
}  // namespace boligflyt::e2e

// Personvernavvik and escalation over real HTTP against the real host and plugin: a
// personvernavvik reaches the data-protection officer, who sees it; when the host is
// restarted with its development clock 75 hours ahead (--dev-clock-offset), the assessment
// deadline (72 hours) and the receive deadline (3 days) have passed by more than the
// escalation delay, and each deadline is escalated exactly once, however many maintenance
// cycles run. The test clock itself is refused off loopback.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "support/host_test.h"
#include "support/norway_date.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

// 75 hours: past 72 hours (assessment, and the default 3 days to receive) by more than the
// one hour escalation delay configured below.
constexpr const char* kOffsetSeconds = "270000";

class PrivacyEscalationTest : public HostTest {
 protected:
  std::filesystem::path config() {
    const std::string plugin =
        R"({"maintenance_interval_ms":100,"deviations":{"escalate_after":"PT1H",
            "data_protection_officer":{"user":"personvernombud"}}})";
    return write_config(json_set(default_config_json(), {"plugin"}, plugin));
  }

  void start_with_offset(const std::string& seconds) {
    HostOptions options;
    options.data_dir = data_dir();
    options.config_file = config();
    options.extra_args = {"--dev-clock-offset", seconds};
    std::string failure;
    host_ = HostProcess::start(options, temp_.path(), failure);
    ASSERT_NE(host_, nullptr) << failure;
  }

  std::vector<std::string> notification_lines(const std::string& needle) const {
    std::vector<std::string> out;
    std::ifstream in(data_dir() / "outbox" / "notifications.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  /// Lines mentioning `needle`, polled until there are `count` or the deadline passes.
  std::vector<std::string> wait_for_lines(const std::string& needle, std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    auto lines = notification_lines(needle);
    while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
      lines = notification_lines(needle);
    }
    return lines;
  }

  std::string register_avvik(const std::string& category) {
    Headers h = bearer(token("leder-boligkontor"));
    h.emplace_back("Content-Type", "application/json");
    const auto created = http_request(
        host_->port(), "POST", "/api/v1/deviations", h,
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote","incident_date":")" +
            norway_date(0) + R"(","category":")" + category +
            R"(","severity":"hoy","title":"Innstilling sendt til feil etat",
                "description":"Innstillingen med helseopplysninger gikk til feil mottaker."})");
    EXPECT_EQ(created.status, 201u) << created.body;
    return json_at(created.body, "/id").value_or("");
  }

  std::size_t escalated_events(const std::string& id) {
    const auto history =
        get("/api/v1/deviations/" + id + "/history", bearer(token("kvalitetsleder")));
    EXPECT_EQ(history.status, 200u) << history.body;
    std::size_t n = 0;
    for (std::size_t at = history.body.find(R"("kind":"escalated")"); at != std::string::npos;
         at = history.body.find(R"("kind":"escalated")", at + 1)) {
      ++n;
    }
    return n;
  }
};

TEST_F(PrivacyEscalationTest, PersonvernavvikReachesTheOfficerAndIsEscalatedOnceAfter72Hours) {
  ASSERT_NO_FATAL_FAILURE(start_host(config()));
  const auto privacy = register_avvik("personvernavvik");
  const auto ordinary = register_avvik("uklart_ansvar");
  ASSERT_FALSE(privacy.empty());
  ASSERT_FALSE(ordinary.empty());

  const auto to_officer = wait_for_lines(privacy + ":privacy-officer", 1);
  ASSERT_EQ(to_officer.size(), 1u);
  EXPECT_NE(to_officer[0].find(R"("user_id":"personvernombud")"), std::string::npos)
      << to_officer[0];
  // Only id, step, unit, category and deadline leave the plugin.
  for (const auto& line : notification_lines(privacy)) {
    EXPECT_EQ(line.find("feil etat"), std::string::npos) << line;
    EXPECT_EQ(line.find("helseopplysninger"), std::string::npos) << line;
  }

  const auto seen = get("/api/v1/deviations/" + privacy, bearer(token("personvernombud")));
  ASSERT_EQ(seen.status, 200u) << seen.body;
  EXPECT_EQ(json_at(seen.body, "/personal_data"), "true");
  EXPECT_EQ(json_at(seen.body, "/can_assess"), "true");
  EXPECT_EQ(get("/api/v1/deviations/" + ordinary, bearer(token("personvernombud"))).status, 404u)
      << "the officer sees personvernavvik only";
  EXPECT_EQ(get("/api/v1/deviations/" + privacy, bearer(token("leder-okonomi"))).status, 404u);
  EXPECT_TRUE(notification_lines(":escalation:").empty()) << "nothing is due yet";

  // 75 hours later.
  ASSERT_EQ(host_->stop(), 0);
  ASSERT_NO_FATAL_FAILURE(start_with_offset(kOffsetSeconds));
  const auto assessment = wait_for_lines(privacy + ":escalation:assessment:", 2);
  ASSERT_EQ(assessment.size(), 2u);
  const auto has = [&](const std::string& text) {
    return std::any_of(assessment.begin(), assessment.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(has(R"("unit_id":"kommunedirektor","role":"unit_leader")"))
      << "the parent unit's leaders, from the host's directory";
  EXPECT_TRUE(has(R"("role":"quality_leader")")) << "and the quality leader";
  ASSERT_EQ(wait_for_lines(ordinary + ":escalation:receive:", 2).size(), 2u);

  // More maintenance cycles (every 100 ms) change nothing: once per deadline.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(notification_lines(privacy + ":escalation:assessment:").size(), 2u);
  EXPECT_EQ(notification_lines(privacy + ":escalation:receive:").size(), 2u);
  EXPECT_EQ(notification_lines(ordinary + ":escalation:").size(), 2u);
  EXPECT_EQ(escalated_events(ordinary), 1u);
  EXPECT_EQ(escalated_events(privacy), 2u) << "its assessment and its receive deadline";

  const auto after = get("/api/v1/deviations/" + privacy, bearer(token("personvernombud")));
  EXPECT_EQ(json_at(after.body, "/deadlines/assessment_overdue"), "true") << after.body;
  EXPECT_EQ(json_array_size(after.body, "/escalations"), 2u);

  // The officer records the assessment (late): statistics count it so.
  Headers h = bearer(token("personvernombud"));
  h.emplace_back("Content-Type", "application/json");
  const auto assessed = http_request(
      host_->port(), "PUT", "/api/v1/deviations/" + privacy + "/privacy-assessment", h,
      R"({"risk":"lav","notify_required":false,"reason_not_notified":"Returnert uåpnet."})");
  ASSERT_EQ(assessed.status, 200u) << assessed.body;
  EXPECT_EQ(json_at(assessed.body, "/privacy_assessment/in_time"), "false");
  const auto stats = get("/api/v1/statistics/deviations", bearer(token("kvalitetsleder")));
  EXPECT_EQ(json_at(stats.body, "/privacy/total"), "1") << stats.body;
  EXPECT_EQ(json_at(stats.body, "/privacy/assessed_late"), "1") << stats.body;
}

TEST_F(PrivacyEscalationTest, PersonvernavvikIsArchivedSkjermetWithAPublicTitleSayingOnlyWhere) {
  const std::string plugin =
      R"({"maintenance_interval_ms":100,"archive":{"export_on_register":true},)"
      R"("deviations":{"data_protection_officer":{"user":"personvernombud"}}})";
  ASSERT_NO_FATAL_FAILURE(
      start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  const auto id = register_avvik("personvernavvik");
  ASSERT_FALSE(id.empty());
  // The registration's export, as the archive gets it.
  std::string message;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (message.empty() && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (auto it =
             std::filesystem::recursive_directory_iterator(data_dir() / "arkiv" / "utgaaende", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() != "arkivmelding.xml") continue;
      std::ifstream in(it->path());
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      if (text.find(id) != std::string::npos) message = text;
    }
    if (message.empty()) std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(message.empty()) << host_->stderr_text();
  EXPECT_NE(message.find("Offl. § 13 jf. fvl. § 13"), std::string::npos)
      << "skjermet: a personvernavvik is always personal data";
  std::size_t titles = 0;
  for (auto at = message.find("<offentligTittel>"); at != std::string::npos;
       at = message.find("<offentligTittel>", at + 1)) {
    const auto end = message.find("</offentligTittel>", at);
    ASSERT_NE(end, std::string::npos);
    const std::string title = message.substr(at, end - at);
    ++titles;
    EXPECT_NE(title.find(id), std::string::npos) << title;
    for (const char* word : {"feil etat", "Innstilling", "helseopplysninger", "ersonvern"}) {
      EXPECT_EQ(title.find(word), std::string::npos) << title;
    }
  }
  EXPECT_GT(titles, 0u);
}

TEST_F(PrivacyEscalationTest, TheTestClockIsRefusedOffLoopback) {
  HostOptions options;
  options.data_dir = data_dir();
  options.config_file = config();
  options.extra_args = {"--listen", "0.0.0.0:0", "--dev-clock-offset", "60"};
  std::string failure;
  host_ = HostProcess::start(options, temp_.path(), failure, 20s);
  EXPECT_EQ(host_, nullptr) << "a host with a clock ahead must not listen beyond loopback";
  EXPECT_NE(failure.find("--dev-clock-offset"), std::string::npos) << failure;
}

TEST_F(PrivacyEscalationTest, TheTestClockCannotBeSetThroughThePluginSettings) {
  const auto file = write_config(json_set(default_config_json(), {"plugin"},
                                          R"({"development":{"clock_offset_seconds":60}})"));
  HostOptions options;
  options.data_dir = data_dir();
  options.config_file = file;
  std::string failure;
  host_ = HostProcess::start(options, temp_.path(), failure, 20s);
  EXPECT_EQ(host_, nullptr);
  EXPECT_NE(failure.find("plugin.development"), std::string::npos) << failure;
}

}  // namespace
}  // namespace boligflyt::e2e

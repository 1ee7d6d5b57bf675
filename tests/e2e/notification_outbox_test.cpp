// Nothing acknowledged is lost: when the quality system cannot take a notification, the
// plugin keeps it in its outbox and retries until it can. The reference host refuses
// notifications for real here — its notifications file is made unwritable by putting a
// folder in its place (which stops root too) — and takes them again once it is removed.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

class NotificationOutboxTest : public HostTest {
 protected:
  void start_with_fast_retries() {
    const std::string plugin =
        R"({"notifications":{"first_retry_seconds":1,"max_retry_seconds":2,"max_attempts":50}})";
    ASSERT_NO_FATAL_FAILURE(
        start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  }

  std::filesystem::path notifications_file() const {
    return data_dir() / "outbox" / "notifications.jsonl";
  }

  /// Lines of the notifications file that mention `needle`, polled until `count` are there
  /// or the deadline passes.
  std::size_t wait_for_lines(const std::string& needle, std::size_t count,
                             std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t found = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      found = 0;
      std::ifstream in(notifications_file());
      for (std::string line; std::getline(in, line);) {
        if (line.find(needle) != std::string::npos) ++found;
      }
      if (found >= count) return found;
      std::this_thread::sleep_for(100ms);
    }
    return found;
  }

  HttpResult register_avvik(const std::string& user) {
    Headers h = bearer(token(user));
    h.emplace_back("Content-Type", "application/json");
    return http_request(host_->port(), "POST", "/api/v1/deviations", h,
                        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",
                            "incident_date":"2025-06-02","category":"uklart_ansvar",
                            "severity":"middels","title":"Innkalling mangler",
                            "description":"Ingen innkalling til møtet."})");
  }
};

TEST_F(NotificationOutboxTest, RefusedNotificationIsKeptAndDeliveredWhenTheHostRecovers) {
  ASSERT_NO_FATAL_FAILURE(start_with_fast_retries());
  // The host cannot write notifications: a folder stands where its file should be.
  std::filesystem::remove(notifications_file());
  std::filesystem::create_directories(notifications_file());

  const auto created = register_avvik("leder-nav");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json_at(created.body, "/id").value_or("");

  // The quality leader sees it waiting with the host's refusal, not dropped.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string pending_body;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto outbox =
        get("/api/v1/notifications?status=pending", bearer(token("kvalitetsleder")));
    ASSERT_EQ(outbox.status, 200u) << outbox.body;
    pending_body = outbox.body;
    if (json_at(outbox.body, "/items/0/attempts").value_or("0") != "0") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(pending_body.find(id), std::string::npos) << pending_body;
  EXPECT_NE(json_at(pending_body, "/items/0/attempts").value_or("0"), "0") << pending_body;
  EXPECT_TRUE(json_at(pending_body, "/items/0/last_error").has_value()) << pending_body;
  EXPECT_EQ(get("/api/v1/notifications", bearer(token("leder-nav"))).status, 403u);

  // The host recovers: the notification arrives, exactly once.
  std::filesystem::remove(notifications_file());
  EXPECT_EQ(wait_for_lines(id, 1, 20s), 1u);
  std::this_thread::sleep_for(2500ms);  // one more retry period: no second copy
  EXPECT_EQ(wait_for_lines(id, 1, 1s), 1u);
  const auto delivered =
      get("/api/v1/notifications?status=delivered", bearer(token("kvalitetsleder")));
  EXPECT_NE(delivered.body.find(id), std::string::npos) << delivered.body;
  const auto metrics = get("/metrics", bearer(token("kvalitetsleder")));
  EXPECT_NE(
      metrics.body.find("boligflyt_outbox_messages{topic=\"notification\",status=\"delivered\"}"),
      std::string::npos);
}

TEST_F(NotificationOutboxTest, PendingNotificationSurvivesAHostRestart) {
  ASSERT_NO_FATAL_FAILURE(start_with_fast_retries());
  std::filesystem::remove(notifications_file());
  std::filesystem::create_directories(notifications_file());
  const auto created = register_avvik("leder-nav");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json_at(created.body, "/id").value_or("");
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();

  std::filesystem::remove(notifications_file());
  ASSERT_NO_FATAL_FAILURE(start_with_fast_retries());
  EXPECT_EQ(wait_for_lines(id, 1, 20s), 1u) << "the notification acknowledged before the "
                                               "restart still reaches the leader";
}

TEST_F(NotificationOutboxTest, NotificationsThatWaitedArriveTogetherEachExactlyOnce) {
  // ABI 1.2: the reference host takes a round of notifications in one notify_batch call, one
  // write and one fsync, and says so in its log; nothing is written twice.
  ASSERT_NO_FATAL_FAILURE(start_with_fast_retries());
  std::filesystem::remove(notifications_file());
  std::filesystem::create_directories(notifications_file());
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    const auto created = register_avvik("leder-nav");
    ASSERT_EQ(created.status, 201u) << created.body;
    ids.push_back(json_at(created.body, "/id").value_or(""));
  }
  std::this_thread::sleep_for(2500ms);  // every one refused at least once, retries lined up
  std::filesystem::remove(notifications_file());
  for (const auto& id : ids) EXPECT_EQ(wait_for_lines(id + ":registered:", 1, 20s), 1u) << id;
  std::this_thread::sleep_for(2500ms);  // one more retry period: no second copy
  for (const auto& id : ids) EXPECT_EQ(wait_for_lines(id + ":registered:", 1, 1s), 1u) << id;

  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();
  const std::string log = host_->stderr_text();
  std::size_t largest = 0;
  const std::string marker = R"("event":"notifications_written")";
  for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
    const auto line = log.substr(at, log.find('\n', at) - at);
    if (const auto count = json_at("{" + line, "/count")) {
      largest = std::max<std::size_t>(largest, std::stoul(*count));
    }
  }
  EXPECT_GE(largest, 2u) << "the waiting notifications came one per write:\n" << log;
}

TEST_F(NotificationOutboxTest, OverdueAvvikIsListedAndItsLeaderRemindedOnce) {
  const std::string plugin =
      R"({"deviations":{"receive_within":"PT1S"},"maintenance_interval_ms":200})";
  ASSERT_NO_FATAL_FAILURE(
      start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  const auto created = register_avvik("leder-nav");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json_at(created.body, "/id").value_or("");

  // One reminder to the responsible unit (tildelingsmøte: boligkontor) once the second to
  // receive it has passed; the background scan runs every 200 ms but reminds only once.
  EXPECT_EQ(wait_for_lines(id + ":reminder:receive", 1, 20s), 1u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(wait_for_lines(id + ":reminder:receive", 1, 1s), 1u);
  EXPECT_EQ(wait_for_lines("Påminnelse", 1, 1s), 1u);

  const auto overdue = get("/api/v1/deviations?overdue=true", bearer(token("leder-boligkontor")));
  ASSERT_EQ(overdue.status, 200u) << overdue.body;
  EXPECT_EQ(json_at(overdue.body, "/items/0/id"), id);
  EXPECT_EQ(json_at(overdue.body, "/items/0/deadlines/overdue"), "true");
  const auto stats = get("/api/v1/statistics/deviations", bearer(token("leder-okonomi")));
  EXPECT_EQ(json_at(stats.body, "/overdue_deviations"), "1") << stats.body;

  // Received: no longer overdue (the 30-day close deadline is far away).
  Headers h = bearer(token("leder-boligkontor"));
  h.emplace_back("Content-Type", "application/json");
  ASSERT_EQ(http_request(host_->port(), "POST", "/api/v1/deviations/" + id + "/transitions", h,
                         R"({"transition":"motta"})")
                .status,
            200u);
  const auto after = get("/api/v1/deviations?overdue=true", bearer(token("kvalitetsleder")));
  EXPECT_EQ(json_array_size(after.body, "/items"), 0u) << after.body;
}

}  // namespace
}  // namespace boligflyt::e2e

// The outbox: messages written once per dedupe key, claimed under a lease so that two workers
// (or two nodes) never take the same message at once, and finished with the outcome.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

std::vector<std::string> keys_of(const std::vector<OutboxMessage>& messages) {
  std::vector<std::string> keys;
  keys.reserve(messages.size());
  for (const auto& m : messages) keys.push_back(m.dedupe_key);
  return keys;
}

TEST_P(StoreSuite, OutboxIgnoresKnownDedupeKeys) {
  auto first = make_message("k1");
  first.payload_json = R"({"v":1})";
  auto duplicate = make_message("k1");
  duplicate.payload_json = R"({"v":2})";
  ASSERT_TRUE(store().enqueue_outbox({first, make_message("k2"), duplicate}));
  ASSERT_TRUE(store().enqueue_outbox({make_message("k2"), make_message("a1", "archive")}));
  ASSERT_TRUE(store().enqueue_outbox({}));

  auto counts = store().outbox_counts("notification");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(counts->delivered, 0);
  EXPECT_EQ(counts->dead, 0);
  auto list = store().list_outbox("notification", "", 10);
  ASSERT_TRUE(list);
  EXPECT_EQ(keys_of(*list), (std::vector<std::string>{"k2", "k1"}));  // newest first
  EXPECT_EQ(list->at(1).payload_json, R"({"v":1})") << "the first message under a key wins";
  EXPECT_EQ(list->at(1).topic, "notification");
  EXPECT_EQ(list->at(1).status, "pending");
  EXPECT_GT(list->at(1).id, 0);
  EXPECT_FALSE(list->at(1).created_at.empty());
  EXPECT_TRUE(list->at(1).delivered_at.empty());
  auto archive = store().outbox_counts("archive");
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->pending, 1);
  auto nothing = store().outbox_counts("ukjent");
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->pending + nothing->delivered + nothing->dead, 0);
}

TEST_P(StoreSuite, ClaimLeasesDueMessagesOldestFirst) {
  ASSERT_TRUE(store().enqueue_outbox(
      {make_message("m1", "notification", 0), make_message("m2", "notification", 500),
       make_message("later", "notification", 2000), make_message("a1", "archive", 0)}));
  auto claimed = store().claim_outbox("notification", 1000, 60, 10);
  ASSERT_TRUE(claimed) << describe(claimed.error());
  EXPECT_EQ(keys_of(*claimed), (std::vector<std::string>{"m1", "m2"}));
  for (const auto& m : *claimed) {
    EXPECT_EQ(m.next_attempt_epoch, 1060);
    EXPECT_EQ(m.status, "pending");
    EXPECT_EQ(m.attempts, 0);
    EXPECT_EQ(m.payload_json, R"({"key":")" + m.dedupe_key + R"("})");
  }
  // Leased: a second claim at the same time, or before the lease ends, gets nothing.
  auto second = store().claim_outbox("notification", 1000, 60, 10);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->empty());
  auto before_expiry = store().claim_outbox("notification", 1059, 60, 10);
  ASSERT_TRUE(before_expiry);
  EXPECT_TRUE(before_expiry->empty());
  // The lease ended without an outcome: the messages are due again.
  auto retaken = store().claim_outbox("notification", 1060, 60, 10);
  ASSERT_TRUE(retaken);
  EXPECT_EQ(keys_of(*retaken), (std::vector<std::string>{"m1", "m2"}));
  // The limit, and a later message once due.
  auto limited = store().claim_outbox("notification", 5000, 30, 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(keys_of(*limited), (std::vector<std::string>{"m1"}));
  auto rest = store().claim_outbox("notification", 5000, 30, 10);
  ASSERT_TRUE(rest);
  EXPECT_EQ(keys_of(*rest), (std::vector<std::string>{"m2", "later"}));
  // Another topic is claimed on its own.
  auto archive = store().claim_outbox("archive", 1000, 60, 10);
  ASSERT_TRUE(archive);
  EXPECT_EQ(keys_of(*archive), (std::vector<std::string>{"a1"}));
}

TEST_P(StoreSuite, ConcurrentClaimsNeverShareAMessage) {
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < 40; ++i) messages.push_back(make_message("m" + std::to_string(i)));
  ASSERT_TRUE(store().enqueue_outbox(messages));
  std::mutex mutex;
  std::vector<std::string> taken;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 100; ++round) {
        auto claimed = store().claim_outbox("notification", 1000, 300, 3);
        if (!claimed) {
          ++failures;
          return;
        }
        if (claimed->empty()) return;
        std::lock_guard lock(mutex);
        for (const auto& m : *claimed) taken.push_back(m.dedupe_key);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(taken.size(), 40U);
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), 40U);
}

TEST_P(StoreSuite, FinishRecordsTheOutcome) {
  ASSERT_TRUE(
      store().enqueue_outbox({make_message("ok"), make_message("retry"), make_message("give-up")}));
  auto claimed = store().claim_outbox("notification", 1000, 60, 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 3U);

  auto delivered = claimed->at(0);
  delivered.status = "delivered";
  delivered.attempts = 1;
  delivered.delivered_at = "2026-03-02T08:00:01Z";
  ASSERT_TRUE(store().finish_outbox(delivered));
  auto retry = claimed->at(1);
  retry.attempts = 1;
  retry.next_attempt_epoch = 2000;
  retry.last_error = "Varslingstjenesten svarte 503";
  ASSERT_TRUE(store().finish_outbox(retry));
  auto dead = claimed->at(2);
  dead.status = "dead";
  dead.attempts = 8;
  dead.last_error = "Mottakeren finnes ikke";
  ASSERT_TRUE(store().finish_outbox(dead));

  auto counts = store().outbox_counts("notification");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->dead, 1);
  auto all_counts = store().outbox_counts("");
  ASSERT_TRUE(all_counts);
  EXPECT_EQ(all_counts->pending + all_counts->delivered + all_counts->dead, 3);

  // The retry waits for its time; delivered and dead messages are never claimed again.
  auto early = store().claim_outbox("notification", 1999, 60, 10);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  auto due = store().claim_outbox("notification", 2000, 60, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1U);
  EXPECT_EQ(due->at(0).dedupe_key, "retry");
  EXPECT_EQ(due->at(0).attempts, 1);
  EXPECT_EQ(due->at(0).last_error, "Varslingstjenesten svarte 503");

  auto dead_list = store().list_outbox("notification", "dead", 10);
  ASSERT_TRUE(dead_list);
  ASSERT_EQ(dead_list->size(), 1U);
  EXPECT_EQ(dead_list->at(0).dedupe_key, "give-up");
  EXPECT_EQ(dead_list->at(0).attempts, 8);
  EXPECT_EQ(dead_list->at(0).last_error, "Mottakeren finnes ikke");
  auto delivered_list = store().list_outbox("notification", "delivered", 10);
  ASSERT_TRUE(delivered_list);
  ASSERT_EQ(delivered_list->size(), 1U);
  EXPECT_EQ(delivered_list->at(0).delivered_at, "2026-03-02T08:00:01Z");
  auto everything = store().list_outbox("notification", "", 10);
  ASSERT_TRUE(everything);
  EXPECT_EQ(keys_of(*everything), (std::vector<std::string>{"give-up", "retry", "ok"}));
  auto two = store().list_outbox("notification", "", 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(keys_of(*two), (std::vector<std::string>{"give-up", "retry"}));

  auto ghost = make_message("ghost");
  ghost.id = 987654321;
  ghost.status = "delivered";
  auto missing = store().finish_outbox(ghost);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace boligflyt::store::testing

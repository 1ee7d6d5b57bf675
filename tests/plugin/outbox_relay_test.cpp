// The one outbox relay: every topic goes through the same claim → deliver → finish, each to
// the deliverer registered for it; a permanent failure goes dead at once, a passing one is
// retried with backoff; a pass gives every topic its turn and its on_pass. Real SQLite store.

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "outbox/relay.h"
#include "store_sqlite/sqlite_store.h"
#include "test_support.h"

namespace boligflyt::outbox {
namespace {

store::OutboxMessage on(const std::string& topic, const std::string& key) {
  store::OutboxMessage m;
  m.topic = topic;
  m.dedupe_key = key;
  m.payload_json = "{\"key\":\"" + key + "\"}";
  return m;
}

/// Refuses the keys it is told to: permanently ("bad-…") or for now ("busy-…").
class RecordingDeliverer final : public Deliverer {
 public:
  Result<void> deliver(const store::OutboxMessage& message) override {
    seen.push_back(message.dedupe_key);
    if (message.dedupe_key.starts_with("bad-")) {
      return domain_error(ErrorKind::kInvalid, "cannot-build", "Kan ikke bygges.");
    }
    if (message.dedupe_key.starts_with("busy-")) {
      return domain_error(ErrorKind::kUnavailable, "busy", "Opptatt nå.");
    }
    return {};
  }
  bool is_permanent(const Error& error) const override { return error.kind == ErrorKind::kInvalid; }
  void on_pass(std::int64_t now_epoch) override { passes.push_back(now_epoch); }

  std::vector<std::string> seen;
  std::vector<std::int64_t> passes;
};

TEST(OutboxRelay, EveryTopicGoesToItsOwnDelivererThroughTheSameRules) {
  testing::TempDir dir;
  auto store = store::open_sqlite_store(dir.str() + "/s.sqlite3");
  Logger logger([](LogLevel, std::string_view) {});
  RecordingDeliverer notifications;
  RecordingDeliverer archive;
  OutboxRelay relay(*store, logger);
  relay.add_topic("notification", notifications, RetryPolicy{});
  relay.add_topic("archive", archive, RetryPolicy{.first_delay_seconds = 10, .batch = 1});
  ASSERT_TRUE(store->enqueue_outbox({on("notification", "n-1"), on("archive", "a-1"),
                                     on("archive", "bad-a-2"), on("archive", "busy-a-3"),
                                     on("notification", "n-2")}));

  const std::int64_t t0 = 1'800'000'000;
  relay.pass(t0);
  EXPECT_EQ(notifications.seen, (std::vector<std::string>{"n-1", "n-2"}));
  EXPECT_EQ(archive.seen, (std::vector<std::string>{"a-1", "bad-a-2", "busy-a-3"}));
  EXPECT_EQ(notifications.passes, std::vector<std::int64_t>{t0});
  EXPECT_EQ(archive.passes, std::vector<std::int64_t>{t0});

  auto dead = store->list_outbox("archive", "dead", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u) << "a permanent failure is dead after one attempt";
  EXPECT_EQ((*dead)[0].dedupe_key, "bad-a-2");
  EXPECT_EQ((*dead)[0].last_error, "Kan ikke bygges.");
  auto counts = store->outbox_counts("archive");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->pending, 1) << "busy-a-3 waits for its retry";

  // Not due before the topic's own first delay; then delivered once it takes it.
  EXPECT_EQ(relay.deliver_due("archive", t0 + 9).total(), 0);
  EXPECT_EQ(relay.deliver_due("archive", t0 + 10).retried, 1);
  EXPECT_EQ(relay.deliver_due("notification", t0 + 100000).total(), 0) << "delivered once";
  EXPECT_EQ(relay.deliver_due("unknown-topic", t0).total(), 0);

  const auto metrics = relay.metrics_text();
  EXPECT_NE(metrics.find("boligflyt_outbox_messages{topic=\"archive\",status=\"dead\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("boligflyt_outbox_messages{topic=\"notification\",status=\"delivered\"} 2"),
      std::string::npos)
      << metrics;
}

/// Takes a round at once, as a host with notify_batch does; refuses "busy-…" alone, or the
/// whole round when told to.
class BatchDeliverer final : public Deliverer {
 public:
  Result<void> deliver(const store::OutboxMessage& message) override {
    single.push_back(message.dedupe_key);
    return {};
  }
  std::vector<Result<void>> deliver_batch(std::span<const store::OutboxMessage> messages) override {
    rounds.push_back(messages.size());
    std::vector<Result<void>> out;
    for (const auto& m : messages) {
      if (fail_round || m.dedupe_key.starts_with("busy-")) {
        out.emplace_back(domain_error(ErrorKind::kUnavailable, "busy", "Opptatt nå."));
      } else {
        out.emplace_back();
      }
    }
    return out;
  }

  bool fail_round = false;
  std::vector<std::size_t> rounds;
  std::vector<std::string> single;
};

TEST(OutboxRelay, ARoundGoesToTheDelivererInOneCallAndEachOutcomeIsRecorded) {
  testing::TempDir dir;
  auto store = store::open_sqlite_store(dir.str() + "/s.sqlite3");
  Logger logger([](LogLevel, std::string_view) {});
  BatchDeliverer host;
  OutboxRelay relay(*store, logger);
  relay.add_topic("notification", host, RetryPolicy{.first_delay_seconds = 10, .batch = 3});
  ASSERT_TRUE(store->enqueue_outbox({on("notification", "n-1"), on("notification", "busy-n-2"),
                                     on("notification", "n-3"), on("notification", "n-4")}));
  const std::int64_t t0 = 1'800'000'000;

  // A round of three in one call: two delivered, the refused one kept for its retry.
  const auto first = relay.deliver_due("notification", t0);
  EXPECT_EQ(first.delivered, 2);
  EXPECT_EQ(first.retried, 1);
  EXPECT_EQ(host.rounds, std::vector<std::size_t>{3});
  EXPECT_TRUE(host.single.empty()) << "a batching deliverer is never given one message alone";

  // A round that fails as a whole is recorded as such: nothing delivered, all kept.
  host.fail_round = true;
  EXPECT_EQ(relay.deliver_due("notification", t0).retried, 1);
  host.fail_round = false;
  auto counts = store->outbox_counts("notification");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->delivered, 2);
  EXPECT_EQ(counts->pending, 2);
  // Both come again after their delay, together; "busy-n-2" is refused again.
  const auto later = relay.deliver_due("notification", t0 + 10);
  EXPECT_EQ(later.delivered, 1);
  EXPECT_EQ(later.retried, 1);
  EXPECT_EQ(host.rounds, (std::vector<std::size_t>{3, 1, 2}));
}

}  // namespace
}  // namespace boligflyt::outbox

#pragma once
// The one outbox relay. Services write their outbox messages in the same transaction as the
// change they announce; the relay delivers them afterwards, for every topic alike: it claims
// what is due (a lease, so two host nodes never send the same message at once), hands each
// message to the topic's deliverer once, and records the outcome — delivered, retry later
// with exponential backoff, or dead after the last attempt (kept and visible, never dropped).
// One deliverer per topic is registered at start-up (notifications, archive exports, …).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "observability/logger.h"
#include "outbox/wakeup.h"
#include "ports/store/store.h"
#include "util/background_worker.h"

namespace boligflyt::outbox {

struct RetryPolicy {
  std::int64_t first_delay_seconds = 30;
  std::int64_t max_delay_seconds = 6 * 3600;
  int max_attempts = 12;  // ~1.5 days of retries with the defaults
  int lease_seconds = 120;
  int batch = 50;  // messages claimed at once; one slow topic takes small bites
};

/// Delay before attempt `attempts + 1`, after `attempts` failed ones (1 → first delay).
std::int64_t backoff_seconds(const RetryPolicy& policy, int attempts);

/// Delivers the messages of one topic.
class Deliverer {
 public:
  virtual ~Deliverer() = default;
  /// Hands `message` over once. An error means "not delivered"; the relay decides when again.
  virtual Result<void> deliver(const store::OutboxMessage& message) = 0;
  /// Hands a round's messages over, one outcome per message in order. A deliverer whose
  /// receiver takes many at once (one fsync for all) overrides this; by default, one each.
  virtual std::vector<Result<void>> deliver_batch(std::span<const store::OutboxMessage> messages) {
    std::vector<Result<void>> out;
    out.reserve(messages.size());
    for (const auto& message : messages) out.push_back(deliver(message));
    return out;
  }
  /// True when no later attempt can succeed (the message goes dead at once).
  virtual bool is_permanent(const Error& /*error*/) const { return false; }
  /// What is kept as the message's last_error (shown to the quality leader, never secrets).
  virtual std::string failure_text(const Error& error) const { return error.detail; }
  /// Work the topic does on every pass besides delivering (the archive reads its receipts).
  virtual void on_pass(std::int64_t /*now_epoch*/) {}
};

class OutboxRelay final : public Wakeup {
 public:
  OutboxRelay(store::Store& store, const Logger& logger);
  ~OutboxRelay() override;
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// At start-up, before start(): every message of `topic` goes to `deliverer`.
  void add_topic(std::string topic, Deliverer& deliverer, RetryPolicy policy);

  /// Starts the relay's one thread: a pass every `interval`, and soon after every wake().
  void start(std::chrono::milliseconds interval);
  /// Stops and joins the thread; idempotent.
  void stop();
  void wake() override;

  struct Round {
    int delivered = 0;
    int retried = 0;
    int dead = 0;
    int total() const { return delivered + retried + dead; }
  };
  /// One round for one topic: claim what is due at `now_epoch`, try each once, record.
  Round deliver_due(std::string_view topic, std::int64_t now_epoch);
  /// Rounds over every topic in turn until nothing is due (bounded), then each on_pass.
  void pass(std::int64_t now_epoch);

  /// Prometheus gauges (pending, delivered, dead) per registered topic.
  std::string metrics_text() const;

 private:
  struct Topic {
    std::string name;
    Deliverer* deliverer;
    RetryPolicy policy;
  };

  store::Store& store_;
  const Logger& logger_;
  std::vector<Topic> topics_;  // fixed after start()
  std::mutex worker_mutex_;
  std::unique_ptr<BackgroundWorker> worker_;
};

}  // namespace boligflyt::outbox

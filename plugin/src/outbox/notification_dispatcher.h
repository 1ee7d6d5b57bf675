#pragma once
// Delivers the "notification" messages of the durable outbox to the host quality system.
// A message the host does not take now is kept and retried with exponential backoff; after
// kMaxAttempts it is marked dead (visible in the API and /metrics) instead of being dropped.

#include <cstdint>
#include <string>

#include "host/host_services.h"
#include "observability/logger.h"
#include "store/store.h"

namespace boligflyt::outbox {

struct RetryPolicy {
  std::int64_t first_delay_seconds = 30;
  std::int64_t max_delay_seconds = 6 * 3600;
  int max_attempts = 12;  // ~1.5 days of retries with the defaults
  int lease_seconds = 120;
  int batch = 50;
};

/// A notification for the outbox; the payload is the JSON of plugin_abi.h notify(), its
/// `key` the dedupe key (the host delivers a key once).
store::OutboxMessage notification_to_unit_leaders(const std::string& unit_id,
                                                  const std::string& subject,
                                                  const std::string& body, const std::string& link,
                                                  const std::string& dedupe_key);
store::OutboxMessage notification_to_user(const std::string& user_id, const std::string& subject,
                                          const std::string& body, const std::string& link,
                                          const std::string& dedupe_key);

/// Delay before attempt `attempts + 1`, after `attempts` failed ones (1 → first delay).
std::int64_t backoff_seconds(const RetryPolicy& policy, int attempts);

class NotificationDispatcher {
 public:
  NotificationDispatcher(store::Store& store, host::HostServices& host, const Logger& logger,
                         RetryPolicy policy = {})
      : store_(store), host_(host), logger_(logger), policy_(policy) {}

  struct Round {
    int delivered = 0;
    int retried = 0;
    int dead = 0;
  };
  /// One round: claim what is due at `now_epoch`, try each once, record the outcome.
  Round deliver_due(std::int64_t now_epoch);

  /// Prometheus gauges for the outbox (pending, delivered, dead) of every topic we know.
  std::string metrics_text() const;

 private:
  store::Store& store_;
  host::HostServices& host_;
  const Logger& logger_;
  RetryPolicy policy_;
};

}  // namespace boligflyt::outbox

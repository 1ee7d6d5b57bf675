#pragma once
// Store port: the outbox, messages to deliver later (notifications, archive exports). Messages
// caused by a change are written with it, by its unit of work (unit_of_work.h); these calls
// serve the delivery loop and the API.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;

  /// Adds messages on their own (reminders); existing dedupe keys are ignored.
  virtual Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) = 0;

  /// Up to `limit` pending messages of `topic` due at `now_epoch`, oldest first; each is
  /// leased (next_attempt_epoch = now_epoch + lease_seconds) in the same transaction, so
  /// another node does not take it meanwhile.
  virtual Result<std::vector<OutboxMessage>> claim_outbox(const std::string& topic,
                                                          std::int64_t now_epoch, int lease_seconds,
                                                          int limit) = 0;

  /// Records the outcome of one delivery attempt: status, attempts, next_attempt_epoch,
  /// last_error and delivered_at of `message` (matched by id).
  virtual Result<void> finish_outbox(const OutboxMessage& message) = 0;

  /// Records the outcomes of a whole round in one transaction (one commit instead of one per
  /// message); a message whose id is gone meanwhile is skipped. All or nothing otherwise.
  virtual Result<void> finish_outbox_batch(const std::vector<OutboxMessage>& messages) = 0;

  /// Newest first; `status` empty = all.
  virtual Result<std::vector<OutboxMessage>> list_outbox(const std::string& topic,
                                                         const std::string& status, int limit) = 0;
  virtual Result<OutboxCounts> outbox_counts(const std::string& topic) = 0;

  /// One message by id / by dedupe key; nullopt when there is none.
  virtual Result<std::optional<OutboxMessage>> get_outbox(std::int64_t id) = 0;
  virtual Result<std::optional<OutboxMessage>> find_outbox(const std::string& dedupe_key) = 0;
};

}  // namespace boligflyt::store

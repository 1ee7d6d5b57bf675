#pragma once
// What the avvik service hands work to, given to it at construction (see
// procedure/collaborators.h for why interfaces and not callbacks). Each may be absent.

#include <cstdint>
#include <optional>
#include <string_view>

#include "outbox/wakeup.h"
#include "ports/directory.h"
#include "ports/store/store.h"

namespace boligflyt::deviation {

/// The archive's interest in an avvik event ("registrert", "lukket"): the outbox message
/// that carries its export, written in the same transaction as the change; nullopt when
/// the event is not archived. `revision` is the avvik's revision after the change.
class DeviationArchiving {
 public:
  virtual ~DeviationArchiving() = default;
  virtual std::optional<store::OutboxMessage> export_of(const store::DeviationRecord& record,
                                                        std::string_view event,
                                                        std::int64_t revision) const = 0;
};

/// The host register's interest in an avvik (ABI 1.1 mirror_deviation): the outbox message
/// that mirrors `record` as it is after a change (registration included).
class DeviationMirroring {
 public:
  virtual ~DeviationMirroring() = default;
  virtual store::OutboxMessage mirror_of(const store::DeviationRecord& record,
                                         std::int64_t revision) const = 0;
};

struct DeviationCollaborators {
  outbox::Wakeup* outbox = nullptr;               // told after messages were queued
  const DeviationArchiving* archiving = nullptr;  // archive export of an avvik event
  ports::Directory* directory = nullptr;          // parent units, for escalation
  const DeviationMirroring* mirroring = nullptr;  // the host's own avvik register (ABI 1.1)
};

}  // namespace boligflyt::deviation

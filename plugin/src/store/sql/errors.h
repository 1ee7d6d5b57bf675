#pragma once
// The errors of the store, with their Norwegian texts, once for every engine.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace boligflyt::store::sql {

/// The database could not be reached or refused (busy, I/O, full disk, a trigger): nothing was
/// changed; the reason is for the log only.
Error unavailable(std::string log_message);
Error preferences_changed();
Error version_exists(const std::string& procedure_id, const std::string& version);
Error version_changed();
Error not_consulted(const std::string& unit_id);
Error deviation_changed();
Error deviation_not_found(const std::string& id);
Error idempotency_key_reused();
Error invalid_query(std::string detail, std::string field);
Error outbox_not_found(std::int64_t id);
std::optional<Error> check_outbox_status(const std::string& status);
std::optional<Error> check_receipt_outcome(const std::string& outcome);

}  // namespace boligflyt::store::sql

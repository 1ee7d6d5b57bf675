#pragma once
// Store port: the installation, health, per-user preferences and housekeeping.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class Administration {
 public:
  virtual ~Administration() = default;

  virtual Result<StoreInfo> info() = 0;

  /// A cheap round trip to the database, for /healthz.
  virtual Result<void> ping() = 0;

  virtual Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) = 0;

  /// Create or replace. When `expected_revision` is set and differs from the stored one (0 =
  /// must not exist yet), nothing is written and a kPreconditionFailed error is returned.
  virtual Result<UserPreferences> put_preferences(
      const std::string& user_id, const std::string& json,
      std::optional<std::int64_t> expected_revision) = 0;

  /// Consistent online copy of the whole database to `target_path` (readers and writers go on).
  virtual Result<void> backup_to(const std::string& target_path) = 0;

  /// What is wrong with the stored data, one Norwegian sentence per problem (empty: nothing):
  /// the engine's own check of its files and indexes, and the store's promises (gapless
  /// numbers per year, a history for every avvik). Read-only; for `boligflyt store verify`.
  virtual Result<std::vector<std::string>> check_integrity() = 0;

  /// Periodic housekeeping (WAL checkpoint and the like), called from the background worker.
  virtual void maintenance() = 0;
};

}  // namespace boligflyt::store

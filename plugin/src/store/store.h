#pragma once
// The store port: everything the plugin keeps durably goes through this interface, so the
// embedded SQLite store and the PostgreSQL store for multi-node hosts are interchangeable.
// A write returns only after the data is durable (the caller may acknowledge it then).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace boligflyt::store {

struct StoreInfo {
  std::string backend;         // "sqlite", "postgresql"
  std::string installation_id; // random id created with the database, stable across restarts
  std::string created_at;      // ISO 8601 UTC
  int schema_version = 0;      // highest applied migration
};

/// A small per-user document with an optimistic-concurrency revision.
struct UserPreferences {
  std::string user_id;
  std::string json;            // JSON object text, validated by the API layer
  std::int64_t revision = 0;   // starts at 1, +1 per change; used as the ETag
  std::string updated_at;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<StoreInfo> info() = 0;

  /// A cheap round trip to the database, for /healthz.
  virtual Result<void> ping() = 0;

  virtual Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) = 0;

  /// Create or replace. When `expected_revision` is set and differs from the stored one (0 =
  /// must not exist yet), nothing is written and a kPreconditionFailed error is returned.
  virtual Result<UserPreferences> put_preferences(const std::string& user_id,
                                                  const std::string& json,
                                                  std::optional<std::int64_t> expected_revision) = 0;

  /// Consistent online copy of the whole database to `target_path` (readers and writers go on).
  virtual Result<void> backup_to(const std::string& target_path) = 0;

  /// Periodic housekeeping (WAL checkpoint and the like), called from the background worker.
  virtual void maintenance() = 0;
};

}  // namespace boligflyt::store

#pragma once
// The store port: everything the plugin keeps durably goes through this interface, so the
// embedded SQLite store and the PostgreSQL store for multi-node hosts are interchangeable.
// A write returns only after the data is durable (the caller may acknowledge it then).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace boligflyt::store {

struct StoreInfo {
  std::string backend;          // "sqlite", "postgresql"
  std::string installation_id;  // random id created with the database, stable across restarts
  std::string created_at;       // ISO 8601 UTC
  int schema_version = 0;       // highest applied migration
};

/// A small per-user document with an optimistic-concurrency revision.
struct UserPreferences {
  std::string user_id;
  std::string json;           // JSON object text, validated by the API layer
  std::int64_t revision = 0;  // starts at 1, +1 per change; used as the ETag
  std::string updated_at;
};

/// One version of a procedure as the store keeps it. Published bytes never change.
struct ProcedureVersionRecord {
  std::string procedure_id;
  std::string version;  // "3.0"
  std::string status;   // draft | consultation | approved | published | superseded | retired
  std::string xml;
  std::string sha256;  // of xml
  std::string author;
  std::string created_at;
  std::string approver;
  std::string approved_at;
  std::string effective_from;
  std::string published_at;
  std::string consultation_deadline;
  std::string source;         // "shipped:<file>" or "api"
  std::int64_t revision = 0;  // optimistic concurrency; 1 after insert
};

struct ConsultationAnswer {
  std::string unit_id;
  std::string answer;  // "" (pending) | agree | disagree
  std::string comment;
  std::string answered_by;
  std::string answered_at;
};

struct ReadConfirmation {
  std::string user_id;
  std::string unit_id;
  std::string confirmed_at;
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
  virtual Result<UserPreferences> put_preferences(
      const std::string& user_id, const std::string& json,
      std::optional<std::int64_t> expected_revision) = 0;

  // Procedure versions ------------------------------------------------------------------

  virtual Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() = 0;

  /// kConflict when (procedure_id, version) exists.
  virtual Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& record) = 0;

  /// Writes every mutable field of `record` when the stored revision is `expected_revision`
  /// (else kPreconditionFailed). In the same transaction: `consultation_units` (if not empty)
  /// become pending consultation rows, and `supersede` (versions of the same procedure) get
  /// status superseded.
  virtual Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& record, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units,
      const std::vector<std::string>& supersede) = 0;

  virtual Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                                    const std::string& version) = 0;
  /// kNotFound when the unit was not asked; answering again replaces the answer.
  virtual Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                         const std::string& version,
                                                         const ConsultationAnswer& answer) = 0;

  virtual Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) = 0;
  /// Idempotent: confirming twice keeps the first time.
  virtual Result<ReadConfirmation> confirm_read(const std::string& procedure_id,
                                                const std::string& version,
                                                const ReadConfirmation& confirmation) = 0;

  /// Consistent online copy of the whole database to `target_path` (readers and writers go on).
  virtual Result<void> backup_to(const std::string& target_path) = 0;

  /// Periodic housekeeping (WAL checkpoint and the like), called from the background worker.
  virtual void maintenance() = 0;
};

}  // namespace boligflyt::store

#pragma once
// The life of a procedure version: draft → høring (consultation) → approved → published
// (effective from a date) → superseded. Enforces who may do what (procedure owners draft,
// approvers approve and publish, never their own draft), keeps every version in the store,
// and serves an immutable snapshot (ProcedureCatalog) to readers.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/actor.h"
#include "core/result.h"
#include "observability/logger.h"
#include "ports/host_services.h"
#include "ports/store/store.h"
#include "procedure/catalog.h"
#include "procedure/collaborators.h"
#include "procedure/iso_duration.h"
#include "procedure/loader.h"

namespace boligflyt::procedure {

inline constexpr std::string_view kRoleProcedureOwner = "procedure_owner";
inline constexpr std::string_view kRoleApprover = "approver";
inline constexpr std::string_view kRoleUnitLeader = "unit_leader";

struct PublishOutcome {
  std::shared_ptr<const StoredVersion> version;
  std::vector<std::string> superseded;  // versions no longer current
  std::vector<std::string> warnings;    // Norwegian; e.g. steps removed by this version
};

struct ConsultationStatus {
  std::shared_ptr<const StoredVersion> version;
  std::vector<store::ConsultationAnswer> answers;
};

struct ReadStatus {
  std::vector<store::ReadConfirmation> confirmed;
  std::vector<std::string> missing_users;  // leaders of affected units who have not confirmed
  std::vector<std::string> affected_units;
};

struct ReviewStatus {
  std::string procedure_id;
  std::string version;
  std::string effective_from;
  std::string review_interval;
  std::string review_due;  // YYYY-MM-DD
  bool overdue = false;
};

/// Errors carry a Norwegian detail and, for invalid XML, the full list of diagnostics.
struct ValidationFailure {
  Diagnostics diagnostics;
};

class ProcedureService {
 public:
  /// Start-up: loads units.xml, imports shipped versions the store lacks, builds the first
  /// snapshot. Throws std::runtime_error when the XSD cannot be used.
  ProcedureService(store::Store& store, ports::HostServices& host, const Logger& logger,
                   const std::string& procedures_dir, const std::string& schema_file,
                   ProcedureCollaborators collaborators = {});

  std::shared_ptr<const ProcedureCatalog> snapshot() const;

  const ProcedureLoader& loader() const { return *loader_; }

  /// kInvalid (422) with `diagnostics` filled when the XML has problems.
  Result<std::shared_ptr<const StoredVersion>> upload_draft(const std::string& procedure_id,
                                                            std::string_view xml,
                                                            const Actor& actor,
                                                            Diagnostics& diagnostics);
  Result<ConsultationStatus> start_consultation(const std::string& procedure_id,
                                                const std::string& version,
                                                const std::string& deadline, const Actor& actor,
                                                std::optional<std::int64_t> expected_revision);
  Result<ConsultationStatus> consultation(const std::string& procedure_id,
                                          const std::string& version);
  Result<store::ConsultationAnswer> answer_consultation(
      const std::string& procedure_id, const std::string& version, const std::string& unit_id,
      const std::string& answer, const std::string& comment, const Actor& actor);
  Result<ConsultationStatus> approve(const std::string& procedure_id, const std::string& version,
                                     const std::string& override_reason, const Actor& actor,
                                     std::optional<std::int64_t> expected_revision);
  Result<PublishOutcome> publish(const std::string& procedure_id, const std::string& version,
                                 const std::string& effective_from, const Actor& actor,
                                 std::optional<std::int64_t> expected_revision);
  Result<store::ReadConfirmation> confirm_read(const std::string& procedure_id,
                                               const std::string& version, const Actor& actor);
  Result<ReadStatus> read_status(const std::string& procedure_id, const std::string& version);
  std::vector<ReviewStatus> reviews(const std::string& today) const;

  /// Units whose steps differ between the version in force and `version` (all of its units
  /// when nothing is in force yet).
  std::vector<std::string> affected_units(const ProcedureCatalog& catalog,
                                          const StoredVersion& version) const;

  /// One version by its text ("3.0"); kInvalid (naming `field`) for a malformed number,
  /// kNotFound for an unknown procedure or version. Keeps the snapshot alive.
  Result<std::shared_ptr<const StoredVersion>> find(const std::string& procedure_id,
                                                    const std::string& version,
                                                    const std::string& field = "version") const;

 private:
  void rebuild();
  void notify_units(const std::vector<std::string>& units, const std::string& subject,
                    const std::string& body, const std::string& key, const std::string& link = {});

  store::Store& store_;
  ports::HostServices& host_;
  const Logger& logger_;
  std::unique_ptr<ProcedureLoader> loader_;
  UnitRegistry units_;
  std::size_t startup_problems_ = 0;
  // Writers serialise on this; readers take a snapshot pointer and never block writers long.
  std::mutex write_mutex_;
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const ProcedureCatalog> snapshot_;
  ProcedureCollaborators collaborators_;
  std::map<std::string, Procedure> parsed_by_sha_;  // shipped files parsed at start-up
};

/// "2025-01-01" + P1Y → "2026-01-01" (month ends clamp: 2024-01-31 + P1M → 2024-02-29).
std::optional<std::string> add_duration(const std::string& date, const IsoDuration& duration);
bool is_iso_date(const std::string& text);

}  // namespace boligflyt::procedure

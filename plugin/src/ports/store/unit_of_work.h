#pragma once
// Store port: the writes that must land together. Each call is one recorded unit of work: the
// service hands over everything the change consists of (the record, its history events, the
// outbox messages it causes, …), and the store commits all of it in one transaction that is
// durable before the call returns, or none of it. The store never calls back into a service.
//
// A new avvik gets its gapless id only inside the store's transaction. Messages written with
// it name that id through the placeholder kAssignedDeviationId: the service builds them from
// the record with id = kAssignedDeviationId (the same pure code as for any avvik), and the
// store replaces every occurrence of the placeholder in each message's dedupe_key and
// payload_json by the assigned id (AVVIK-2026-0001) before it writes them. The placeholder is
// plain JSON-safe text; messages carry codes, labels and ids, never free text a user typed,
// so nothing else can contain it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

/// Stands for the id of the avvik a create_deviation assigns (see the file comment).
inline constexpr std::string_view kAssignedDeviationId = "{avvik-id}";

/// `record` as its messages are built before the store assigns its id.
inline DeviationRecord with_assigned_id(DeviationRecord record) {
  record.id = std::string(kAssignedDeviationId);
  return record;
}

class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;

  /// Assigns number and id (gapless per `record.year`, never reused), inserts the avvik with
  /// revision 1, `first_event` as history seq 1, and `outbox` (kAssignedDeviationId replaced,
  /// existing dedupe keys ignored), in one transaction. When (`record.reporter`,
  /// `idempotency_key`) was used before: the same request (`request_sha256`) returns the stored
  /// avvik with replayed = true and writes nothing; a different request is kConflict
  /// "idempotency-key-reused". An empty key disables the check.
  virtual Result<DeviationCreated> create_deviation(const DeviationRecord& record,
                                                    const DeviationEvent& first_event,
                                                    const std::string& idempotency_key,
                                                    const std::string& request_sha256,
                                                    const std::vector<OutboxMessage>& outbox) = 0;

  /// Writes every mutable field of `record` (participants and actions replaced, comments not
  /// yet stored added) when the stored revision is `expected_revision`, else
  /// kPreconditionFailed. Appends `events` to the chain and enqueues `outbox` (existing
  /// dedupe keys ignored) in the same transaction. Returns the stored record.
  virtual Result<DeviationRecord> update_deviation(const DeviationRecord& record,
                                                   std::int64_t expected_revision,
                                                   const std::vector<DeviationEvent>& events,
                                                   const std::vector<OutboxMessage>& outbox) = 0;

  /// Writes every mutable field of `record` when the stored revision is `expected_revision`
  /// (else kPreconditionFailed). In the same transaction: `consultation_units` (if not empty)
  /// become pending consultation rows, `supersede` (versions of the same procedure) get
  /// status superseded, and `outbox` is enqueued (existing dedupe keys ignored).
  virtual Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& record, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units, const std::vector<std::string>& supersede,
      const std::vector<OutboxMessage>& outbox) = 0;

  /// Stores `receipt` (replacing an earlier one with the same export_key) and, in the same
  /// transaction, records `message` as finish_outbox does (kNotFound when its id is unknown;
  /// then nothing is written).
  virtual Result<void> record_archive_receipt(const ArchiveReceiptRecord& receipt,
                                              const OutboxMessage& message) = 0;

  /// Adds `attachment` to avvik `deviation_id` as number max+1 (content and all) with `event`
  /// appended to its history and `outbox` enqueued, and raises the avvik's revision (its ETag
  /// changes), in one transaction; kNotFound when the avvik does not exist. When
  /// (`attachment.added_by`, `idempotency_key`) was used on this avvik before: the same request
  /// returns the stored attachment with replayed = true and writes nothing; another request is
  /// kConflict "idempotency-key-reused". An empty key disables the check.
  virtual Result<DeviationAttachmentAdded> add_deviation_attachment(
      const std::string& deviation_id, const DeviationAttachment& attachment,
      const DeviationEvent& event, const std::string& idempotency_key,
      const std::string& request_sha256, const std::vector<OutboxMessage>& outbox) = 0;
};

}  // namespace boligflyt::store

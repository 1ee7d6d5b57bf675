#pragma once
// Row mapping of the store, once for every engine: the column lists, how a row becomes a
// record and how a record becomes parameters, and the small rules of ids and sort keys.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ports/store/records.h"
#include "store/sql/connection.h"

namespace boligflyt::store::sql {

/// Parameters of SQL built at run time, bound in order from ?1.
class Params {
 public:
  void add(std::string value) { values_.emplace_back(std::move(value)); }
  void add(std::int64_t value) { values_.emplace_back(value); }
  void append(const Params& other) {
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  }
  void bind(Query& q) const;

 private:
  std::vector<std::variant<std::int64_t, std::string>> values_;
};

/// "?, ?, …" with `n` bare placeholders.
std::string placeholders(std::size_t n);

inline constexpr const char* kVersionColumns =
    "procedure_id, version, status, xml, sha256, author, created_at, approver, approved_at, "
    "effective_from, published_at, consultation_deadline, source, revision";

// In the order of the parameters ?1..?32 of bind_deviation and of read_deviation's columns
// (reporter_name, last, is read only: create_deviation writes it on its own);
// personal_data reads as 0/1 whatever the engine stores.
inline constexpr const char* kDeviationColumns =
    "d.id, d.year, d.number, d.procedure_id, d.procedure_version, d.step_id, d.incident_date, "
    "d.category, d.severity, d.title, d.description, d.reporting_unit, d.reporter, "
    "d.responsible_unit, d.case_reference, CAST(d.personal_data AS INTEGER), d.status, "
    "d.created_at, d.created_epoch, d.updated_at, d.receive_due_epoch, d.close_due_epoch, "
    "d.received_at, d.closed_at, d.closed_epoch, d.cause, d.evaluation, d.rejection_reason, "
    "d.reopen_reason, d.resolved_in_version, d.linked_draft_version, d.revision, "
    "d.reporter_name";

inline constexpr const char* kOutboxColumns =
    "id, topic, dedupe_key, payload_json, status, attempts, next_attempt_epoch, last_error, "
    "created_at, delivered_at";

// In the order of read_archive_receipt's columns and of the parameters ?1..?8 of
// record_archive_receipt.
inline constexpr const char* kArchiveReceiptColumns =
    "export_key, subject, outcome, system_id, case_number, journalpost_number, error_text, "
    "received_at";

// Open = neither lukket nor avvist; overdue as DeviationQuery::overdue_only says. Written
// exactly as the partial indexes deviations_receive_due and deviations_close_due, so that the
// planner can use them. Two parameters: now_epoch twice.
inline constexpr const char* kOverdueSql =
    "((d.status = 'registrert' AND d.receive_due_epoch < ?) OR "
    "(d.status NOT IN ('registrert', 'lukket', 'avvist') AND d.close_due_epoch < ?))";

ProcedureVersionRecord read_version(const Query& q);
/// Parameters ?1..?12 in the order of kVersionColumns without created_at and revision.
void bind_version(Query& q, const ProcedureVersionRecord& r);
DeviationRecord read_deviation(const Query& q);
/// Parameters ?1..?32 in the order of kDeviationColumns.
void bind_deviation(Query& q, const DeviationRecord& r);
OutboxMessage read_outbox(const Query& q);
ArchiveReceiptRecord read_archive_receipt(const Query& q);

/// AVVIK-2026-0001: the year and the number, at least four digits.
std::string format_deviation_id(int year, std::int64_t number);
/// Severity order for sorting: lav < middels < hoy < kritisk; unknown codes first. The same
/// table as the column deviations.severity_rank of the migrations.
std::int64_t severity_rank(std::string_view code);
bool is_open_status(std::string_view status);

}  // namespace boligflyt::store::sql

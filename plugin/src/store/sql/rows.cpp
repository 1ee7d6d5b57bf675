#include "store/sql/rows.h"

#include <array>
#include <cstdio>

namespace boligflyt::store::sql {

void Params::bind(Query& q) const {
  int index = 1;
  for (const auto& value : values_) {
    std::visit([&](const auto& v) { q.bind(index, v); }, value);
    ++index;
  }
}

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

ProcedureVersionRecord read_version(const Query& q) {
  ProcedureVersionRecord r;
  r.procedure_id = q.text(0);
  r.version = q.text(1);
  r.status = q.text(2);
  r.xml = q.text(3);
  r.sha256 = q.text(4);
  r.author = q.text(5);
  r.created_at = q.text(6);
  r.approver = q.text(7);
  r.approved_at = q.text(8);
  r.effective_from = q.text(9);
  r.published_at = q.text(10);
  r.consultation_deadline = q.text(11);
  r.source = q.text(12);
  r.revision = q.int64(13);
  return r;
}

void bind_version(Query& q, const ProcedureVersionRecord& r) {
  q.with(r.procedure_id, r.version, r.status, r.xml, r.sha256, r.author, r.approver, r.approved_at,
         r.effective_from, r.published_at, r.consultation_deadline, r.source);
}

DeviationRecord read_deviation(const Query& q) {
  DeviationRecord r;
  r.id = q.text(0);
  r.year = static_cast<int>(q.int64(1));
  r.number = q.int64(2);
  r.procedure_id = q.text(3);
  r.procedure_version = q.text(4);
  r.step_id = q.text(5);
  r.incident_date = q.text(6);
  r.category = q.text(7);
  r.severity = q.text(8);
  r.title = q.text(9);
  r.description = q.text(10);
  r.reporting_unit = q.text(11);
  r.reporter = q.text(12);
  r.responsible_unit = q.text(13);
  r.case_reference = q.text(14);
  r.personal_data = q.int64(15) != 0;
  r.status = q.text(16);
  r.created_at = q.text(17);
  r.created_epoch = q.int64(18);
  r.updated_at = q.text(19);
  r.receive_due_epoch = q.int64(20);
  r.close_due_epoch = q.int64(21);
  r.received_at = q.text(22);
  r.closed_at = q.text(23);
  r.closed_epoch = q.int64(24);
  r.cause = q.text(25);
  r.evaluation = q.text(26);
  r.rejection_reason = q.text(27);
  r.reopen_reason = q.text(28);
  r.resolved_in_version = q.text(29);
  r.linked_draft_version = q.text(30);
  r.revision = q.int64(31);
  r.reporter_name = q.text(32);
  return r;
}

void bind_deviation(Query& q, const DeviationRecord& r) {
  q.with(r.id, std::int64_t{r.year}, r.number, r.procedure_id, r.procedure_version, r.step_id,
         r.incident_date, r.category, r.severity, r.title, r.description, r.reporting_unit,
         r.reporter, r.responsible_unit, r.case_reference, r.personal_data, r.status, r.created_at,
         r.created_epoch, r.updated_at, r.receive_due_epoch, r.close_due_epoch, r.received_at,
         r.closed_at, r.closed_epoch, r.cause, r.evaluation, r.rejection_reason, r.reopen_reason,
         r.resolved_in_version, r.linked_draft_version, r.revision);
}

OutboxMessage read_outbox(const Query& q) {
  OutboxMessage m;
  m.id = q.int64(0);
  m.topic = q.text(1);
  m.dedupe_key = q.text(2);
  m.payload_json = q.text(3);
  m.status = q.text(4);
  m.attempts = static_cast<int>(q.int64(5));
  m.next_attempt_epoch = q.int64(6);
  m.last_error = q.text(7);
  m.created_at = q.text(8);
  m.delivered_at = q.text(9);
  return m;
}

ArchiveReceiptRecord read_archive_receipt(const Query& q) {
  ArchiveReceiptRecord r;
  r.export_key = q.text(0);
  r.subject = q.text(1);
  r.outcome = q.text(2);
  r.system_id = q.text(3);
  r.case_number = q.text(4);
  r.journalpost_number = q.text(5);
  r.error_text = q.text(6);
  r.received_at = q.text(7);
  return r;
}

std::string format_deviation_id(int year, std::int64_t number) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "AVVIK-%d-%04lld", year,
                static_cast<long long>(number));
  return buffer.data();
}

std::int64_t severity_rank(std::string_view code) {
  if (code == "lav") return 1;
  if (code == "middels") return 2;
  if (code == "hoy") return 3;
  if (code == "kritisk") return 4;
  return 0;
}

bool is_open_status(std::string_view status) { return status != "lukket" && status != "avvist"; }

}  // namespace boligflyt::store::sql

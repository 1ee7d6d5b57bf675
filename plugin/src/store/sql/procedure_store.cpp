// Procedure versions, their consultation (høring) and read confirmations.

#include <stdexcept>
#include <string>

#include "store/sql/deviation_rows.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace boligflyt::store::sql {

Result<std::vector<ProcedureVersionRecord>> SqlStore::list_procedure_versions() {
  return read<std::vector<ProcedureVersionRecord>>(
      "list_procedure_versions", [&](Connection& c) -> Result<std::vector<ProcedureVersionRecord>> {
        Query q(c, std::string("SELECT ") + kVersionColumns +
                       " FROM procedure_versions ORDER BY procedure_id, created_at, version");
        std::vector<ProcedureVersionRecord> out;
        while (q.next()) out.push_back(read_version(q));
        return out;
      });
}

Result<ProcedureVersionRecord> SqlStore::insert_procedure_version(
    const ProcedureVersionRecord& in) {
  return write<ProcedureVersionRecord>(
      "insert_procedure_version", [&](Connection& c) -> Result<ProcedureVersionRecord> {
        ProcedureVersionRecord record = in;
        record.revision = 1;
        Query q(c,
                "INSERT INTO procedure_versions (procedure_id, version, status, xml, sha256, "
                "author, created_at, approver, approved_at, effective_from, published_at, "
                "consultation_deadline, source, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " +
                    std::string(c.dialect().now) +
                    ", ?7, ?8, ?9, ?10, ?11, ?12, 1) ON CONFLICT DO NOTHING RETURNING created_at");
        bind_version(q, record);
        if (!q.next()) return version_exists(in.procedure_id, in.version);
        record.created_at = q.text(0);
        return record;
      });
}

Result<ProcedureVersionRecord> SqlStore::update_procedure_version(
    const ProcedureVersionRecord& in, std::int64_t expected_revision,
    const std::vector<std::string>& consultation_units, const std::vector<std::string>& supersede,
    const std::vector<OutboxMessage>& outbox) {
  return write<ProcedureVersionRecord>(
      "update_procedure_version", [&](Connection& c) -> Result<ProcedureVersionRecord> {
        ProcedureVersionRecord record = in;
        record.revision = expected_revision + 1;
        {
          Query q(c,
                  "UPDATE procedure_versions SET status = ?3, xml = ?4, sha256 = ?5, "
                  "approver = ?7, approved_at = ?8, effective_from = ?9, published_at = ?10, "
                  "consultation_deadline = ?11, revision = revision + 1 "
                  "WHERE procedure_id = ?1 AND version = ?2 AND revision = ?13");
          bind_version(q, record);
          q.bind(13, expected_revision);
          q.run();
          if (q.changes() != 1) return version_changed();
        }
        for (const auto& unit : consultation_units) {
          Query q(c,
                  "INSERT INTO procedure_consultations (procedure_id, version, unit_id) "
                  "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
          q.with(in.procedure_id, in.version, unit).run();
        }
        for (const auto& version : supersede) {
          Query q(c,
                  "UPDATE procedure_versions SET status = 'superseded', revision = revision + 1 "
                  "WHERE procedure_id = ?1 AND version = ?2 AND status = 'published'");
          q.with(in.procedure_id, version).run();
        }
        insert_outbox(c, outbox);
        return record;
      });
}

Result<std::vector<ConsultationAnswer>> SqlStore::list_consultation(const std::string& procedure_id,
                                                                    const std::string& version) {
  return read<std::vector<ConsultationAnswer>>(
      "list_consultation", [&](Connection& c) -> Result<std::vector<ConsultationAnswer>> {
        Query q(
            c,
            "SELECT unit_id, answer, comment, answered_by, answered_at FROM "
            "procedure_consultations WHERE procedure_id = ?1 AND version = ?2 ORDER BY unit_id");
        q.with(procedure_id, version);
        std::vector<ConsultationAnswer> out;
        while (q.next()) out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.text(4)});
        return out;
      });
}

Result<ConsultationAnswer> SqlStore::answer_consultation(const std::string& procedure_id,
                                                         const std::string& version,
                                                         const ConsultationAnswer& answer) {
  return write<ConsultationAnswer>(
      "answer_consultation", [&](Connection& c) -> Result<ConsultationAnswer> {
        Query q(c,
                "UPDATE procedure_consultations SET answer = ?4, comment = ?5, answered_by = ?6, "
                "answered_at = " +
                    std::string(c.dialect().now) +
                    " WHERE procedure_id = ?1 AND version = ?2 AND unit_id = ?3 "
                    "RETURNING answered_at");
        q.with(procedure_id, version, answer.unit_id, answer.answer, answer.comment,
               answer.answered_by);
        if (!q.next()) return not_consulted(answer.unit_id);
        ConsultationAnswer saved = answer;
        saved.answered_at = q.text(0);
        return saved;
      });
}

Result<std::vector<ReadConfirmation>> SqlStore::list_read_confirmations(
    const std::string& procedure_id, const std::string& version) {
  return read<std::vector<ReadConfirmation>>(
      "list_read_confirmations", [&](Connection& c) -> Result<std::vector<ReadConfirmation>> {
        Query q(c,
                "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
                "procedure_id = ?1 AND version = ?2 ORDER BY confirmed_at");
        q.with(procedure_id, version);
        std::vector<ReadConfirmation> out;
        while (q.next()) out.push_back({q.text(0), q.text(1), q.text(2)});
        return out;
      });
}

Result<ReadConfirmation> SqlStore::confirm_read(const std::string& procedure_id,
                                                const std::string& version,
                                                const ReadConfirmation& confirmation) {
  return write<ReadConfirmation>("confirm_read", [&](Connection& c) -> Result<ReadConfirmation> {
    {
      Query q(c,
              "INSERT INTO procedure_read_confirmations (procedure_id, version, user_id, "
              "unit_id, confirmed_at) VALUES (?1, ?2, ?3, ?4, " +
                  std::string(c.dialect().now) + ") ON CONFLICT DO NOTHING");
      q.with(procedure_id, version, confirmation.user_id, confirmation.unit_id).run();
    }
    Query q(c,
            "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
            "procedure_id = ?1 AND version = ?2 AND user_id = ?3");
    q.with(procedure_id, version, confirmation.user_id);
    if (!q.next()) throw std::runtime_error("confirmation vanished");
    return ReadConfirmation{q.text(0), q.text(1), q.text(2)};
  });
}

}  // namespace boligflyt::store::sql

#pragma once
// The store port written once in SQL over an engine (engine.h): every query, row mapping,
// filter, cursor, sort key, idempotency rule, the hash-chain append, the gapless per-year ids
// and the error texts. An engine adds only how transactions run and the SQL dialect.
//
// The methods are defined by area: sql_store.cpp (administration), procedure_store.cpp,
// deviation_writes.cpp, deviation_queries.cpp, deviation_statistics.cpp, outbox_store.cpp,
// attachment_store.cpp.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ports/store/store.h"
#include "store/sql/engine.h"
#include "store/sql/errors.h"

namespace boligflyt::store::sql {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}

  // Administration
  Result<StoreInfo> info() override;
  Result<void> ping() override;
  Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) override;
  Result<UserPreferences> put_preferences(const std::string& user_id, const std::string& json,
                                          std::optional<std::int64_t> expected_revision) override;
  Result<void> backup_to(const std::string& target_path) override;
  Result<std::vector<std::string>> check_integrity() override;
  void maintenance() override;

  // Procedures
  Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() override;
  Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& record) override;
  Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& record, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units, const std::vector<std::string>& supersede,
      const std::vector<OutboxMessage>& outbox) override;
  Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                            const std::string& version) override;
  Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                 const std::string& version,
                                                 const ConsultationAnswer& answer) override;
  Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) override;
  Result<ReadConfirmation> confirm_read(const std::string& procedure_id, const std::string& version,
                                        const ReadConfirmation& confirmation) override;

  // Avvik
  Result<DeviationCreated> create_deviation(const DeviationRecord& record,
                                            const DeviationEvent& first_event,
                                            const std::string& idempotency_key,
                                            const std::string& request_sha256,
                                            const std::vector<OutboxMessage>& outbox) override;
  Result<std::optional<DeviationRecord>> get_deviation(const std::string& id) override;
  Result<DeviationRecord> update_deviation(const DeviationRecord& record,
                                           std::int64_t expected_revision,
                                           const std::vector<DeviationEvent>& events,
                                           const std::vector<OutboxMessage>& outbox) override;
  Result<std::vector<DeviationEvent>> deviation_history(const std::string& id) override;
  Result<DeviationPage> list_deviations(const DeviationQuery& query) override;
  Result<DeviationStatistics> deviation_statistics(const DeviationQuery& filter) override;

  // Outbox
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override;
  Result<std::vector<OutboxMessage>> claim_outbox(const std::string& topic, std::int64_t now_epoch,
                                                  int lease_seconds, int limit) override;
  Result<void> finish_outbox(const OutboxMessage& message) override;
  Result<void> finish_outbox_batch(const std::vector<OutboxMessage>& messages) override;
  Result<std::vector<OutboxMessage>> list_outbox(const std::string& topic,
                                                 const std::string& status, int limit) override;
  Result<OutboxCounts> outbox_counts(const std::string& topic) override;
  Result<std::optional<OutboxMessage>> get_outbox(std::int64_t id) override;
  Result<std::optional<OutboxMessage>> find_outbox(const std::string& dedupe_key) override;

  // Archive receipts
  Result<void> record_archive_receipt(const ArchiveReceiptRecord& receipt,
                                      const OutboxMessage& message) override;
  Result<std::optional<ArchiveReceiptRecord>> archive_receipt(
      const std::string& export_key) override;
  Result<std::vector<ArchiveReceiptRecord>> archive_receipts(const std::string& subject) override;

  // Attachments (attachment_store.cpp)
  Result<DeviationAttachmentAdded> add_deviation_attachment(
      const std::string& deviation_id, const DeviationAttachment& attachment,
      const DeviationEvent& event, const std::string& idempotency_key,
      const std::string& request_sha256, const std::vector<OutboxMessage>& outbox) override;
  Result<std::vector<DeviationAttachment>> deviation_attachments(const std::string& deviation_id,
                                                                 bool with_content) override;
  Result<std::optional<DeviationAttachment>> deviation_attachment(
      const std::string& deviation_id, std::int64_t attachment_no) override;

 private:
  /// `body(connection)` in a read (write) transaction of the engine; its value is the result.
  template <typename T, typename Body>
  Result<T> read(std::string_view what, Body&& body) {
    return run<T>(false, what, std::forward<Body>(body));
  }
  template <typename T, typename Body>
  Result<T> write(std::string_view what, Body&& body) {
    return run<T>(true, what, std::forward<Body>(body));
  }
  template <typename T, typename Body>
  Result<T> run(bool writes, std::string_view what, Body&& body) {
    if constexpr (std::is_void_v<T>) {
      const Work work = [&](Connection& c) -> Result<void> { return body(c); };
      return writes ? engine_->write(what, work) : engine_->read(what, work);
    } else {
      std::optional<T> value;
      const Work work = [&](Connection& c) -> Result<void> {
        Result<T> result = body(c);
        if (!result) return result.error();
        value.emplace(std::move(*result));
        return {};
      };
      auto done = writes ? engine_->write(what, work) : engine_->read(what, work);
      if (!done) return done.error();
      return std::move(*value);
    }
  }

  std::unique_ptr<Engine> engine_;
};

}  // namespace boligflyt::store::sql

#pragma once
// Archive exports: which state changes go to the archive (a closed avvik, optionally a
// registered one, a published procedure version), the outbox messages that carry them, and
// the worker side that builds each package (arkivmelding + PDF/A + XML) when it is due,
// hands it to the archive transport, and reads the archive's receipts back.
//
// The outbox message (topic "archive") is written in the same transaction as the change; its
// dedupe key is "archive:" + the journalpost's external key, so a re-delivery after a crash
// carries the same keys and the archive recognises the record.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/arkivmelding.h"
#include "deviation/collaborators.h"
#include "observability/logger.h"
#include "outbox/relay.h"
#include "ports/archive_transport.h"
#include "ports/directory.h"
#include "ports/store/store.h"
#include "procedure/collaborators.h"
#include "procedure/service.h"

namespace boligflyt::archive {

inline constexpr std::string_view kArchiveTopic = "archive";

struct ArchiveSettings {
  bool enabled = true;
  Protocol protocol = Protocol::kV1;
  std::string fagsystem = "boligflyt";
  std::string journalposttype = "X";  // X: organinternt dokument uten oppfølging | N
  bool export_on_register = false;    // also a journalpost when an avvik is registered
  std::optional<Klassifikasjon> klassifikasjon;
  std::optional<std::string> schemas_dir;  // official fiks-arkiv-v1/ and -v2/ for receipts
  /// lease_seconds: how long a claimed export is another node's; rendering takes seconds, and
  /// the drop recognises a folder it already has, so a short lease only costs a rare retry.
  outbox::RetryPolicy retry{.lease_seconds = 30};
  /// Cause code -> Norwegian label, for the report of a closed avvik (the catalogue the
  /// deviation service closes with); a code missing here is printed as it is.
  std::map<std::string, std::string> cause_labels;
};

/// One export as the API shows it.
struct ExportView {
  store::OutboxMessage message;
  std::string kind;     // "deviation" | "procedure"
  std::string subject;  // "deviation:AVVIK-2026-0001" | "procedure:<id>:<version>"
  std::string journalpost_key;
  std::string folder;  // the drop folder name
  std::optional<store::ArchiveReceiptRecord> receipt;
  /// venter (pending) | sendt (handed over, no receipt yet) | arkivert (kvittering) |
  /// feilet (the archive refused; retry possible) | stoppet (dead after every attempt)
  std::string state;
};

/// Which state changes the archive wants, as outbox messages: written by the avvik and
/// procedure services in the same transaction as the change (they know these only as the
/// small interfaces they implement). Pure: settings in, messages out.
class ExportMessages final : public deviation::DeviationArchiving,
                             public procedure::VersionArchiving {
 public:
  explicit ExportMessages(ArchiveSettings settings) : settings_(std::move(settings)) {}

  // deviation::DeviationArchiving
  /// "lukket" always (closing again after a reopening is a new journalpost, keyed by the
  /// revision); "registrert" when export_on_register.
  std::optional<store::OutboxMessage> export_of(const store::DeviationRecord& record,
                                                std::string_view event,
                                                std::int64_t revision) const override;
  // procedure::VersionArchiving
  std::optional<store::OutboxMessage> export_of(const std::string& procedure_id,
                                                const std::string& version) const override;

 private:
  ArchiveSettings settings_;
};

/// The deliverer of topic "archive" (outbox/relay.h): builds each package (arkivmelding +
/// PDF/A + XML) from the current records when it is due, hands it to the archive transport,
/// reads the archive's receipts back on every pass, and answers the exports API.
class ExportService final : public outbox::Deliverer {
 public:
  ExportService(store::Store& store, procedure::ProcedureService& procedures,
                ports::Directory& directory, const Logger& logger, ArchiveSettings settings,
                std::unique_ptr<ports::ArchiveTransport> transport,
                outbox::Wakeup* outbox = nullptr);

  const ArchiveSettings& settings() const { return settings_; }

  /// Builds the package of a message from the current records: the arkivmelding and its
  /// files. kInvalid/kNotFound are permanent (the message goes dead with the reason).
  Result<ports::ArchivePackage> build(const store::OutboxMessage& message);

  // outbox::Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override;
  bool is_permanent(const Error& error) const override;
  void on_pass(std::int64_t now_epoch) override { process_receipts(now_epoch); }

  /// Reads receipts from the transport's inbox and records them; returns how many were
  /// handled (valid and matched). A receipt is matched by the journalpost's
  /// referanseEksternNoekkel, or, when it names none (a feilmelding), by its file name:
  /// "<message folder>.xml" or "<message folder>.<anything>.xml".
  int process_receipts(std::int64_t now_epoch);

  Result<std::vector<ExportView>> list(const std::string& state, const std::string& subject,
                                       int limit);
  Result<ExportView> get(std::int64_t id);
  /// Makes a feilet or stoppet export due again now (attempts start over).
  Result<ExportView> retry(std::int64_t id, std::int64_t now_epoch);

 private:
  ExportView view_of(store::OutboxMessage message);
  std::optional<store::OutboxMessage> by_folder_name(const std::string& file_name);
  Result<ports::ArchivePackage> build_deviation(const std::string& id, const std::string& event,
                                                const std::string& journalpost_key);
  Result<ports::ArchivePackage> build_procedure(const std::string& procedure_id,
                                                const std::string& version,
                                                const std::string& journalpost_key);
  /// The avvik's attachments into `j`: each file a vedlegg document (screened), each
  /// journalpost reference a kryssreferanse.
  Result<void> attachments_of(const std::string& id, const std::string& journalpost_key,
                              Journalpost& j);
  std::optional<std::pair<std::string, std::string>> leader_of(const std::string& unit_id);
  std::string user_name(const std::string& user_id);
  Result<ports::ArchivePackage> package(const std::string& export_key,
                                        const ArchiveMessage& message);

  store::Store& store_;
  procedure::ProcedureService& procedures_;
  ports::Directory& directory_;
  const Logger& logger_;
  ArchiveSettings settings_;
  std::unique_ptr<ports::ArchiveTransport> transport_;
  outbox::Wakeup* outbox_;
};

}  // namespace boligflyt::archive

#include "archive/export_service.h"

#include <boost/json.hpp>
#include <chrono>
#include <map>

#include "archive/message_name.h"
#include "archive/pdf_document.h"
#include "archive/reports.h"
#include "deviation/file_content.h"
#include "deviation/service.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::archive {
namespace json = boost::json;
namespace {

constexpr std::string_view kKeyPrefix = "archive:";
// PRONOM ids of the formats we send (Arkivverket's list of archival formats).
constexpr std::string_view kPronomPdfA2b = "fmt/477";
constexpr std::string_view kPronomXml = "fmt/101";

std::string str_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

/// The Norwegian calendar date of a UTC timestamp; a plain date stays as it is.
std::string date_of(const std::string& iso) {
  if (const auto epoch = util::parse_iso_utc(iso)) return util::norway_date(*epoch);
  return iso.size() >= 10 ? iso.substr(0, 10) : iso;
}

store::OutboxMessage export_message(const std::string& journalpost_key, json::object payload) {
  store::OutboxMessage m;
  m.topic = std::string(kArchiveTopic);
  m.dedupe_key = std::string(kKeyPrefix) + journalpost_key;
  payload["journalpost_key"] = journalpost_key;
  m.payload_json = json::serialize(payload);
  return m;
}

Error permanent(std::string detail, std::string log) {
  return make_error(ErrorKind::kInvalid, "archive-export-invalid", "Eksporten kan ikke bygges",
                    std::move(detail), {}, std::move(log));
}

}  // namespace

ExportService::ExportService(store::Store& store, procedure::ProcedureService& procedures,
                             ports::Directory& directory, const Logger& logger,
                             ArchiveSettings settings,
                             std::unique_ptr<ports::ArchiveTransport> transport,
                             outbox::Wakeup* outbox)
    : store_(store),
      procedures_(procedures),
      directory_(directory),
      logger_(logger),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      outbox_(outbox) {}

std::optional<store::OutboxMessage> ExportMessages::export_of(const store::DeviationRecord& record,
                                                              std::string_view event,
                                                              std::int64_t revision) const {
  if (!settings_.enabled) return std::nullopt;
  std::string key;
  if (event == "lukket") {
    key = record.id + "/lukket/r" + std::to_string(revision);
  } else if (event == "registrert" && settings_.export_on_register) {
    key = record.id + "/registrert";
  } else {
    return std::nullopt;
  }
  return export_message(key, json::object{{"kind", "deviation"},
                                          {"id", record.id},
                                          {"event", std::string(event)},
                                          {"subject", "deviation:" + record.id}});
}

std::optional<store::OutboxMessage> ExportMessages::export_of(const std::string& procedure_id,
                                                              const std::string& version) const {
  if (!settings_.enabled) return std::nullopt;
  return export_message("prosedyre/" + procedure_id + "/" + version,
                        json::object{{"kind", "procedure"},
                                     {"procedure_id", procedure_id},
                                     {"version", version},
                                     {"subject", "procedure:" + procedure_id + ":" + version}});
}

std::optional<std::pair<std::string, std::string>> ExportService::leader_of(
    const std::string& unit_id) {
  const auto leaders = directory_.leaders_of(unit_id);
  if (leaders.empty()) return std::nullopt;
  return std::make_pair(leaders.front().id, leaders.front().display_name);
}

std::string ExportService::user_name(const std::string& user_id) {
  const auto person = directory_.person(user_id);
  return person ? person->display_name : user_id;
}

Result<ports::ArchivePackage> ExportService::package(const std::string& export_key,
                                                     const ArchiveMessage& message) {
  auto xml = build_arkivmelding(message);
  if (!xml) return xml.error();
  ports::ArchivePackage out;
  out.export_key = export_key;
  out.arkivmelding_xml = std::move(*xml);
  for (const auto& document : message.journalpost.documents) {
    for (const auto& variant : document.variants) out.files.push_back(variant.file);
  }
  return out;
}

Result<ports::ArchivePackage> ExportService::build(const store::OutboxMessage& message) {
  boost::system::error_code ec;
  auto parsed = json::parse(message.payload_json, ec);
  if (ec || !parsed.is_object()) {
    return permanent("Eksporten har en ødelagt beskrivelse.",
                     "archive export payload is not a JSON object: " + message.dedupe_key);
  }
  const auto& p = parsed.as_object();
  const std::string kind = str_of(p, "kind");
  const std::string key = str_of(p, "journalpost_key");
  if (kind == "deviation") return build_deviation(str_of(p, "id"), str_of(p, "event"), key);
  if (kind == "procedure") {
    return build_procedure(str_of(p, "procedure_id"), str_of(p, "version"), key);
  }
  return permanent("Ukjent eksporttype.", "unknown archive export kind '" + kind + "'");
}

Result<ports::ArchivePackage> ExportService::build_deviation(const std::string& id,
                                                             const std::string& event,
                                                             const std::string& journalpost_key) {
  auto found = store_.get_deviation(id);
  if (!found) return found.error();
  if (!found->has_value()) {
    return permanent("Avviket " + id + " finnes ikke.", "archive export of unknown avvik " + id);
  }
  const store::DeviationRecord& r = **found;
  auto history = store_.deviation_history(id);
  if (!history) return history.error();

  const auto catalog = procedures_.snapshot();
  const auto& units = catalog->units();
  auto unit_name = [&units](const std::string& unit_id) {
    const auto* u = units.find(unit_id);
    return u ? u->name : unit_id;
  };
  const auto leader = leader_of(r.responsible_unit);
  if (!leader) {
    return make_error(ErrorKind::kUnavailable, "archive-no-leader", "Enheten mangler leder",
                      "Enheten «" + unit_name(r.responsible_unit) +
                          "» har ingen leder i katalogen, så saksansvarlig kan ikke settes. "
                          "Eksporten prøves igjen.",
                      {}, "no leader for unit " + r.responsible_unit);
  }

  DeviationReportInput input;
  input.record = &r;
  input.history = std::move(*history);
  std::string step_title;
  std::string procedure_title;
  if (auto v = procedures_.find(r.procedure_id, r.procedure_version); v) {
    procedure_title = (*v)->procedure.title;
    if (const auto* step = (*v)->procedure.find_step(r.step_id)) step_title = step->title;
    if (const auto* c = (*v)->procedure.find_deviation_category(r.category)) {
      input.category_label = c->label;
    }
  }
  input.procedure_title = procedure_title;
  input.step_title = step_title;
  input.unit_name = unit_name;
  input.cause_label = [this](const std::string& code) {
    const auto it = settings_.cause_labels.find(code);
    return it == settings_.cause_labels.end() ? code : it->second;
  };
  std::map<std::string, std::string> names;
  input.user_name = [&](const std::string& user_id) {
    auto it = names.find(user_id);
    if (it == names.end()) it = names.emplace(user_id, user_name(user_id)).first;
    return it->second;
  };
  input.generated_at = util::iso_utc(util::now_epoch());

  auto pdf = render_pdfa(deviation_report(input));
  if (!pdf) return pdf.error();
  const std::string report_xml = deviation_xml(input);

  const std::string step_text = step_title.empty() ? r.step_id : step_title;
  const std::string unit_text = unit_name(r.responsible_unit);
  ArchiveMessage m;
  m.protocol = settings_.protocol;
  m.system = settings_.fagsystem;
  std::optional<Skjerming> skjerming;
  if (r.personal_data) skjerming = Skjerming{};

  Journalpost& j = m.journalpost;
  j.key = {settings_.fagsystem, journalpost_key};
  const bool closed = event == "lukket";
  // The title may name what happened; the public title only says where in the procedure.
  j.tittel = xml10_clean((closed ? "Lukket avvik " : "Avvik ") + r.id + ": " + r.title);
  j.offentlig_tittel = (closed ? "Lukket avvik " : "Avvik ") + r.id +
                       " i boligflytprosedyren, trinn «" + step_text + "»";
  j.journalposttype = settings_.journalposttype;
  j.dokumentdato = date_of(closed && !r.closed_at.empty() ? r.closed_at : r.created_at);
  j.administrativ_enhet = unit_text;
  j.saksbehandler = leader->second;
  j.skjerming = skjerming;

  Document report;
  report.key = {settings_.fagsystem, journalpost_key + "/rapport"};
  report.title = "Avviksrapport " + r.id;
  report.tilknyttet_som = "H";
  report.dokumentnummer = 1;
  report.variants.push_back(
      {"A", {"avviksrapport.pdf", std::move(*pdf), std::string(kPronomPdfA2b), "application/pdf"}});
  report.variants.push_back(
      {"P", {"avvik.xml", report_xml, std::string(kPronomXml), "application/xml"}});
  j.documents.push_back(std::move(report));
  auto attached = attachments_of(id, journalpost_key, j);
  if (!attached) return attached.error();

  if (!r.case_reference.empty()) {
    m.existing_case_number = r.case_reference;
  } else {
    Saksmappe s;
    s.key = {settings_.fagsystem, r.id};
    s.tittel = xml10_clean("Avvik " + r.id + ": " + r.title);
    s.offentlig_tittel = "Avvik " + r.id + " i boligflytprosedyren, trinn «" + step_text + "»";
    s.administrativ_enhet = unit_text;
    s.saksansvarlig = leader->second;
    s.saksdato = date_of(r.created_at);
    s.klassifikasjon = settings_.klassifikasjon;
    s.skjerming = skjerming;
    m.new_case = std::move(s);
  }
  return package(std::string(kKeyPrefix) + journalpost_key, m);
}

Result<void> ExportService::attachments_of(const std::string& id,
                                           const std::string& journalpost_key, Journalpost& j) {
  auto attachments = store_.deviation_attachments(id, true);
  if (!attachments) return attachments.error();
  for (const auto& a : *attachments) {
    if (a.kind == "reference") {
      j.references.push_back(a.reference);
      continue;
    }
    const auto type = deviation::sniff_file_type(a.content);
    if (!type) {
      return permanent("Vedlegg " + std::to_string(a.attachment_no) + " er ikke en hel fil.",
                       "attachment " + std::to_string(a.attachment_no) + " of " + id +
                           " no longer sniffs as PDF, PNG or JPEG");
    }
    Document d;
    const std::string no = std::to_string(a.attachment_no);
    d.key = {settings_.fagsystem, journalpost_key + "/vedlegg/" + no};
    d.title =
        xml10_clean("Vedlegg " + no + ": " + (a.description.empty() ? a.file_name : a.description));
    d.dokumenttype = "VEDLEGG";
    d.tilknyttet_som = "V";
    d.dokumentnummer = static_cast<int>(j.documents.size()) + 1;
    // Files are screened by default: nobody has judged what a scan or photo shows.
    d.skjerming = Skjerming{};
    // PNG, JPEG and PDF/A are archival formats (Riksarkivarens forskrift § 5-17); another PDF
    // is kept as it came, as the production format.
    const bool archival = type->media_type != "application/pdf" || type->pronom == "fmt/477";
    d.variants.push_back({archival ? "A" : "P",
                          {"vedlegg-" + no + "." + std::string(type->extension), a.content,
                           type->pronom, std::string(type->media_type)}});
    j.documents.push_back(std::move(d));
  }
  return {};
}

Result<ports::ArchivePackage> ExportService::build_procedure(const std::string& procedure_id,
                                                             const std::string& version,
                                                             const std::string& journalpost_key) {
  auto v = procedures_.find(procedure_id, version);
  if (!v) {
    return permanent("Prosedyreversjonen " + procedure_id + " " + version + " finnes ikke.",
                     v.error().log_message);
  }
  const auto& stored = **v;
  const auto& p = stored.procedure;
  const auto catalog = procedures_.snapshot();
  const auto& units = catalog->units();
  const auto* owner = units.find(p.owner_unit);
  const std::string owner_name = owner ? owner->name : p.owner_unit;
  const auto leader = leader_of(p.owner_unit);
  if (!leader) {
    return make_error(ErrorKind::kUnavailable, "archive-no-leader", "Enheten mangler leder",
                      "Eierenheten «" + owner_name +
                          "» har ingen leder i katalogen, så saksansvarlig kan ikke settes. "
                          "Eksporten prøves igjen.",
                      {}, "no leader for unit " + p.owner_unit);
  }
  auto pdf = render_pdfa(procedure_report(p, units, util::iso_utc(util::now_epoch())));
  if (!pdf) return pdf.error();

  ArchiveMessage m;
  m.protocol = settings_.protocol;
  m.system = settings_.fagsystem;
  Saksmappe s;
  s.key = {settings_.fagsystem, "prosedyre/" + procedure_id};
  s.tittel = xml10_clean("Boligflytprosedyre – " + p.title);
  s.offentlig_tittel = s.tittel;
  s.administrativ_enhet = owner_name;
  s.saksansvarlig = leader->second;
  s.saksdato = date_of(p.effective_from.empty() ? stored.record.published_at : p.effective_from);
  s.klassifikasjon = settings_.klassifikasjon;
  m.new_case = std::move(s);

  Journalpost& j = m.journalpost;
  j.key = {settings_.fagsystem, journalpost_key};
  j.tittel = xml10_clean(p.title + ", versjon " + version);
  j.offentlig_tittel = j.tittel;
  j.journalposttype = settings_.journalposttype;
  j.dokumentdato =
      date_of(stored.record.published_at.empty() ? p.effective_from : stored.record.published_at);
  j.administrativ_enhet = owner_name;
  j.saksbehandler = leader->second;
  Document document;
  document.key = {settings_.fagsystem, journalpost_key + "/dokument"};
  document.title = xml10_clean(p.title + ", versjon " + version);
  document.variants.push_back(
      {"A", {"prosedyre.pdf", std::move(*pdf), std::string(kPronomPdfA2b), "application/pdf"}});
  document.variants.push_back(
      {"P", {"prosedyre.xml", stored.xml, std::string(kPronomXml), "application/xml"}});
  j.documents.push_back(std::move(document));
  return package(std::string(kKeyPrefix) + journalpost_key, m);
}

Result<void> ExportService::deliver(const store::OutboxMessage& message) {
  auto built = build(message);
  if (!built) return built.error();
  auto sent = transport_->deliver(*built);
  if (sent) logger_.info("archive_export_delivered", {{"key", message.dedupe_key}});
  return sent;
}

bool ExportService::is_permanent(const Error& error) const {
  // A package that cannot be built from the records will not build on the next attempt
  // either; a transport that cannot take it now (kUnavailable) may later.
  return error.kind == ErrorKind::kInvalid || error.kind == ErrorKind::kNotFound;
}

int ExportService::process_receipts(std::int64_t now_epoch) {
  int handled = 0;
  for (const auto& item : transport_->pending_receipts(50)) {
    auto receipt = parse_receipt(item.content, settings_.schemas_dir);
    if (!receipt) {
      logger_.warn("archive_receipt_refused",
                   {{"file", item.name}, {"cause", receipt.error().log_message}});
      transport_->settle_receipt(item, false, receipt.error().detail);
      continue;
    }
    std::optional<store::OutboxMessage> message;
    if (!receipt->key.key.empty()) {
      auto found = store_.find_outbox(std::string(kKeyPrefix) + receipt->key.key);
      if (!found) {
        logger_.warn("archive_receipt_lookup_failed", {{"cause", found.error().log_message}});
        continue;  // stays in the inbox for the next round
      }
      message = *found;
    } else {
      // A feilmelding (and a kvittering without referanseEksternNoekkel) names no key: the
      // client answers under the message's folder name, "<mappe>.xml" or "<mappe>.<…>.xml".
      message = by_folder_name(item.name);
    }
    if (!message || message->topic != kArchiveTopic) {
      transport_->settle_receipt(
          item, false,
          "Kvitteringen gjelder en nøkkel boligflyt ikke har sendt: «" + receipt->key.key + "».");
      logger_.warn("archive_receipt_unknown_key", {{"file", item.name}});
      continue;
    }
    const auto view = view_of(*message);
    store::ArchiveReceiptRecord record;
    record.export_key = message->dedupe_key;
    record.subject = view.subject;
    record.received_at = util::iso_utc(now_epoch);
    if (receipt->kind == Receipt::Kind::kKvittering) {
      record.outcome = "kvittering";
      record.system_id = receipt->system_id;
      record.case_number = receipt->case_number;
      record.journalpost_number = receipt->journalpost_number;
      message->status = "delivered";
      message->last_error.clear();
      if (message->delivered_at.empty()) message->delivered_at = record.received_at;
    } else {
      record.outcome = "feilmelding";
      record.error_text =
          receipt->error_message.empty() ? receipt->error_type : receipt->error_message;
      // The archive refused it: kept, visible as failed, and sent again on retry.
      message->status = "dead";
      message->last_error =
          "Arkivet avviste meldingen (" + receipt->error_type + "): " + record.error_text;
    }
    if (auto ok = store_.record_archive_receipt(record, *message); !ok) {
      logger_.warn("archive_receipt_store_failed", {{"cause", ok.error().log_message}});
      continue;  // stays in the inbox for the next round
    }
    transport_->settle_receipt(item, true, {});
    logger_.info("archive_receipt_recorded",
                 {{"key", message->dedupe_key}, {"outcome", record.outcome}});
    ++handled;
  }
  return handled;
}

std::optional<store::OutboxMessage> ExportService::by_folder_name(const std::string& file_name) {
  for (const char* status : {"delivered", "dead", "pending"}) {
    auto messages = store_.list_outbox(std::string(kArchiveTopic), status, 1000);
    if (!messages) continue;
    for (auto& m : *messages) {
      const std::string folder = folder_name_for(m.dedupe_key);
      if (file_name.size() > folder.size() && file_name.starts_with(folder) &&
          file_name[folder.size()] == '.') {
        return std::move(m);
      }
    }
  }
  return std::nullopt;
}

ExportView ExportService::view_of(store::OutboxMessage message) {
  ExportView v;
  boost::system::error_code ec;
  auto parsed = json::parse(message.payload_json, ec);
  if (!ec && parsed.is_object()) {
    v.kind = str_of(parsed.as_object(), "kind");
    v.subject = str_of(parsed.as_object(), "subject");
    v.journalpost_key = str_of(parsed.as_object(), "journalpost_key");
  }
  v.folder = folder_name_for(message.dedupe_key);
  if (auto receipt = store_.archive_receipt(message.dedupe_key); receipt) v.receipt = *receipt;
  if (message.status == "pending") {
    v.state = "venter";
  } else if (message.status == "delivered") {
    v.state = v.receipt && v.receipt->outcome == "kvittering" ? "arkivert" : "sendt";
  } else {
    v.state = v.receipt && v.receipt->outcome == "feilmelding" ? "feilet" : "stoppet";
  }
  v.message = std::move(message);
  return v;
}

Result<std::vector<ExportView>> ExportService::list(const std::string& state,
                                                    const std::string& subject, int limit) {
  std::string status;
  if (state == "venter") status = "pending";
  if (state == "sendt" || state == "arkivert") status = "delivered";
  if (state == "feilet" || state == "stoppet") status = "dead";
  // Read a little more than asked when filtering on what only the receipt tells.
  auto messages = store_.list_outbox(std::string(kArchiveTopic), status, 1000);
  if (!messages) return messages.error();
  std::vector<ExportView> out;
  for (auto& m : *messages) {
    if (static_cast<int>(out.size()) >= limit) break;
    auto v = view_of(std::move(m));
    if (!state.empty() && v.state != state) continue;
    if (!subject.empty() && v.subject != subject) continue;
    out.push_back(std::move(v));
  }
  return out;
}

Result<ExportView> ExportService::get(std::int64_t id) {
  auto found = store_.get_outbox(id);
  if (!found) return found.error();
  if (!found->has_value() || (*found)->topic != kArchiveTopic) {
    return make_error(ErrorKind::kNotFound, "archive-export-not-found", "Eksporten finnes ikke",
                      "Det finnes ingen arkiveksport med id " + std::to_string(id) + ".", "id");
  }
  return view_of(std::move(**found));
}

Result<ExportView> ExportService::retry(std::int64_t id, std::int64_t now_epoch) {
  auto current = get(id);
  if (!current) return current.error();
  if (current->message.status != "dead") {
    return make_error(
        ErrorKind::kConflict, "archive-export-not-failed", "Eksporten kan ikke sendes på nytt nå",
        "Bare eksporter som har feilet eller stoppet, kan sendes på nytt. Denne er «" +
            current->state + "».",
        "id");
  }
  auto message = current->message;
  message.status = "pending";
  message.attempts = 0;
  message.next_attempt_epoch = now_epoch;
  if (auto ok = store_.finish_outbox(message); !ok) return ok.error();
  logger_.info("archive_export_retry_requested", {{"key", message.dedupe_key}});
  if (outbox_ != nullptr) outbox_->wake();
  return get(id);
}

}  // namespace boligflyt::archive

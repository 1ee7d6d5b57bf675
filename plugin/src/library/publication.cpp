#include "library/publication.h"

#include <boost/json.hpp>

#include "archive/pdf_document.h"
#include "archive/reports.h"
#include "render/wording.h"
#include "util/norway_time.h"

namespace boligflyt::library {
namespace {

namespace json = boost::json;

constexpr std::string_view kKeyPrefix = "library:";

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

const char* outcome_word(ports::LibraryOutcome outcome) {
  switch (outcome) {
    case ports::LibraryOutcome::kCreated: return "created";
    case ports::LibraryOutcome::kUnchanged: return "unchanged";
    case ports::LibraryOutcome::kKeptOther: return "kept_other";
  }
  return "";
}

class LibraryDeliverer final : public outbox::Deliverer {
 public:
  LibraryDeliverer(procedure::ProcedureService& procedures,
                   const procedure::DocumentRenderer& renderer, ports::DocumentLibrary& library,
                   const Logger& logger)
      : procedures_(procedures), renderer_(renderer), library_(library), logger_(logger) {}

  // outbox::Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override {
    boost::system::error_code ec;
    const json::value payload = json::parse(message.payload_json, ec);
    if (ec || !payload.is_object()) {
      return permanent("the document_library payload is not a JSON object");
    }
    const std::string procedure_id = text_of(payload.as_object(), "procedure_id");
    const std::string version = text_of(payload.as_object(), "version");
    auto stored = procedures_.find(procedure_id, version);
    if (!stored) return permanent("no version " + procedure_id + " " + version);
    if (const auto& status = (*stored)->status(); status != "published" && status != "superseded") {
      // The publication is committed but this node's catalogue does not show it yet.
      return make_error(ErrorKind::kUnavailable, "document-library-not-yet", "Ikke publisert ennå",
                        "Versjonen er ikke publisert ennå.", {},
                        "version " + procedure_id + " " + version + " is " + status +
                            " in this node's catalogue, not yet published");
    }
    const auto catalog = procedures_.snapshot();
    auto files = library_files(**stored, catalog->units(), renderer_);
    if (!files) return files.error();
    auto put = library_.put_files({procedure_id, version}, *files);
    if (!put) return put.error();
    std::string outcomes;  // "name=created name=unchanged …"
    bool kept_other = false;
    for (const auto& result : *put) {
      outcomes += (outcomes.empty() ? "" : " ") + result.name + "=" + outcome_word(result.outcome);
      kept_other = kept_other || result.outcome == ports::LibraryOutcome::kKeptOther;
    }
    // kept_other: someone (or an older rendering) put other bytes under the same name. A
    // published document is not overwritten, but people should look at it.
    logger_.log(kept_other ? LogLevel::kWarn : LogLevel::kInfo,
                kept_other ? "document_library_kept_other" : "document_library_published",
                {{"procedure", procedure_id},
                 {"version", version},
                 {"library", library_.describe()},
                 {"files", outcomes}});
    return {};
  }
  bool is_permanent(const Error& error) const override { return error.slug == kPermanentSlug; }
  std::string failure_text(const Error& error) const override {
    return error.log_message.empty() ? error.detail : error.log_message;
  }

 private:
  static constexpr const char* kPermanentSlug = "document-library-invalid";

  static Error permanent(std::string log) {
    return make_error(ErrorKind::kInvalid, kPermanentSlug, "Dokumentene kan ikke lages",
                      "Dokumentene til prosedyreversjonen kan ikke lages.", {}, std::move(log));
  }

  procedure::ProcedureService& procedures_;
  const procedure::DocumentRenderer& renderer_;
  ports::DocumentLibrary& library_;
  const Logger& logger_;
};

}  // namespace

store::OutboxMessage LibraryMessages::library_message_of(const std::string& procedure_id,
                                                         const std::string& version) const {
  store::OutboxMessage m;
  m.topic = std::string(kDocumentLibraryTopic);
  m.dedupe_key = std::string(kKeyPrefix) + procedure_id + ":" + version;
  m.payload_json =
      json::serialize(json::object{{"procedure_id", procedure_id}, {"version", version}});
  return m;
}

std::vector<store::OutboxMessage> messages_for_published(
    const procedure::ProcedureCatalog& catalog) {
  const LibraryMessages messages;
  const std::string today = util::norway_today();
  std::vector<store::OutboxMessage> out;
  for (const auto& id : catalog.procedure_ids()) {
    const auto* in_force = catalog.in_force(id, today);
    for (const auto* v : catalog.versions(id)) {
      const bool to_come = v->status() == "published" && v->procedure.effective_from > today;
      if (v == in_force || to_come) {
        out.push_back(messages.library_message_of(id, v->procedure.version.str()));
      }
    }
  }
  return out;
}

Result<std::vector<ports::LibraryFile>> library_files(const procedure::StoredVersion& version,
                                                      const procedure::UnitRegistry& units,
                                                      const procedure::DocumentRenderer& renderer) {
  const auto& p = version.procedure;
  const std::string base = p.id + "-" + p.version.str();
  const std::string effective =
      p.effective_from.empty() ? version.record.effective_from : p.effective_from;
  // The archive's procedure document, dated by the version rather than the clock: rendering
  // the same version again gives the same PDF, which is what lets a second delivery find
  // its document already there (and not a near copy).
  auto document = archive::procedure_report(p, units, effective + "T12:00:00Z");
  if (!document.blocks.empty()) {
    document.blocks.back().text = "Versjonen gjelder fra " + render::date_in_words(effective) +
                                  ". Dokumentet er laget av boligflyt for dokumentbiblioteket.";
  }
  auto pdf = archive::render_pdfa(document);
  if (!pdf) return pdf.error();
  std::vector<ports::LibraryFile> files;
  files.push_back({base + ".html", renderer.render(version, units), "text/html; charset=utf-8"});
  files.push_back({base + ".pdf", std::move(*pdf), "application/pdf"});
  files.push_back({base + ".xml", version.xml, "application/xml"});
  return files;
}

std::unique_ptr<outbox::Deliverer> make_library_deliverer(
    procedure::ProcedureService& procedures, const procedure::DocumentRenderer& renderer,
    ports::DocumentLibrary& library, const Logger& logger) {
  return std::make_unique<LibraryDeliverer>(procedures, renderer, library, logger);
}

}  // namespace boligflyt::library

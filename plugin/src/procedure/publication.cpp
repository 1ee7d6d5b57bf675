// Publishing an approved version: the approval stamped into the document itself, the
// version in force from its date, the one it supersedes, the archive export in the same
// transaction, and the document handed to the host's library (or, when the plugin has a
// document library of its own, queued for it in the same transaction).

#include <boost/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "procedure/diff.h"
#include "procedure/service.h"
#include "procedure/service_errors.h"
#include "util/norway_time.h"
#include "util/sha256.h"

namespace boligflyt::procedure {
namespace {

using detail::forbidden;
using detail::wrong_status;

// Publishing writes the approval into the document itself, so the published bytes (and
// their hash) say who approved the version and from when it applies.
std::optional<std::string> stamp_published_xml(const std::string& xml, const std::string& approver,
                                               const std::string& approval_date,
                                               const std::string& approver_body,
                                               const std::string& effective_from) {
  pugi::xml_document doc;
  const unsigned options = (pugi::parse_full & ~pugi::parse_doctype);
  if (!doc.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8)) return std::nullopt;
  auto root = doc.document_element();
  std::string prefix;
  if (const auto colon = std::string_view(root.name()).find(':'); colon != std::string_view::npos) {
    prefix = std::string(root.name()).substr(0, colon + 1);
  }
  auto named = [&](const char* local) { return prefix + local; };
  root.attribute("status").set_value("published");
  root.remove_child(named("approver").c_str());
  root.remove_child(named("effectiveFrom").c_str());
  auto author = root.child(named("author").c_str());
  if (!author) return std::nullopt;
  auto approver_node = root.insert_child_after(named("approver").c_str(), author);
  approver_node.append_attribute("person").set_value(approver.c_str());
  approver_node.append_attribute("date").set_value(approval_date.c_str());
  approver_node.append_attribute("body").set_value(approver_body.c_str());
  auto effective = root.insert_child_after(named("effectiveFrom").c_str(), approver_node);
  effective.text().set(effective_from.c_str());
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

// Units responsible for or taking part in a step that differs between `base` and `version`
// (every unit of `version` when there is no base): whom a change concerns.

}  // namespace

Result<PublishOutcome> ProcedureService::publish(const std::string& procedure_id,
                                                 const std::string& version,
                                                 const std::string& effective_from,
                                                 const Actor& actor,
                                                 std::optional<std::int64_t> expected_revision) {
  if (!actor.has_role(kRoleApprover))
    return forbidden("Bare godkjennere kan publisere en versjon.");
  if (!is_iso_date(effective_from)) {
    return invalid("effective_from", "Datoen versjonen gjelder fra, må skrives som ÅÅÅÅ-MM-DD.");
  }
  std::lock_guard lock(write_mutex_);
  auto found = find(procedure_id, version);
  if (!found) return found.error();
  const auto& v = **found;
  if (v.status() != "approved") return wrong_status(v, "approved");
  if (v.record.author == actor.user_id) {
    auto e =
        forbidden("Du skrev denne versjonen og kan derfor ikke publisere den selv (fire øyne).");
    e.slug = "four-eyes";
    return e;
  }
  auto catalog = snapshot();
  PublishOutcome outcome;
  const StoredVersion* previous = nullptr;
  for (const auto* other : catalog->versions(procedure_id)) {
    if (other == &v || other->status() != "published") continue;
    if (other->procedure.effective_from >= effective_from) {
      auto e = conflict("effective-date-not-increasing",
                        "Versjon " + other->procedure.version.str() + " gjelder allerede fra " +
                            other->procedure.effective_from +
                            "; den nye versjonen må gjelde fra "
                            "en senere dato.");
      e.field = "effective_from";
      return e;
    }
    outcome.superseded.push_back(other->procedure.version.str());
    previous = other;
  }
  auto stamped = stamp_published_xml(
      v.xml, v.record.approver, v.record.approved_at,
      v.procedure.approver_body.empty() ? "Styringsgruppen" : v.procedure.approver_body,
      effective_from);
  if (!stamped) return internal_error("could not stamp published XML");
  Diagnostics check;
  auto reloaded = loader_->load_procedure(*stamped, "publisert.xml", &units_);
  if (!reloaded.ok()) {
    std::string first =
        reloaded.diagnostics.empty() ? "" : format_diagnostic(reloaded.diagnostics[0]);
    return internal_error("published XML does not validate: " + first);
  }
  if (previous) {
    const auto diff = diff_procedures(previous->procedure, reloaded.procedure.value(), &units_);
    // Open avvik per step: they keep pointing at the step id, which this version removes.
    store::DeviationQuery open_filter;
    open_filter.procedure_id = procedure_id;
    open_filter.statuses = {"registrert", "mottatt", "under_behandling", "tiltak", "gjenapnet"};
    const auto stats = store_.deviation_statistics(open_filter);
    for (const auto& c : diff.changes) {
      if (c.kind != ChangeKind::kRemoved) continue;
      std::int64_t open = 0;
      if (stats) {
        for (const auto& row : stats->per_step) {
          if (row.step_id == c.step_id) open += row.open;
        }
      }
      outcome.warnings.push_back(
          "Trinn «" + c.before + "» (" + c.step_id + ") fjernes. " +
          (!stats ? std::string("Antall åpne avvik på trinnet kunne ikke hentes; vurder dem.")
           : open == 0 ? std::string("Det har ingen åpne avvik.")
                       : std::to_string(open) + (open == 1 ? " åpent avvik" : " åpne avvik") +
                             " på trinnet må vurderes og lukkes."));
    }
  }
  auto record = v.record;
  record.xml = *stamped;
  record.sha256 = util::sha256_hex(*stamped);
  record.status = "published";
  record.effective_from = effective_from;
  record.published_at = util::norway_today();
  std::vector<store::OutboxMessage> exports;
  if (collaborators_.archiving != nullptr) {
    if (auto exported = collaborators_.archiving->export_of(procedure_id, version)) {
      exports.push_back(std::move(*exported));
    }
  }
  // The plugin's own document library: its message too, so the documents follow the
  // publication even when the library is down at this moment.
  if (collaborators_.library != nullptr) {
    exports.push_back(collaborators_.library->library_message_of(procedure_id, version));
  }
  // The archive export is written in the same transaction as the publication.
  auto saved = store_.update_procedure_version(record, expected_revision.value_or(record.revision),
                                               {}, outcome.superseded, exports);
  if (!saved) return saved.error();
  logger_.info("procedure_published", {{"procedure", procedure_id},
                                       {"version", version},
                                       {"effective_from", effective_from},
                                       {"sha256", record.sha256}});
  rebuild();
  // Woken only now: the deliverers read the version from the catalogue, which has it as
  // published from here on.
  if (!exports.empty() && collaborators_.outbox != nullptr) collaborators_.outbox->wake();
  auto published = find(procedure_id, version);
  if (!published) return published.error();
  outcome.version = *published;
  if (collaborators_.renderer != nullptr && collaborators_.library == nullptr) {
    const auto html = collaborators_.renderer->render(**published, units_);
    const boost::json::object meta{{"title", v.procedure.title + " versjon " + version},
                                   {"content_type", "text/html; charset=utf-8"},
                                   {"procedure_id", procedure_id},
                                   {"version", version},
                                   {"effective_from", effective_from},
                                   {"sha256", util::sha256_hex(html)}};
    if (auto sent = host_.publish_document(boost::json::serialize(meta), html); !sent) {
      // The version is published either way; the document can be fetched again from
      // …/document. The durable retry comes with the outbox (archive issue).
      logger_.warn(
          "document_library_failed",
          {{"procedure", procedure_id}, {"version", version}, {"cause", sent.error().log_message}});
      outcome.warnings.push_back(
          "Dokumentet kunne ikke legges i dokumentbiblioteket nå. Hent det "
          "fra …/document og legg det inn, eller publiser det på nytt senere.");
    }
  }
  notify_units(
      affected_units(*snapshot(), **published), "Ny versjon: " + v.procedure.title + " " + version,
      "En ny versjon gjelder fra " + effective_from + ". Les den og bekreft at du har lest.",
      "published:" + procedure_id + ":" + version,
      "/api/v1/procedures/" + procedure_id + "/versions/" + version);
  return outcome;
}

}  // namespace boligflyt::procedure

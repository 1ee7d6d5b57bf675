#include "deviation/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "core/saksnummer.h"
#include "deviation/personal_data.h"
#include "deviation/record.h"
#include "util/norway_time.h"
#include "util/time.h"
#include "util/utf8.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;
using outbox::notification_to_unit_leaders;
using outbox::notification_to_user;

// Avvik answer "not-allowed" (the procedure service answers "forbidden"); both in the spec.
Error not_allowed(std::string detail) {
  return domain_error(ErrorKind::kForbidden, "not-allowed", std::move(detail));
}

Error no_such_deviation(const std::string& id) {
  return not_found("Avviket «" + id + "» finnes ikke.", "id");
}

bool is_code(const std::vector<Code>& codes, std::string_view code) {
  return std::any_of(codes.begin(), codes.end(), [&](const Code& c) { return c.code == code; });
}

/// created + duration, calendar-aware for years and months, exact for the rest.
std::int64_t add_to_epoch(std::int64_t epoch, const procedure::IsoDuration& d) {
  using namespace std::chrono;
  const sys_seconds start{seconds{epoch}};
  const auto day_start = floor<days>(start);
  year_month_day ymd{day_start};
  ymd += years{d.years};
  ymd += months{d.months};
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;
  const auto shifted = sys_days{ymd} + (start - day_start);
  return util::epoch_seconds(time_point_cast<system_clock::duration>(shifted)) +
         (static_cast<std::int64_t>(d.weeks) * 7 + d.days) * 86400 +
         static_cast<std::int64_t>(d.hours) * 3600 + static_cast<std::int64_t>(d.minutes) * 60 +
         static_cast<std::int64_t>(d.seconds);
}

Result<void> check_text(const std::string& field, std::string_view label, const std::string& text,
                        bool required, std::size_t max_chars) {
  const auto chars = util::utf8_length(text);
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid(field, "Feltet «" + std::string(label) + "» mangler.");
  }
  if (chars > max_chars) {
    return invalid(field, "Feltet «" + std::string(label) + "» er for langt (" +
                              std::to_string(chars) + " tegn; høyst " + std::to_string(max_chars) +
                              ").");
  }
  // Control characters (other than tab and line breaks) cannot be printed, nor carried in
  // the XML the archive gets (XML 1.0): refuse them where they come in, with the position.
  std::size_t position = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0U) != 0x80U) ++position;  // counts code points, 1-based
    const bool control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
    // U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not characters in XML either.
    const bool nonchar = c == 0xEF && i + 2 < text.size() &&
                         static_cast<unsigned char>(text[i + 1]) == 0xBF &&
                         (static_cast<unsigned char>(text[i + 2]) & 0xFEU) == 0xBE;
    if (control || nonchar) {
      return invalid(field,
                     "Feltet «" + std::string(label) +
                         "» inneholder et kontrolltegn som ikke kan skrives ut (tegn " +
                         std::to_string(position) + "). Fjern det og prøv igjen.",
                     position);
    }
  }
  return check_free_text(field, label, text);
}

std::string unit_name(const procedure::UnitRegistry& units, const std::string& id) {
  const auto* u = units.find(id);
  return u ? u->name : id;
}

json::object record_fields(const store::DeviationRecord& r) {
  return json::object{{"status", r.status},
                      {"procedure_id", r.procedure_id},
                      {"procedure_version", r.procedure_version},
                      {"step_id", r.step_id},
                      {"incident_date", r.incident_date},
                      {"category", r.category},
                      {"severity", r.severity},
                      {"title", r.title},
                      {"description", r.description},
                      {"reporting_unit", r.reporting_unit},
                      {"responsible_unit", r.responsible_unit},
                      {"case_reference", r.case_reference},
                      {"personal_data", r.personal_data}};
}

}  // namespace

const std::vector<Code>& categories() {
  static const std::vector<Code> codes = {
      {"prosedyre_ikke_fulgt", "Prosedyren ble ikke fulgt"},
      {"uklart_ansvar", "Uklart ansvar"},
      {"frist_overskredet", "Frist overskredet"},
      {"manglende_informasjon", "Manglende informasjon eller samhandling"},
      {"prosedyren_bor_endres", "Prosedyren bør endres"},
      {"annet", "Annet"},
  };
  return codes;
}

std::string label_of(const std::vector<Code>& codes, std::string_view code) {
  for (const auto& c : codes) {
    if (c.code == code) return std::string(c.label);
  }
  return std::string(code);
}

const std::vector<Code>& severities() {
  static const std::vector<Code> codes = {
      {"lav", "Lav"}, {"middels", "Middels"}, {"hoy", "Høy"}, {"kritisk", "Kritisk"}};
  return codes;
}

std::int64_t verify_history(const std::string& deviation_id,
                            const std::vector<store::DeviationEvent>& events) {
  std::string prev(store::kGenesisHash);
  std::int64_t expected_seq = 1;
  for (const auto& e : events) {
    if (e.seq != expected_seq || e.prev_hash != prev ||
        store::event_chain_hash(deviation_id, e) != e.hash) {
      return e.seq > 0 ? e.seq : expected_seq;
    }
    prev = e.hash;
    ++expected_seq;
  }
  return 0;
}

DeviationService::DeviationService(store::Store& store, procedure::ProcedureService& procedures,
                                   const Logger& logger, DeviationSettings settings, Clock clock,
                                   DeviationCollaborators collaborators)
    : store_(store),
      procedures_(procedures),
      logger_(logger),
      settings_(settings),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })),
      collaborators_(collaborators) {}

std::vector<store::ArchiveReceiptRecord> DeviationService::archive_references(
    const std::string& id) const {
  auto found = store_.archive_receipts("deviation:" + id);
  if (!found) {
    logger_.warn("archive_references_unavailable",
                 {{"id", id}, {"cause", found.error().log_message}});
    return {};
  }
  return std::move(*found);
}

std::int64_t DeviationService::now_epoch() const { return util::epoch_seconds(clock_()); }
std::string DeviationService::now_iso() const { return util::iso_utc(clock_()); }
std::string DeviationService::norwegian_today() const { return util::norway_today(clock_()); }

void DeviationService::enqueued() const {
  if (collaborators_.outbox != nullptr) collaborators_.outbox->wake();
}

store::DeviationEvent DeviationService::event(const Actor& actor, std::string kind,
                                              std::string data_json) const {
  store::DeviationEvent e;
  e.at = now_iso();
  e.actor = actor.user_id;
  e.kind = std::move(kind);
  e.data_json = std::move(data_json);
  return e;
}

Relation DeviationService::relation_of(const store::DeviationRecord& r, const Actor& actor) {
  Relation rel;
  rel.reporter = r.reporter == actor.user_id;
  const bool leader = actor.has_role(kRoleUnitLeader);
  rel.responsible_leader = leader && actor.in_unit(r.responsible_unit);
  rel.participant_leader =
      leader && std::any_of(r.participants.begin(), r.participants.end(),
                            [&](const std::string& u) { return actor.in_unit(u); });
  rel.quality_leader = actor.has_role(kRoleQualityLeader);
  return rel;
}

Result<store::DeviationCreated> DeviationService::register_deviation(
    const RegisterInput& in, const Actor& actor, const std::string& idempotency_key,
    const std::string& request_sha256) {
  if (!actor.has_role(kRoleUnitLeader) && !actor.has_role(kRoleQualityLeader)) {
    return not_allowed("Bare enhetsledere og kvalitetsleder kan registrere avvik.");
  }
  const auto catalog = procedures_.snapshot();
  const auto& units = catalog->units();

  if (in.procedure_id.empty()) return invalid("procedure_id", "Feltet «prosedyre» mangler.");
  if (catalog->versions(in.procedure_id).empty()) {
    return invalid("procedure_id", "Prosedyren «" + in.procedure_id + "» finnes ikke.");
  }
  if (in.step_id.empty()) return invalid("step_id", "Feltet «trinn» mangler.");
  if (in.incident_date.empty()) return invalid("incident_date", "Feltet «hendelsesdato» mangler.");
  if (!procedure::is_iso_date(in.incident_date)) {
    return invalid("incident_date", "Hendelsesdatoen må være en dato på formen ÅÅÅÅ-MM-DD.");
  }
  // A date is in the future when it is after Norway's calendar date now.
  if (in.incident_date > norwegian_today()) {
    return invalid("incident_date", "Hendelsesdatoen kan ikke være fram i tid.");
  }
  const auto* version = catalog->in_force(in.procedure_id, in.incident_date);
  if (version == nullptr) {
    return invalid("incident_date",
                   "Ingen versjon av prosedyren gjaldt " + in.incident_date +
                       ". Første versjon gjelder fra " +
                       catalog->versions(in.procedure_id).front()->procedure.effective_from + ".");
  }
  const auto* step = version->procedure.find_step(in.step_id);
  if (step == nullptr) {
    return invalid("step_id", "Trinnet «" + in.step_id + "» finnes ikke i versjon " +
                                  version->procedure.version.str() + ", som gjaldt " +
                                  in.incident_date + ".");
  }
  if (!is_code(categories(), in.category)) {
    return invalid("category", in.category.empty()
                                   ? "Feltet «kategori» mangler."
                                   : "Ukjent kategori. Se /api/v1/deviation-codes for gyldige "
                                     "verdier.");
  }
  if (!is_code(severities(), in.severity)) {
    return invalid("severity", in.severity.empty()
                                   ? "Feltet «alvorlighetsgrad» mangler."
                                   : "Alvorlighetsgraden må være lav, middels, hoy eller kritisk.");
  }
  if (auto ok = check_text("title", "tittel", in.title, true, kMaxTitleChars); !ok)
    return ok.error();
  if (auto ok = check_text("description", "beskrivelse", in.description, true, kMaxTextChars); !ok)
    return ok.error();
  std::string reporting_unit = in.reporting_unit;
  if (reporting_unit.empty()) {
    if (actor.units.size() != 1) {
      return invalid("reporting_unit", "Oppgi hvilken av enhetene dine som melder avviket.");
    }
    reporting_unit = actor.units.front();
  }
  if (units.find(reporting_unit) == nullptr) {
    return invalid("reporting_unit", "Enheten «" + reporting_unit + "» finnes ikke.");
  }
  if (!actor.in_unit(reporting_unit)) {
    return not_allowed("Du kan bare melde avvik for en enhet du selv hører til.");
  }
  if (!in.case_reference.empty() && !is_valid_saksnummer(in.case_reference)) {
    return invalid("case_reference",
                   "Saksnummeret må ha formen ÅÅÅÅ/nnnn uten innledende nuller, for eksempel "
                   "2026/4185.");
  }
  std::vector<std::string> participants;
  for (std::size_t i = 0; i < in.participants.size(); ++i) {
    const auto& u = in.participants[i];
    if (units.find(u) == nullptr) {
      return invalid("participants/" + std::to_string(i), "Enheten «" + u + "» finnes ikke.");
    }
    if (u != step->responsible.unit &&
        std::find(participants.begin(), participants.end(), u) == participants.end()) {
      participants.push_back(u);
    }
  }

  const auto now = clock_();
  store::DeviationRecord r;
  // The avvik's number runs per Norwegian year: at 00:30 on 1 January in Oslo it is the new
  // year's first, although UTC still says 31 December.
  r.year = util::norway_year(util::epoch_seconds(now));
  r.procedure_id = in.procedure_id;
  r.procedure_version = version->procedure.version.str();
  r.step_id = in.step_id;
  r.incident_date = in.incident_date;
  r.category = in.category;
  r.severity = in.severity;
  r.title = in.title;
  r.description = in.description;
  r.reporting_unit = reporting_unit;
  r.reporter = actor.user_id;
  r.responsible_unit = step->responsible.unit;
  r.case_reference = in.case_reference;
  r.personal_data = in.personal_data;
  set_status(r, Status::kRegistered);
  r.created_at = util::iso_utc(now);
  r.updated_at = r.created_at;
  r.created_epoch = util::epoch_seconds(now);
  r.receive_due_epoch = add_to_epoch(r.created_epoch, settings_.receive_within);
  r.close_due_epoch = add_to_epoch(r.created_epoch, settings_.close_within);
  r.participants = participants;

  auto first =
      event(actor, "registered", json::serialize(json::object{{"after", record_fields(r)}}));
  const std::string step_title = step->title;
  const std::string responsible_name = unit_name(units, r.responsible_unit);
  auto created = store_.create_deviation(
      r, first, idempotency_key, request_sha256, [&](const store::DeviationRecord& assigned) {
        std::vector<store::OutboxMessage> out;
        const std::string link = "/api/v1/deviations/" + assigned.id;
        const std::string body =
            "Et avvik er meldt på trinnet «" + step_title + "», der " + responsible_name +
            " har ansvaret. Kategori: " + label_of(categories(), assigned.category) +
            ". Alvorlighetsgrad: " + label_of(severities(), assigned.severity) +
            ". Bekreft at dere har mottatt det.";
        out.push_back(notification_to_unit_leaders(
            assigned.responsible_unit, "Nytt avvik " + assigned.id + " til din enhet", body, link,
            "deviation:" + assigned.id + ":registered:" + assigned.responsible_unit));
        for (const auto& u : assigned.participants) {
          out.push_back(notification_to_unit_leaders(
              u, "Avvik " + assigned.id + ": enheten din er med i oppfølgingen",
              "Enheten din er lagt til som deltaker i oppfølgingen av et avvik på trinnet «" +
                  step_title + "».",
              link, "deviation:" + assigned.id + ":participant:" + u));
        }
        if (collaborators_.archiving != nullptr) {
          if (auto exported = collaborators_.archiving->export_of(assigned, "registrert", 1)) {
            out.push_back(std::move(*exported));
          }
        }
        return out;
      });
  if (!created) return created.error();
  if (!created->replayed) {
    logger_.info("deviation_registered", {{"id", created->record.id},
                                          {"step", created->record.step_id},
                                          {"unit", created->record.responsible_unit}});
    enqueued();
  }
  return created;
}

Result<store::DeviationRecord> DeviationService::get(const std::string& id, const Actor& actor) {
  auto found = store_.get_deviation(id);
  if (!found) return found.error();
  if (!found->has_value()) return no_such_deviation(id);
  const auto status = status_of(**found);
  if (auto ok = check_operation(Operation::kView, relation_of(**found, actor), status); !ok) {
    return ok.error();
  }
  return std::move(**found);
}

Result<store::DeviationRecord> DeviationService::mutate(
    const std::string& id, std::optional<std::int64_t> expected_revision,
    const Mutation& mutation) {
  // Without If-Match the change is checked against, and applied to, the current state; if
  // someone else wrote in between, it is checked again on the newer state (bounded).
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto found = store_.get_deviation(id);
    if (!found) return found.error();
    if (!found->has_value()) return no_such_deviation(id);
    store::DeviationRecord record = std::move(**found);
    const auto current_revision = record.revision;
    if (expected_revision && *expected_revision != current_revision) {
      return precondition_failed(
          "Avviket er endret av noen andre siden du hentet det. Hent det på nytt og prøv igjen.",
          "If-Match");
    }
    std::vector<store::DeviationEvent> events;
    std::vector<store::OutboxMessage> outbox;
    if (auto ok = mutation(record, events, outbox); !ok) return ok.error();
    record.updated_at = now_iso();
    auto stored = store_.update_deviation(record, current_revision, events, outbox);
    if (stored) {
      if (!outbox.empty()) enqueued();
      return stored;
    }
    if (stored.error().kind != ErrorKind::kPreconditionFailed || expected_revision) {
      return stored.error();
    }
  }
  return conflict("busy", "Avviket ble endret av andre flere ganger mens du lagret. Prøv igjen.");
}

Result<store::DeviationRecord> DeviationService::transition(
    const std::string& id, const TransitionInput& in, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  for (const auto& [field, label, text] :
       {std::tuple<const char*, const char*, const std::string*>{"cause", "årsak", &in.cause},
        {"evaluation", "evaluering", &in.evaluation},
        {"reason", "begrunnelse", &in.reason}}) {
    if (auto ok = check_text(field, label, *text, false, kMaxTextChars); !ok) return ok.error();
  }
  const auto catalog = procedures_.snapshot();
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>& outbox) -> Result<void> {
        const auto from = status_of(r);
        if (!in.resolved_in_version.empty()) {
          if (in.transition != Transition::kClose) {
            return invalid("resolved_in_version", "«Løst i versjon» hører bare til lukking.");
          }
          auto v = procedures_.find(r.procedure_id, in.resolved_in_version, "resolved_in_version");
          if (!v) return invalid("resolved_in_version", v.error().detail);
          const auto& st = (*v)->status();
          if (st != "published" && st != "superseded") {
            return invalid("resolved_in_version",
                           "Versjon " + in.resolved_in_version + " er ikke publisert ennå.");
          }
        }
        TransitionFacts facts;
        facts.has_cause = !in.cause.empty() || !r.cause.empty();
        facts.has_evaluation = !in.evaluation.empty();
        facts.has_reason = !in.reason.empty();
        facts.has_any_action = !r.actions.empty();
        facts.has_done_action = std::any_of(r.actions.begin(), r.actions.end(),
                                            [](const auto& a) { return !a.done_date.empty(); });
        facts.has_resolved_in_version = !in.resolved_in_version.empty();
        auto to = check_transition(from, in.transition, relation_of(r, actor), facts);
        if (!to) return to.error();
        json::object before{{"status", r.status}};
        json::object after{{"status", std::string(status_code(*to))}};
        auto set = [&](const char* key, std::string& field, const std::string& value) {
          if (value.empty()) return;
          before[key] = field;
          after[key] = value;
          field = value;
        };
        set_status(r, *to);
        switch (in.transition) {
          case Transition::kReceive: r.received_at = now_iso(); break;
          case Transition::kClose:
            set("cause", r.cause, in.cause);
            set("evaluation", r.evaluation, in.evaluation);
            set("resolved_in_version", r.resolved_in_version, in.resolved_in_version);
            r.closed_at = now_iso();
            r.closed_epoch = now_epoch();
            break;
          case Transition::kReject: set("rejection_reason", r.rejection_reason, in.reason); break;
          case Transition::kReopen:
            set("reopen_reason", r.reopen_reason, in.reason);
            r.closed_at.clear();
            r.closed_epoch = 0;
            // A reopened avvik gets a fresh deadline to close.
            r.close_due_epoch = add_to_epoch(now_epoch(), settings_.close_within);
            break;
          default: set("cause", r.cause, in.cause); break;
        }
        events.push_back(event(actor, "transition",
                               json::serialize(json::object{
                                   {"transition", std::string(transition_code(in.transition))},
                                   {"before", std::move(before)},
                                   {"after", std::move(after)}})));
        const std::string link = "/api/v1/deviations/" + r.id;
        const std::string label(status_label(*to));
        const std::string key = "deviation:" + r.id + ":status:" + std::to_string(r.revision + 1);
        if (r.reporter != actor.user_id) {
          outbox.push_back(notification_to_user(
              r.reporter, "Avvik " + r.id + " har fått status «" + label + "»",
              "Avviket du meldte har fått status «" + label + "».", link, key + ":reporter"));
        }
        if (in.transition == Transition::kClose && collaborators_.archiving != nullptr) {
          if (auto exported = collaborators_.archiving->export_of(r, "lukket", r.revision + 1)) {
            outbox.push_back(std::move(*exported));
          }
        }
        if (in.transition == Transition::kReopen) {
          outbox.push_back(notification_to_unit_leaders(
              r.responsible_unit, "Avvik " + r.id + " er gjenåpnet",
              "Et avvik enheten din har ansvaret for, er gjenåpnet og må følges opp igjen.", link,
              key + ":responsible"));
        }
        return {};
      });
}

Result<store::DeviationRecord> DeviationService::add_comment(
    const std::string& id, const std::string& text, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  if (auto ok = check_text("text", "kommentar", text, true, kMaxTextChars); !ok) return ok.error();
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>&) -> Result<void> {
        const auto status = status_of(r);
        if (auto ok = check_operation(Operation::kComment, relation_of(r, actor), status); !ok) {
          return ok.error();
        }
        store::DeviationComment c;
        c.comment_no = static_cast<std::int64_t>(r.comments.size()) + 1;
        c.author = actor.user_id;
        c.text = text;
        c.created_at = now_iso();
        r.comments.push_back(c);
        events.push_back(
            event(actor, "comment_added",
                  json::serialize(json::object{
                      {"after", json::object{{"comment_no", c.comment_no}, {"text", text}}}})));
        return {};
      });
}

Result<store::DeviationRecord> DeviationService::add_participant(
    const std::string& id, const std::string& unit, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  const auto catalog = procedures_.snapshot();
  if (unit.empty()) return invalid("unit_id", "Feltet «enhet» mangler.");
  if (catalog->units().find(unit) == nullptr) {
    return invalid("unit_id", "Enheten «" + unit + "» finnes ikke.");
  }
  const std::string name = unit_name(catalog->units(), unit);
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>& outbox) -> Result<void> {
        const auto status = status_of(r);
        if (auto ok = check_operation(Operation::kAddParticipant, relation_of(r, actor), status);
            !ok) {
          return ok.error();
        }
        if (unit == r.responsible_unit ||
            std::find(r.participants.begin(), r.participants.end(), unit) != r.participants.end()) {
          return conflict("already-participant", name + " er allerede med i oppfølgingen.",
                          "unit_id");
        }
        json::array before;
        for (const auto& u : r.participants) before.emplace_back(u);
        r.participants.push_back(unit);
        json::array after;
        for (const auto& u : r.participants) after.emplace_back(u);
        events.push_back(
            event(actor, "participant_added",
                  json::serialize(json::object{{"before", json::object{{"participants", before}}},
                                               {"after", json::object{{"participants", after}}}})));
        outbox.push_back(notification_to_unit_leaders(
            unit, "Avvik " + r.id + ": enheten din er med i oppfølgingen",
            "Enheten din er lagt til som deltaker i oppfølgingen av et avvik.",
            "/api/v1/deviations/" + r.id, "deviation:" + r.id + ":participant:" + unit));
        return {};
      });
}

Result<store::DeviationRecord> DeviationService::add_action(
    const std::string& id, const ActionInput& in, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  const auto catalog = procedures_.snapshot();
  if (in.owner_unit.empty()) return invalid("owner_unit", "Feltet «ansvarlig enhet» mangler.");
  if (catalog->units().find(in.owner_unit) == nullptr) {
    return invalid("owner_unit", "Enheten «" + in.owner_unit + "» finnes ikke.");
  }
  if (auto ok = check_text("description", "beskrivelse", in.description, true, kMaxTextChars); !ok)
    return ok.error();
  if (!procedure::is_iso_date(in.due_date)) {
    return invalid("due_date", "Fristen må være en dato på formen ÅÅÅÅ-MM-DD.");
  }
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>& outbox) -> Result<void> {
        const auto status = status_of(r);
        if (auto ok = check_operation(Operation::kAddAction, relation_of(r, actor), status); !ok) {
          return ok.error();
        }
        store::DeviationAction a;
        a.action_no = static_cast<std::int64_t>(r.actions.size()) + 1;
        a.owner_unit = in.owner_unit;
        a.description = in.description;
        a.due_date = in.due_date;
        a.created_by = actor.user_id;
        a.created_at = now_iso();
        r.actions.push_back(a);
        events.push_back(event(
            actor, "action_added",
            json::serialize(json::object{{"after", json::object{{"action_no", a.action_no},
                                                                {"owner_unit", a.owner_unit},
                                                                {"description", a.description},
                                                                {"due_date", a.due_date}}}})));
        if (a.owner_unit != r.responsible_unit) {
          outbox.push_back(notification_to_unit_leaders(
              a.owner_unit, "Avvik " + r.id + ": nytt tiltak til enheten din",
              "Enheten din har fått ansvar for et tiltak med frist " + a.due_date + ".",
              "/api/v1/deviations/" + r.id,
              "deviation:" + r.id + ":action:" + std::to_string(a.action_no)));
        }
        return {};
      });
}

Result<store::DeviationRecord> DeviationService::complete_action(
    const std::string& id, std::int64_t action_no, const std::string& done_date, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  if (!procedure::is_iso_date(done_date)) {
    return invalid("done_date", "Datoen må være på formen ÅÅÅÅ-MM-DD.");
  }
  if (done_date > norwegian_today()) {
    return invalid("done_date", "Et tiltak kan ikke være gjennomført fram i tid.");
  }
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>&) -> Result<void> {
        auto it = std::find_if(r.actions.begin(), r.actions.end(),
                               [&](const auto& a) { return a.action_no == action_no; });
        if (it == r.actions.end()) {
          return not_found("Tiltak " + std::to_string(action_no) + " finnes ikke på avviket.",
                           "action_no");
        }
        const auto status = status_of(r);
        auto rel = relation_of(r, actor);
        if (actor.has_role(kRoleUnitLeader) && actor.in_unit(it->owner_unit)) {
          rel.participant_leader = true;
        }
        if (auto ok = check_operation(Operation::kCompleteAction, rel, status); !ok) {
          return ok.error();
        }
        const auto created = util::parse_iso_utc(it->created_at);
        if (created && done_date < util::norway_date(*created)) {
          return invalid("done_date", "Tiltaket kan ikke være gjennomført før det ble opprettet.");
        }
        const std::string before = it->done_date;
        it->done_date = done_date;
        events.push_back(event(
            actor, "action_completed",
            json::serialize(json::object{{"action_no", action_no},
                                         {"before", json::object{{"done_date", before}}},
                                         {"after", json::object{{"done_date", done_date}}}})));
        return {};
      });
}

Result<store::DeviationRecord> DeviationService::link_draft(
    const std::string& id, const std::string& version, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  return mutate(
      id, expected_revision,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>&) -> Result<void> {
        const auto status = status_of(r);
        if (auto ok = check_operation(Operation::kLinkDraft, relation_of(r, actor), status); !ok) {
          return ok.error();
        }
        auto v = procedures_.find(r.procedure_id, version, "version");
        if (!v) return invalid("version", v.error().detail);
        const auto& st = (*v)->status();
        if (st != "draft" && st != "consultation" && st != "approved") {
          return invalid("version",
                         "Versjon " + version + " er ikke et utkast (status " + st + ").");
        }
        json::object before{{"linked_draft_version", r.linked_draft_version}};
        r.linked_draft_version = (*v)->procedure.version.str();
        events.push_back(
            event(actor, "draft_linked",
                  json::serialize(json::object{
                      {"before", std::move(before)},
                      {"after", json::object{{"linked_draft_version", r.linked_draft_version}}}})));
        return {};
      });
}

Result<History> DeviationService::history(const std::string& id, const Actor& actor) {
  auto record = get(id, actor);
  if (!record) return record.error();
  auto events = store_.deviation_history(id);
  if (!events) return events.error();
  History h;
  h.events = std::move(*events);
  h.first_broken_seq = verify_history(id, h.events);
  h.chain_valid = h.first_broken_seq == 0;
  if (!h.chain_valid) {
    logger_.error("deviation_history_broken",
                  {{"id", id}, {"seq", std::to_string(h.first_broken_seq)}});
  }
  return h;
}

Result<store::DeviationPage> DeviationService::list(store::DeviationQuery query,
                                                    const Actor& actor) {
  query.now_epoch = now_epoch();
  query.see_all = actor.has_role(kRoleQualityLeader);
  query.viewer = actor.user_id;
  query.viewer_units.clear();
  // Only leaders see their units' avvik; anyone sees what they reported.
  if (actor.has_role(kRoleUnitLeader)) query.viewer_units = actor.units;
  return store_.list_deviations(query);
}

Result<store::DeviationStatistics> DeviationService::statistics(store::DeviationQuery filter) {
  filter.now_epoch = now_epoch();
  filter.see_all = true;
  return store_.deviation_statistics(filter);
}

void DeviationService::scan_for_reminders(
    store::DeviationQuery query,
    const std::function<void(const store::DeviationRecord&, std::vector<store::OutboxMessage>&)>&
        remind) {
  query.see_all = true;
  query.sort = "id";
  query.descending = false;
  query.limit = 200;
  for (int page = 0; page < 10'000; ++page) {  // bounded: 2 million avvik
    auto result = store_.list_deviations(query);
    if (!result) {
      logger_.warn("reminder_scan_failed", {{"cause", result.error().log_message}});
      return;
    }
    std::vector<store::OutboxMessage> reminders;
    for (const auto& r : result->items) remind(r, reminders);
    if (!reminders.empty()) {
      // Dedupe keys make a reminder that is already queued (or delivered) a no-op.
      if (auto ok = store_.enqueue_outbox(reminders); !ok) {
        logger_.warn("reminder_enqueue_failed", {{"cause", ok.error().log_message}});
        return;
      }
      enqueued();
    }
    if (!result->more) return;
    query.after_sort_value = result->next_sort_value;
    query.after_id = result->next_id;
  }
}

std::size_t DeviationService::remind_overdue() {
  store::DeviationQuery q;
  q.overdue_only = true;
  q.now_epoch = now_epoch();
  std::size_t overdue = 0;
  scan_for_reminders(
      q, [&](const store::DeviationRecord& r, std::vector<store::OutboxMessage>& reminders) {
        ++overdue;
        const bool receive = passed_deadline(r, q.now_epoch) == PassedDeadline::kReceive;
        const std::string which = receive ? "receive" : "close";
        const auto due_epoch = receive ? r.receive_due_epoch : r.close_due_epoch;
        const std::string due = util::norway_date(due_epoch);
        reminders.push_back(notification_to_unit_leaders(
            r.responsible_unit, "Påminnelse: avvik " + r.id + " har passert fristen",
            receive ? "Avviket skulle vært bekreftet mottatt innen " + due + "."
                    : "Avviket skulle vært lukket innen " + due + ".",
            "/api/v1/deviations/" + r.id,
            // Once per deadline: a reopened avvik has a new close deadline, hence a new key.
            "deviation:" + r.id + ":reminder:" + which + ":" + std::to_string(due_epoch)));
      });
  return overdue;
}

std::size_t DeviationService::remind_overdue_actions() {
  const auto now = now_epoch();
  {
    std::lock_guard lock(scan_mutex_);
    // The action scan reads every open avvik: hourly is often enough for dates.
    if (last_action_scan_epoch_ != 0 && now - last_action_scan_epoch_ < 3600) return 0;
    last_action_scan_epoch_ = now;
  }
  const auto today = util::norway_date(now);
  store::DeviationQuery q;
  q.statuses =
      status_codes({Status::kReceived, Status::kInTreatment, Status::kAction, Status::kReopened});
  q.now_epoch = now;
  std::size_t overdue = 0;
  scan_for_reminders(
      q, [&](const store::DeviationRecord& r, std::vector<store::OutboxMessage>& reminders) {
        for (const auto& a : r.actions) {
          if (!is_action_overdue(a.due_date, a.done_date, today)) continue;
          ++overdue;
          reminders.push_back(notification_to_unit_leaders(
              a.owner_unit, "Påminnelse: tiltak på avvik " + r.id + " har passert fristen",
              "Tiltak " + std::to_string(a.action_no) + " skulle vært gjennomført innen " +
                  a.due_date + ". Registrer når det er gjort.",
              "/api/v1/deviations/" + r.id,
              "deviation:" + r.id + ":reminder:action:" + std::to_string(a.action_no) + ":" +
                  a.due_date));
        }
      });
  return overdue;
}

}  // namespace boligflyt::deviation

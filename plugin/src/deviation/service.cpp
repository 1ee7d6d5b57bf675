#include "deviation/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <utility>

#include "core/saksnummer.h"
#include "deviation/free_text.h"
#include "deviation/record.h"
#include "deviation/reporters.h"
#include "util/norway_time.h"
#include "util/time.h"
#include "util/utf8.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;
using outbox::notification_to_unit_leaders;
using outbox::notification_to_user;

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

/// record_fields, and a personvernavvik's discovery and assessment deadline.
json::object registered_fields(const store::DeviationRecord& r) {
  auto fields = record_fields(r);
  if (r.discovered_epoch != 0) {
    fields["discovered_at"] = util::iso_utc(r.discovered_epoch);
    fields["assessment_due_at"] = util::iso_utc(r.assessment_due_epoch);
  }
  return fields;
}

}  // namespace

DeviationService::DeviationService(store::Store& store, procedure::ProcedureService& procedures,
                                   const Logger& logger, DeviationSettings settings, Clock clock,
                                   DeviationCollaborators collaborators)
    : store_(store),
      procedures_(procedures),
      logger_(logger),
      settings_(std::move(settings)),
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
  rel.reporting_leader = leader && actor.in_unit(r.reporting_unit);
  return rel;
}

Result<store::DeviationCreated> DeviationService::register_deviation(
    const RegisterInput& in, const Actor& actor, const std::string& idempotency_key,
    const std::string& request_sha256) {
  // Every signed-in person may report (issue 12): the host authenticated them, and the
  // reporting unit below must be one of theirs.
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
  if (auto ok = check_category(version->procedure, *step, in.category); !ok) return ok.error();
  if (step->handles_personal_data && in.personal_data_stated && !in.personal_data) {
    return invalid("personal_data",
                   "Trinnet «" + step->title +
                       "» behandler personopplysninger. Avvik på dette trinnet merkes alltid "
                       "med personopplysninger og kan ikke meldes uten.");
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
  auto reporting = reporting_unit_of(in, actor, units);
  if (!reporting) return reporting.error();
  const std::string reporting_unit = std::move(*reporting);
  // Normalised once, here: the canonical form is stored, shown and exported.
  std::string case_reference;
  if (!in.case_reference.empty()) {
    const auto parsed =
        parse_archive_number(in.case_reference, util::norway_year(util::epoch_seconds(clock_())));
    if (!parsed.value) return invalid("case_reference", "Ugyldig saksnummer. " + parsed.problem);
    case_reference = parsed.value->canonical();
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
  r.reporter_name = actor.display_name;
  r.responsible_unit = step->responsible.unit;
  r.case_reference = case_reference;
  r.personal_data = in.personal_data || step->handles_personal_data;
  set_status(r, Status::kRegistered);
  r.created_at = util::iso_utc(now);
  r.updated_at = r.created_at;
  r.created_epoch = util::epoch_seconds(now);
  r.receive_due_epoch = add_to_epoch(r.created_epoch, settings_.receive_within);
  r.close_due_epoch = add_to_epoch(r.created_epoch, settings_.close_within);
  r.participants = participants;
  if (auto ok = apply_privacy_rules(in, r); !ok) return ok.error();

  auto first =
      event(actor, "registered", json::serialize(json::object{{"after", registered_fields(r)}}));
  const std::string step_title = step->title;
  const std::string category_name = category_label(&version->procedure, r.category);
  const std::string responsible_name = unit_name(units, r.responsible_unit);
  // The messages are built here, from the record with the placeholder for the id the store
  // assigns (ports/store/unit_of_work.h); the avvik, its first event and they go in one call.
  auto created = store_.create_deviation(
      r, first, idempotency_key, request_sha256, [&](const store::DeviationRecord& assigned) {
        std::vector<store::OutboxMessage> out;
        const std::string link = "/api/v1/deviations/" + assigned.id;
        const std::string body =
            "Et avvik er meldt på trinnet «" + step_title + "», der " + responsible_name +
            " har ansvaret. Kategori: " + category_name +
            ". Alvorlighetsgrad: " + label_of(severities(), assigned.severity) +
            ". Bekreft at dere har mottatt det.";
        out.push_back(notification_to_unit_leaders(
            assigned.responsible_unit, "Nytt avvik " + assigned.id + " til din enhet",
            is_privacy_deviation(assigned)
                ? privacy_notification_body(assigned, step_title, responsible_name)
                : body,
            link, "deviation:" + assigned.id + ":registered:" + assigned.responsible_unit));
        for (const auto& u : assigned.participants) {
          out.push_back(notification_to_unit_leaders(
              u, "Avvik " + assigned.id + ": enheten din er med i oppfølgingen",
              "Enheten din er lagt til som deltaker i oppfølgingen av et avvik på trinnet «" +
                  step_title + "».",
              link, "deviation:" + assigned.id + ":participant:" + u));
        }
        notify_privacy_officer(assigned, step_title, responsible_name, out);
        if (auto told = reporting_leaders_told(assigned, actor, step_title, units)) {
          out.push_back(std::move(*told));
        }
        if (collaborators_.archiving != nullptr) {
          if (auto exported = collaborators_.archiving->export_of(assigned, "registrert", 1)) {
            out.push_back(std::move(*exported));
          }
        }
        if (collaborators_.mirroring != nullptr) {
          out.push_back(collaborators_.mirroring->mirror_of(assigned, 1));
        }
        return out;
      }(store::with_assigned_id(r)));
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
  // The data-protection officer sees every personvernavvik, whatever its units.
  if (is_privacy_deviation(**found) && is_privacy_officer(actor)) return std::move(**found);
  const auto status = status_of(**found);
  const auto rel = relation_of(**found, actor);
  if (!sees(rel)) return no_such_deviation(id);
  if (auto ok = check_operation(Operation::kView, rel, status); !ok) {
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
    // The host's register follows every change, in the same transaction as the change.
    if (collaborators_.mirroring != nullptr) {
      outbox.push_back(collaborators_.mirroring->mirror_of(record, current_revision + 1));
    }
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
  if (!in.cause_codes.empty() && in.transition != Transition::kClose) {
    return invalid("cause_codes", "Årsakskoder hører bare til lukking.");
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
        const auto rel = relation_of(r, actor);
        if (!sees(rel)) return no_such_deviation(r.id);
        auto to = check_transition(from, in.transition, rel, facts);
        if (!to) return to.error();
        std::vector<std::string> cause_codes;
        if (in.transition == Transition::kClose) {
          // A reopened avvik closed again keeps its codes unless new ones are given.
          auto checked = check_cause_codes(settings_.cause_codes,
                                           in.cause_codes.empty() ? r.cause_codes : in.cause_codes);
          if (!checked) return checked.error();
          cause_codes = std::move(*checked);
        }
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
            if (cause_codes != r.cause_codes) {
              before["cause_codes"] = json::value_from(r.cause_codes);
              after["cause_codes"] = json::value_from(cause_codes);
              r.cause_codes = cause_codes;
            }
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
  // Only leaders see their units' avvik (responsible, participating or reporting); anyone
  // sees what they reported.
  if (actor.has_role(kRoleUnitLeader)) query.viewer_units = actor.units;
  if (is_privacy_officer(actor)) query.viewer_categories = {std::string(kCategoryPrivacy)};
  return store_.list_deviations(query);
}

Result<store::DeviationStatistics> DeviationService::statistics(store::DeviationQuery filter) {
  filter.now_epoch = now_epoch();
  filter.see_all = true;
  return store_.deviation_statistics(filter);
}

}  // namespace boligflyt::deviation

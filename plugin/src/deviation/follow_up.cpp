// Following an avvik up: comments, participating units, corrective actions and their
// completion, and the draft version meant to fix it. Each is one change through
// DeviationService::mutate (one revision, its event and its messages in one transaction).

#include <algorithm>
#include <boost/json.hpp>

#include "deviation/free_text.h"
#include "deviation/record.h"
#include "deviation/service.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;
using outbox::notification_to_unit_leaders;

std::string unit_name(const procedure::UnitRegistry& units, const std::string& id) {
  const auto* u = units.find(id);
  return u ? u->name : id;
}

// Someone who does not see the avvik is told it does not exist (lifecycle.h, sees()).
Error hidden(const std::string& id) { return not_found("Avviket «" + id + "» finnes ikke.", "id"); }

}  // namespace

Result<store::DeviationRecord> DeviationService::add_comment(
    const std::string& id, const std::string& text, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  if (auto ok = check_text("text", "kommentar", text, true, kMaxTextChars); !ok) return ok.error();
  return mutate(id, expected_revision,
                [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
                    std::vector<store::OutboxMessage>&) -> Result<void> {
                  const auto status = status_of(r);
                  const auto rel = relation_of(r, actor);
                  if (!sees(rel)) return hidden(r.id);
                  if (auto ok = check_operation(Operation::kComment, rel, status); !ok) {
                    return ok.error();
                  }
                  store::DeviationComment c;
                  c.comment_no = static_cast<std::int64_t>(r.comments.size()) + 1;
                  c.author = actor.user_id;
                  c.text = text;
                  c.created_at = now_iso();
                  r.comments.push_back(c);
                  events.push_back(event(
                      actor, "comment_added",
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
        const auto rel = relation_of(r, actor);
        if (!sees(rel)) return hidden(r.id);
        if (auto ok = check_operation(Operation::kAddParticipant, rel, status); !ok) {
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
        const auto rel = relation_of(r, actor);
        if (!sees(rel)) return hidden(r.id);
        if (auto ok = check_operation(Operation::kAddAction, rel, status); !ok) {
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
        if (!sees(rel)) return hidden(r.id);
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
        const auto rel = relation_of(r, actor);
        if (!sees(rel)) return hidden(r.id);
        if (auto ok = check_operation(Operation::kLinkDraft, rel, status); !ok) {
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

}  // namespace boligflyt::deviation

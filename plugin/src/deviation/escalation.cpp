// Escalation: an avvik not received, or not closed, by its deadline, and a personvernavvik not
// assessed within 72 hours, goes up — `escalate_after` past the deadline, once per deadline —
// to the leaders of the responsible unit's parent unit and to the quality leader, with a
// notification and a history event. Reminders (reminders.cpp) go to the responsible unit
// itself; escalation is what happens when they were not enough.

#include <boost/json.hpp>
#include <cmath>

#include "deviation/privacy.h"
#include "deviation/record.h"
#include "deviation/service.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;

struct Due {
  std::string deadline;  // receive | close | assessment
  std::int64_t due_epoch = 0;
};

/// The deadlines of `r` passed by more than `delay` at `now` and not escalated yet.
std::vector<Due> unescalated(const store::DeviationRecord& r, std::int64_t now,
                             std::int64_t delay) {
  std::vector<Due> dues;
  switch (passed_deadline(r, now - delay)) {
    case PassedDeadline::kReceive: dues.push_back({"receive", r.receive_due_epoch}); break;
    case PassedDeadline::kClose: dues.push_back({"close", r.close_due_epoch}); break;
    case PassedDeadline::kNone: break;
  }
  if (is_privacy_deviation(r) && !r.assessment && r.assessment_due_epoch != 0 &&
      is_open(status_of(r)) && r.assessment_due_epoch < now - delay) {
    dues.push_back({"assessment", r.assessment_due_epoch});
  }
  std::erase_if(dues, [&](const Due& d) {
    return std::any_of(r.escalations.begin(), r.escalations.end(), [&](const auto& e) {
      return e.deadline == d.deadline && e.due_epoch == d.due_epoch;
    });
  });
  return dues;
}

std::string missed(const Due& d) {
  const std::string due = util::norway_date(d.due_epoch);
  if (d.deadline == "receive") return "skulle vært bekreftet mottatt innen " + due;
  if (d.deadline == "close") return "skulle vært lukket innen " + due;
  return "skulle vært vurdert innen " + util::iso_utc(d.due_epoch) +
         " (72 timer etter at bruddet ble oppdaget)";
}

}  // namespace

std::size_t DeviationService::escalate_overdue() {
  const auto now = now_epoch();
  const auto delay =
      std::llround(std::max(0.0, settings_.escalate_after.approximate_days()) * 86400.0);
  std::size_t escalated = 0;
  // Two scans, each in id order and bounded: avvik past their receive or close deadline by
  // the delay, and open personvernavvik (few) for their assessment deadline.
  store::DeviationQuery overdue;
  overdue.overdue_only = true;
  overdue.now_epoch = now - delay;
  store::DeviationQuery privacy;
  privacy.category = std::string(kCategoryPrivacy);
  privacy.statuses = status_codes({Status::kRegistered, Status::kReceived, Status::kInTreatment,
                                   Status::kAction, Status::kReopened});
  for (const auto& query : {overdue, privacy}) {
    page_through(query, "escalation_scan_failed",
                 [&](const std::vector<store::DeviationRecord>& items) {
                   for (const auto& r : items) escalated += escalate(r, now);
                   return true;
                 });
  }
  return escalated;
}

std::size_t DeviationService::escalate(const store::DeviationRecord& seen, std::int64_t now) {
  const auto delay =
      std::llround(std::max(0.0, settings_.escalate_after.approximate_days()) * 86400.0);
  if (unescalated(seen, now, delay).empty()) return 0;
  const auto catalog = procedures_.snapshot();
  const auto& units = catalog->units();
  // The parent unit from the host's directory; the procedure's unit registry when the
  // directory does not say.
  std::string parent;
  if (collaborators_.directory != nullptr) {
    if (auto u = collaborators_.directory->unit(seen.responsible_unit)) parent = u->parent;
  }
  if (parent.empty()) {
    if (const auto* u = units.find(seen.responsible_unit)) parent = u->parent;
  }
  std::string step_title = seen.step_id;
  if (const auto v = procedure::Version::parse(seen.procedure_version)) {
    if (const auto* sv = catalog->find(seen.procedure_id, *v)) {
      if (const auto* s = sv->procedure.find_step(seen.step_id)) step_title = s->title;
    }
  }
  const auto* responsible = units.find(seen.responsible_unit);
  const std::string responsible_name = responsible ? responsible->name : seen.responsible_unit;
  const Actor system{"system", "boligflyt", {}, {}};
  std::size_t count = 0;
  auto stored = mutate(
      seen.id, std::nullopt,
      [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
          std::vector<store::OutboxMessage>& outbox) -> Result<void> {
        // Checked again on the current state: another node may have escalated meanwhile.
        const auto dues = unescalated(r, now, delay);
        if (dues.empty()) return conflict("already-escalated", "Allerede eskalert.");
        count = dues.size();
        const std::string link = "/api/v1/deviations/" + r.id;
        const bool privacy = is_privacy_deviation(r);
        for (const auto& d : dues) {
          r.escalations.push_back({d.deadline, d.due_epoch, now_iso(), parent});
          events.push_back(
              event(system, "escalated",
                    json::serialize(json::object{{"deadline", d.deadline},
                                                 {"due_at", util::iso_utc(d.due_epoch)},
                                                 {"to_unit", parent},
                                                 {"to_quality_leader", true}})));
          // Id, step, unit, category and deadline only.
          const std::string subject =
              std::string(privacy ? "Eskalert personvernavvik " : "Eskalert avvik ") + r.id;
          const std::string body =
              std::string(privacy ? "Personvernavviket " : "Avviket ") + r.id + " på trinnet «" +
              step_title + "», der " + responsible_name + " har ansvaret, " + missed(d) +
              ". Det er eskalert til lederen for overordnet enhet og til kvalitetsleder.";
          const std::string key =
              "deviation:" + r.id + ":escalation:" + d.deadline + ":" + std::to_string(d.due_epoch);
          if (!parent.empty()) {
            outbox.push_back(
                outbox::notification_to_unit_leaders(parent, subject, body, link, key + ":parent"));
          }
          outbox.push_back(outbox::notification_to_role(std::string(kRoleQualityLeader), "",
                                                        subject, body, link, key + ":quality"));
        }
        return {};
      });
  if (!stored) {
    if (stored.error().slug != "already-escalated") {
      logger_.warn("escalation_failed", {{"id", seen.id}, {"cause", stored.error().log_message}});
    }
    return 0;
  }
  logger_.info("deviation_escalated", {{"id", seen.id}, {"count", std::to_string(count)}});
  return count;
}

}  // namespace boligflyt::deviation

// Reminders of passed deadlines: of avvik (to receive, to close) and of corrective actions,
// once per deadline, to the leaders of the unit concerned, through the outbox.

#include <mutex>

#include "deviation/record.h"
#include "deviation/service.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::deviation {

using outbox::notification_to_unit_leaders;

void DeviationService::page_through(
    store::DeviationQuery query, std::string_view failure_event,
    const std::function<bool(const std::vector<store::DeviationRecord>&)>& each_page) {
  query.see_all = true;
  query.sort = "id";
  query.descending = false;
  query.limit = 200;
  for (int page = 0; page < 10'000; ++page) {  // bounded: 2 million avvik
    auto result = store_.list_deviations(query);
    if (!result) {
      logger_.warn(std::string(failure_event), {{"cause", result.error().log_message}});
      return;
    }
    if (!each_page(result->items) || !result->more) return;
    query.after_sort_value = result->next_sort_value;
    query.after_id = result->next_id;
  }
}

void DeviationService::scan_for_reminders(
    store::DeviationQuery query,
    const std::function<void(const store::DeviationRecord&, std::vector<store::OutboxMessage>&)>&
        remind) {
  page_through(std::move(query), "reminder_scan_failed",
               [&](const std::vector<store::DeviationRecord>& items) {
                 std::vector<store::OutboxMessage> reminders;
                 for (const auto& r : items) remind(r, reminders);
                 if (reminders.empty()) return true;
                 // Dedupe keys make a reminder that is already queued (or delivered) a no-op.
                 if (auto ok = store_.enqueue_outbox(reminders); !ok) {
                   logger_.warn("reminder_enqueue_failed", {{"cause", ok.error().log_message}});
                   return false;
                 }
                 enqueued();
                 return true;
               });
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

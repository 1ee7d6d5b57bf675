#pragma once
// THE overdue rule, in one place. An open avvik is overdue when the deadline that applies to
// it has passed: the deadline to receive it while it is registrert, the deadline to close it
// always (a registrert avvik past its close deadline is past its receive deadline too). A
// corrective action is overdue when it is not done and its due date is before Norway's
// today. The API's "overdue" flag, the reminders and the statistics all ask here; the store's
// SQL filter (DeviationQuery::overdue_only) is this rule written as a query.

#include <cstdint>
#include <string>

#include "core/overdue_rule.h"
#include "deviation/lifecycle.h"

namespace boligflyt::deviation {

using rules::PassedDeadline;

/// Which deadline of an avvik in `status` has passed at `now_epoch`.
inline PassedDeadline passed_deadline(Status status, std::int64_t receive_due_epoch,
                                      std::int64_t close_due_epoch, std::int64_t now_epoch) {
  return rules::passed_deadline(is_open(status), status == Status::kRegistered, receive_due_epoch,
                                close_due_epoch, now_epoch);
}

inline bool is_overdue(Status status, std::int64_t receive_due_epoch, std::int64_t close_due_epoch,
                       std::int64_t now_epoch) {
  return passed_deadline(status, receive_due_epoch, close_due_epoch, now_epoch) !=
         PassedDeadline::kNone;
}

/// `due_date`, `done_date` and `today` are "YYYY-MM-DD"; `today` is Norway's
/// (util::norway_today). An action without a due date is never overdue.
inline bool is_action_overdue(const std::string& due_date, const std::string& done_date,
                              const std::string& today) {
  return done_date.empty() && !due_date.empty() && due_date < today;
}

}  // namespace boligflyt::deviation

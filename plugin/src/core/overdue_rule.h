#pragma once
// The overdue rule on plain values, below every area that needs it: the domain
// (deviation/overdue.h, with its Status type), and the store's statistics, which count
// overdue avvik while they scan rows. The store's SQL filter (store/sql/rows.h kOverdueSql)
// is this rule written as a query; the store suite checks that both agree.

#include <cstdint>

namespace boligflyt::rules {

enum class PassedDeadline { kNone, kReceive, kClose };

/// Which deadline has passed at `now_epoch` for an avvik that is `open` (not lukket or
/// avvist) and, when `registered`, not yet received: while it is registrert, the deadline to
/// receive it; after that, the deadline to close it. (The close deadline is the later one, so a
/// registrert avvik past it is past its receive deadline too.)
inline PassedDeadline passed_deadline(bool open, bool registered, std::int64_t receive_due_epoch,
                                      std::int64_t close_due_epoch, std::int64_t now_epoch) {
  if (!open) return PassedDeadline::kNone;
  if (registered) {
    return receive_due_epoch < now_epoch ? PassedDeadline::kReceive : PassedDeadline::kNone;
  }
  return close_due_epoch < now_epoch ? PassedDeadline::kClose : PassedDeadline::kNone;
}

}  // namespace boligflyt::rules

#pragma once
// The store boundary of an avvik: the store keeps its status as the stable code
// ("registrert", …) in store::DeviationRecord; the domain reads and writes it as a Status.

#include <initializer_list>
#include <string>
#include <vector>

#include "deviation/lifecycle.h"
#include "deviation/overdue.h"
#include "ports/store/store.h"

namespace boligflyt::deviation {

/// The record's status. A code this version does not know (written by a newer one) is read
/// as registrert, the state that asks for the most attention.
inline Status status_of(const store::DeviationRecord& record) {
  return parse_status(record.status).value_or(Status::kRegistered);
}

inline void set_status(store::DeviationRecord& record, Status status) {
  record.status = std::string(status_code(status));
}

inline std::vector<std::string> status_codes(std::initializer_list<Status> statuses) {
  std::vector<std::string> codes;
  codes.reserve(statuses.size());
  for (const auto s : statuses) codes.emplace_back(status_code(s));
  return codes;
}

inline PassedDeadline passed_deadline(const store::DeviationRecord& r, std::int64_t now_epoch) {
  return passed_deadline(status_of(r), r.receive_due_epoch, r.close_due_epoch, now_epoch);
}

inline bool is_overdue(const store::DeviationRecord& r, std::int64_t now_epoch) {
  return passed_deadline(r, now_epoch) != PassedDeadline::kNone;
}

}  // namespace boligflyt::deviation

// Reading one avvik with its children for GET /api/v1/deviations/{id} (issue 14, goal 3):
// the participants, actions, comments and cause codes in one statement of fixed text, instead
// of one statement each built for a page of avvik (load_children).

#include <string>
#include <utility>
#include <vector>

#include "store/sql/deviation_rows.h"
#include "store/sql/privacy_rows.h"

namespace boligflyt::store::sql {
namespace {

enum Child : std::int64_t { kParticipant = 1, kAction = 2, kComment = 3, kCauseCode = 4 };

// Each child's own order (position or number) within its kind; columns the kind lacks are ''.
constexpr const char* kChildrenSql =
    "SELECT 1 AS kind, position AS n, unit_id AS t1, '' AS t2, '' AS t3, '' AS t4, '' AS t5, "
    "'' AS t6 FROM deviation_participants WHERE deviation_id = ?1 "
    "UNION ALL SELECT 2, action_no, owner_unit, description, due_date, done_date, created_by, "
    "created_at FROM deviation_actions WHERE deviation_id = ?1 "
    "UNION ALL SELECT 3, comment_no, author, text, created_at, '', '', '' FROM "
    "deviation_comments WHERE deviation_id = ?1 "
    "UNION ALL SELECT 4, position, code, '', '', '', '', '' FROM deviation_cause_codes WHERE "
    "deviation_id = ?1 "
    "ORDER BY 1, 2";

}  // namespace

std::optional<DeviationRecord> load_one_deviation(Connection& c, const std::string& id) {
  std::vector<DeviationRecord> items;
  {
    static const std::string kRowSql =
        std::string("SELECT ") + kDeviationColumns + " FROM deviations d WHERE d.id = ?1";
    Query q(c, kRowSql);
    q.with(id);
    if (!q.next()) return std::nullopt;
    items.push_back(read_deviation(q));
  }
  DeviationRecord& r = items.front();
  Query q(c, kChildrenSql);
  q.with(id);
  while (q.next()) {
    switch (q.int64(0)) {
      case kParticipant: r.participants.push_back(q.text(2)); break;
      case kAction:
        r.actions.push_back(
            {q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7)});
        break;
      case kComment: r.comments.push_back({q.int64(1), q.text(2), q.text(3), q.text(4)}); break;
      case kCauseCode: r.cause_codes.push_back(q.text(2)); break;
      default: break;
    }
  }
  load_privacy_children(c, items, "(?)");
  return std::move(items.front());
}

}  // namespace boligflyt::store::sql

// Personvernavvik rows (discovery, the 72-hour assessment deadline, the assessment) and the
// escalations of an avvik: written with the avvik in its transaction, read with its children.

#include <unordered_map>

#include "store/sql/privacy_rows.h"
#include "store/sql/rows.h"

namespace boligflyt::store::sql {

void load_privacy_children(Connection& c, std::vector<DeviationRecord>& items,
                           const std::string& in) {
  if (items.empty()) return;
  std::unordered_map<std::string, DeviationRecord*> by_id;
  for (auto& item : items) by_id.emplace(item.id, &item);
  auto run = [&](const std::string& sql, const auto& read) {
    Query q(c, sql);
    int index = 1;
    for (const auto& item : items) q.bind(index++, item.id);
    while (q.next()) {
      const auto it = by_id.find(q.text(0));
      if (it != by_id.end()) read(q, *it->second);
    }
  };
  run("SELECT deviation_id, discovered_epoch, assessment_due_epoch, assessed, risk, "
      "notify_required, notified_at, reference, reason_not_notified, assessed_by, assessed_at, "
      "assessed_epoch FROM deviation_privacy WHERE deviation_id IN " +
          in,
      [](const Query& q, DeviationRecord& r) {
        r.discovered_epoch = q.int64(1);
        r.assessment_due_epoch = q.int64(2);
        if (q.int64(3) == 0) return;
        PrivacyAssessment a;
        a.risk = q.text(4);
        a.notify_required = q.int64(5) != 0;
        a.notified_at = q.text(6);
        a.reference = q.text(7);
        a.reason_not_notified = q.text(8);
        a.assessed_by = q.text(9);
        a.assessed_at = q.text(10);
        a.assessed_epoch = q.int64(11);
        r.assessment = std::move(a);
      });
  run("SELECT deviation_id, deadline, due_epoch, escalated_at, to_unit FROM "
      "deviation_escalations WHERE deviation_id IN " +
          in + " ORDER BY deviation_id, escalated_at, deadline, due_epoch",
      [](const Query& q, DeviationRecord& r) {
        r.escalations.push_back({q.text(1), q.int64(2), q.text(3), q.text(4)});
      });
}

void write_privacy_children(Connection& c, const DeviationRecord& r) {
  if (r.discovered_epoch != 0) {
    const PrivacyAssessment none;
    const PrivacyAssessment& a = r.assessment ? *r.assessment : none;
    Query q(c,
            "INSERT INTO deviation_privacy (deviation_id, discovered_epoch, assessment_due_epoch, "
            "assessed, risk, notify_required, notified_at, reference, reason_not_notified, "
            "assessed_by, assessed_at, assessed_epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
            "?9, ?10, ?11, ?12) ON CONFLICT (deviation_id) DO UPDATE SET "
            "discovered_epoch = ?2, assessment_due_epoch = ?3, assessed = ?4, risk = ?5, "
            "notify_required = ?6, notified_at = ?7, reference = ?8, reason_not_notified = ?9, "
            "assessed_by = ?10, assessed_at = ?11, assessed_epoch = ?12");
    q.with(r.id, r.discovered_epoch, r.assessment_due_epoch,
           std::int64_t{r.assessment.has_value() ? 1 : 0}, a.risk,
           std::int64_t{a.notify_required ? 1 : 0}, a.notified_at, a.reference,
           a.reason_not_notified, a.assessed_by, a.assessed_at, a.assessed_epoch)
        .run();
  }
  for (const auto& e : r.escalations) {
    Query q(c,
            "INSERT INTO deviation_escalations (deviation_id, deadline, due_epoch, escalated_at, "
            "to_unit) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
    q.with(r.id, e.deadline, e.due_epoch, e.escalated_at, e.to_unit).run();
  }
}

void add_privacy_statistics(Connection& c, const FilterSql& filter, std::int64_t now_epoch,
                            DeviationStatistics& stats) {
  // Few rows (personvernavvik only), so one grouped pass whatever the filter; CROSS JOIN keeps
  // them the outer loop (SQLite's planner would otherwise walk the avvik of a date range).
  Query q(c,
          "SELECT CASE WHEN p.assessed = 1 AND p.assessed_epoch <= p.assessment_due_epoch "
          "THEN 'in_time' WHEN p.assessed = 1 THEN 'late' WHEN p.assessment_due_epoch < ? "
          "THEN 'overdue' ELSE 'pending' END AS kept, count(*) FROM deviation_privacy p CROSS "
          "JOIN deviations d WHERE d.id = p.deviation_id" +
              filter.where + " GROUP BY kept");
  Params params;
  params.add(now_epoch);
  params.append(filter.params);
  params.bind(q);
  while (q.next()) {
    const std::string kept = q.text(0);
    const std::int64_t n = q.int64(1);
    stats.privacy_total += n;
    if (kept == "in_time") stats.privacy_assessed_in_time += n;
    if (kept == "late") stats.privacy_assessed_late += n;
    if (kept == "overdue") stats.privacy_open_overdue += n;
    if (kept == "pending") stats.privacy_open_pending += n;
  }
}

}  // namespace boligflyt::store::sql

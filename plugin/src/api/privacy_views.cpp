#include "api/privacy_views.h"

#include "api/json_body.h"
#include "deviation/privacy.h"
#include "deviation/record.h"
#include "util/time.h"

namespace boligflyt::api {

namespace json = boost::json;

void add_privacy_members(json::object& out, const store::DeviationRecord& r,
                         const deviation::DeviationService& svc, const Principal& viewer) {
  const bool privacy = r.discovered_epoch != 0;
  out["discovered_at"] = privacy ? json::value(util::iso_utc(r.discovered_epoch)) : nullptr;
  if (auto* deadlines = out.if_contains("deadlines"); deadlines && deadlines->is_object()) {
    deadlines->as_object()["assess_by"] =
        privacy ? json::value(util::iso_utc(r.assessment_due_epoch)) : nullptr;
    deadlines->as_object()["assessment_overdue"] =
        privacy && !r.assessment && r.assessment_due_epoch < svc.now_epoch();
  }
  if (r.assessment) {
    const auto& a = *r.assessment;
    std::string risk_label = a.risk;
    for (const auto& code : deviation::privacy_risks()) {
      if (code.code == a.risk) risk_label = std::string(code.label);
    }
    out["privacy_assessment"] =
        json::object{{"risk", a.risk},
                     {"risk_label", risk_label},
                     {"notify_required", a.notify_required},
                     {"notified_at", text_or_null(a.notified_at)},
                     {"reference", text_or_null(a.reference)},
                     {"reason_not_notified", text_or_null(a.reason_not_notified)},
                     {"assessed_by", a.assessed_by},
                     {"assessed_at", a.assessed_at},
                     {"in_time", a.assessed_epoch <= r.assessment_due_epoch}};
  } else {
    out["privacy_assessment"] = nullptr;
  }
  out["can_assess"] =
      privacy && deviation::is_open(deviation::status_of(r)) &&
      (svc.is_privacy_officer(viewer) || viewer.has_role(deviation::kRoleQualityLeader));
  json::array escalations;
  for (const auto& e : r.escalations) {
    escalations.push_back(json::object{{"deadline", e.deadline},
                                       {"due_at", util::iso_utc(e.due_epoch)},
                                       {"escalated_at", e.escalated_at},
                                       {"to_unit", text_or_null(e.to_unit)}});
  }
  out["escalations"] = std::move(escalations);
}

Result<deviation::AssessmentInput> parse_assessment(const json::value& body) {
  if (!body.is_object()) return invalid("", "Innholdet må være et JSON-objekt.");
  deviation::AssessmentInput in;
  for (const auto& [key, v] : body.as_object()) {
    const std::string field(key);
    if (field == "notify_required") {
      if (v.is_null()) continue;
      if (!v.is_bool()) return invalid(field, "«notify_required» må være true eller false.");
      in.notify_required = v.as_bool();
      continue;
    }
    std::string* target = field == "risk"                  ? &in.risk
                          : field == "notified_at"         ? &in.notified_at
                          : field == "reference"           ? &in.reference
                          : field == "reason_not_notified" ? &in.reason_not_notified
                                                           : nullptr;
    if (target == nullptr) return invalid(field, "Ukjent felt «" + field + "».");
    if (v.is_null()) continue;
    if (!v.is_string()) return invalid(field, "Feltet «" + field + "» må være tekst.");
    *target = v.as_string();
  }
  return in;
}

json::object privacy_statistics_json(const store::DeviationStatistics& s) {
  return json::object{{"total", s.privacy_total},
                      {"assessed_in_time", s.privacy_assessed_in_time},
                      {"assessed_late", s.privacy_assessed_late},
                      {"open_overdue", s.privacy_open_overdue},
                      {"open_pending", s.privacy_open_pending}};
}

}  // namespace boligflyt::api

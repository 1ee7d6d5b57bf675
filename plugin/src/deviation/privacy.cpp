// Personvernavvik (privacy.h): the rules at registration, the data-protection officer's
// notification, and the assessment as one change of the avvik through mutate().

#include "deviation/privacy.h"

#include <boost/json.hpp>

#include "deviation/free_text.h"
#include "deviation/record.h"
#include "deviation/service.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;

bool is_risk(std::string_view code) {
  const auto& risks = privacy_risks();
  return std::any_of(risks.begin(), risks.end(), [&](const RiskCode& r) { return r.code == code; });
}

json::object assessment_fields(const store::PrivacyAssessment& a) {
  return json::object{{"risk", a.risk},
                      {"notify_required", a.notify_required},
                      {"notified_at", a.notified_at},
                      {"reference", a.reference},
                      {"reason_not_notified", a.reason_not_notified}};
}

}  // namespace

bool is_privacy_officer(const Actor& actor, const PrivacyOfficer& officer) {
  if (!officer.user.empty()) return actor.user_id == officer.user;
  if (!actor.has_role(kRoleDataProtectionOfficer)) return false;
  return officer.unit.empty() || actor.in_unit(officer.unit);
}

const std::vector<RiskCode>& privacy_risks() {
  static const std::vector<RiskCode> codes = {
      {"lav", "Lav: lite sannsynlig at bruddet medfører risiko for de registrerte"},
      {"middels", "Middels: bruddet kan medføre risiko for de registrerte"},
      {"hoy", "Høy: sannsynlig høy risiko; de registrerte skal også varsles"},
  };
  return codes;
}

std::string privacy_notification_body(const store::DeviationRecord& r,
                                      const std::string& step_title,
                                      const std::string& responsible_name) {
  // Id, step, unit, category and deadline only: what happened stays in the plugin.
  return "Personvernavvik " + r.id + " er meldt på trinnet «" + step_title +
         "» (ansvarlig enhet: " + responsible_name + "). Det skal vurderes innen " +
         util::iso_utc(r.assessment_due_epoch) +
         " (72 timer etter at bruddet ble oppdaget), og Datatilsynet varsles om det kreves.";
}

Result<void> DeviationService::apply_privacy_rules(const RegisterInput& in,
                                                   store::DeviationRecord& r) const {
  if (!is_privacy_deviation(r)) {
    if (!in.discovered_at.empty()) {
      return invalid("discovered_at", "Oppdagelsestidspunktet gjelder bare personvernavvik.");
    }
    return {};
  }
  std::int64_t discovered = r.created_epoch;
  if (!in.discovered_at.empty()) {
    const auto parsed = util::parse_iso_utc(in.discovered_at);
    if (!parsed) {
      return invalid("discovered_at",
                     "Oppdagelsestidspunktet må være et tidspunkt i UTC på formen "
                     "ÅÅÅÅ-MM-DDTtt:mm:ssZ.");
    }
    if (*parsed > r.created_epoch) {
      return invalid("discovered_at", "Oppdagelsestidspunktet kan ikke være fram i tid.");
    }
    if (util::norway_date(*parsed) < r.incident_date) {
      return invalid("discovered_at", "Bruddet kan ikke være oppdaget før hendelsesdatoen.");
    }
    discovered = *parsed;
  }
  r.discovered_epoch = discovered;
  r.assessment_due_epoch = discovered + kAssessmentSeconds;
  // Forced, not refused: a breach of personal-data security concerns personal data by
  // definition, and a reporter who forgot the box must not be stopped from reporting it.
  r.personal_data = true;
  return {};
}

void DeviationService::notify_privacy_officer(const store::DeviationRecord& assigned,
                                              const std::string& step_title,
                                              const std::string& responsible_name,
                                              std::vector<store::OutboxMessage>& out) const {
  if (!is_privacy_deviation(assigned)) return;
  const std::string subject = "Personvernavvik " + assigned.id + " skal vurderes";
  const std::string body = privacy_notification_body(assigned, step_title, responsible_name);
  const std::string link = "/api/v1/deviations/" + assigned.id;
  const std::string key = "deviation:" + assigned.id + ":privacy-officer";
  const auto& officer = settings_.privacy_officer;
  if (!officer.user.empty()) {
    out.push_back(outbox::notification_to_user(officer.user, subject, body, link, key));
  } else {
    out.push_back(outbox::notification_to_role(std::string(kRoleDataProtectionOfficer),
                                               officer.unit, subject, body, link, key));
  }
}

Result<store::DeviationRecord> DeviationService::assess_privacy(
    const std::string& id, const AssessmentInput& in, const Actor& actor,
    std::optional<std::int64_t> expected_revision) {
  if (!is_privacy_officer(actor) && !actor.has_role(kRoleQualityLeader)) {
    return domain_error(ErrorKind::kForbidden, "not-allowed",
                        "Bare personvernombudet og kvalitetsleder kan registrere vurderingen av "
                        "et personvernavvik.");
  }
  if (in.risk.empty()) return invalid("risk", "Feltet «risiko» mangler.");
  if (!is_risk(in.risk)) return invalid("risk", "Risikoen må være lav, middels eller hoy.");
  if (!in.notify_required) {
    return invalid("notify_required", "Oppgi om Datatilsynet skal varsles (true eller false).");
  }
  std::optional<std::int64_t> notified_epoch;
  if (*in.notify_required) {
    if (!in.reason_not_notified.empty()) {
      return invalid("reason_not_notified",
                     "Begrunnelsen for ikke å varsle hører bare til når Datatilsynet ikke skal "
                     "varsles.");
    }
    if (!in.notified_at.empty()) {
      notified_epoch = util::parse_iso_utc(in.notified_at);
      if (!notified_epoch) {
        return invalid("notified_at",
                       "Varslingstidspunktet må være på formen ÅÅÅÅ-MM-DDTtt:mm:ssZ (UTC).");
      }
      if (*notified_epoch > now_epoch()) {
        return invalid("notified_at", "Varslingstidspunktet kan ikke være fram i tid.");
      }
    }
    if (in.notified_at.empty() != in.reference.empty()) {
      return invalid(in.reference.empty() ? "reference" : "notified_at",
                     "Når Datatilsynet er varslet, oppgi både tidspunktet og Datatilsynets "
                     "referanse.");
    }
    if (auto ok = check_text("reference", "referanse", in.reference, false, 100); !ok) {
      return ok.error();
    }
  } else {
    if (in.risk != "lav") {
      return invalid("notify_required",
                     "Datatilsynet skal varsles når bruddet kan medføre risiko for de registrerte "
                     "(GDPR art. 33). Bare lav risiko kan la være.");
    }
    if (!in.notified_at.empty() || !in.reference.empty()) {
      return invalid(in.notified_at.empty() ? "reference" : "notified_at",
                     "Varslingstidspunkt og referanse hører bare til når Datatilsynet varsles.");
    }
    if (auto ok = check_text("reason_not_notified", "begrunnelse for ikke å varsle",
                             in.reason_not_notified, true, kMaxTextChars);
        !ok) {
      return ok.error();
    }
  }
  return mutate(id, expected_revision,
                [&](store::DeviationRecord& r, std::vector<store::DeviationEvent>& events,
                    std::vector<store::OutboxMessage>&) -> Result<void> {
                  if (!is_privacy_deviation(r) || r.discovered_epoch == 0) {
                    return invalid("category", "Avviket er ikke et personvernavvik.");
                  }
                  if (notified_epoch && *notified_epoch < r.discovered_epoch) {
                    return invalid("notified_at",
                                   "Datatilsynet kan ikke være varslet før bruddet ble oppdaget.");
                  }
                  store::PrivacyAssessment a;
                  a.risk = in.risk;
                  a.notify_required = *in.notify_required;
                  a.notified_at = notified_epoch ? util::iso_utc(*notified_epoch) : std::string();
                  a.reference = in.reference;
                  a.reason_not_notified = in.reason_not_notified;
                  // Deadline compliance is about the first assessment; a revision (Datatilsynet
                  // notified later, say) keeps when and by whom it was first made.
                  a.assessed_by = r.assessment ? r.assessment->assessed_by : actor.user_id;
                  a.assessed_at = r.assessment ? r.assessment->assessed_at : now_iso();
                  a.assessed_epoch = r.assessment ? r.assessment->assessed_epoch : now_epoch();
                  json::object data{{"after", assessment_fields(a)},
                                    {"assessment_due_at", util::iso_utc(r.assessment_due_epoch)},
                                    {"in_time", a.assessed_epoch <= r.assessment_due_epoch}};
                  if (r.assessment) data["before"] = assessment_fields(*r.assessment);
                  r.assessment = std::move(a);
                  events.push_back(event(actor, "privacy_assessed", json::serialize(data)));
                  return {};
                });
}

}  // namespace boligflyt::deviation

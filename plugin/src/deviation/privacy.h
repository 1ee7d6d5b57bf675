#pragma once
// Personvernavvik: a breach of personal-data security (GDPR art. 33). The controller must
// assess it and, unless it is unlikely to result in a risk to the persons concerned, notify
// Datatilsynet within 72 hours of discovering it. Such an avvik therefore records when it was
// discovered, gets an assessment deadline 72 hours later, goes to the data-protection officer
// (personvernombud) besides the responsible leader, always counts as holding personal data, and
// records the assessment. The rules are here; DeviationService applies them (privacy.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "ports/store/records.h"

namespace boligflyt::deviation {

inline constexpr std::string_view kCategoryPrivacy = "personvernavvik";
inline constexpr std::string_view kRoleDataProtectionOfficer = "data_protection_officer";
/// GDPR art. 33(1): "not later than 72 hours after having become aware of it".
inline constexpr std::int64_t kAssessmentSeconds = 72 * 3600;

/// Who the data-protection officer is (plugin config deviations.data_protection_officer): a
/// user, or whoever holds the role data_protection_officer in a unit. Neither set: whoever
/// holds that role.
struct PrivacyOfficer {
  std::string user;
  std::string unit;
};

bool is_privacy_officer(const Actor& actor, const PrivacyOfficer& officer);

inline bool is_privacy_deviation(const store::DeviationRecord& r) {
  return r.category == kCategoryPrivacy;
}

/// The risk to the persons concerned, as art. 33 and 34 grade it: "lav" (unlikely to result
/// in a risk: Datatilsynet need not be notified), "middels" (a risk: notify), "hoy" (a high
/// risk: notify, and tell the persons concerned, art. 34).
struct RiskCode {
  std::string_view code;
  std::string_view label;
};
const std::vector<RiskCode>& privacy_risks();

/// What every notification of a new personvernavvik says: its id, step, responsible unit,
/// category and assessment deadline, and nothing else (not even the severity).
std::string privacy_notification_body(const store::DeviationRecord& r,
                                      const std::string& step_title,
                                      const std::string& responsible_name);

struct AssessmentInput {
  std::string risk;
  std::optional<bool> notify_required;
  std::string notified_at;  // "YYYY-MM-DDTHH:MM:SSZ" when Datatilsynet was notified
  std::string reference;    // Datatilsynet's reference (saksnummer) of the notification
  std::string reason_not_notified;
};

}  // namespace boligflyt::deviation

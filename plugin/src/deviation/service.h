#pragma once
// Avvik (deviations) end to end: register against a procedure step, route to the leader of
// the step's responsible unit, drive through the lifecycle (lifecycle.h) to closure, keep a
// hash-chained history, and notify people through the durable outbox. The store enforces
// consistency (gapless ids, revisions, one transaction per change); this module enforces the
// domain rules and who may do what.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/actor.h"
#include "core/result.h"
#include "deviation/categories.h"
#include "deviation/collaborators.h"
#include "deviation/lifecycle.h"
#include "deviation/privacy.h"
#include "observability/logger.h"
#include "outbox/messages.h"
#include "ports/host_services.h"
#include "ports/store/store.h"
#include "procedure/iso_duration.h"
#include "procedure/service.h"

namespace boligflyt::deviation {

inline constexpr std::string_view kRoleQualityLeader = "quality_leader";
inline constexpr std::string_view kRoleUnitLeader = "unit_leader";

struct Code {
  std::string_view code;
  std::string_view label;
};
/// The categories of ISO 9001 10.2 as the municipality words them.
const std::vector<Code>& categories();
const std::vector<Code>& severities();
/// The Norwegian label of a code, or the code itself when unknown.
std::string label_of(const std::vector<Code>& codes, std::string_view code);

/// Texts are limited so that a report stays a report (and a row stays small).
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxTextChars = 10'000;

struct DeviationSettings {
  procedure::IsoDuration receive_within{.days = 3};
  procedure::IsoDuration close_within{.days = 30};
  PrivacyOfficer privacy_officer;  // who receives and assesses personvernavvik
  /// How long after a passed deadline the avvik is escalated to the parent unit's leaders
  /// and the quality leader.
  procedure::IsoDuration escalate_after{.days = 1};
  /// The catalogue of cause codes required at closing.
  std::vector<CauseCode> cause_codes = default_cause_codes();
};

struct RegisterInput {
  std::string procedure_id;
  std::string step_id;
  std::string incident_date;  // YYYY-MM-DD
  std::string category;
  std::string severity;
  std::string title;
  std::string description;
  std::string reporting_unit;  // empty: the reporter's only unit
  std::string case_reference;  // saksnummer, e.g. 2026/4185
  bool personal_data = false;
  std::vector<std::string> participants;
  // Personvernavvik only: when the breach was discovered, "YYYY-MM-DDTHH:MM:SSZ"; empty
  // means at registration.
  std::string discovered_at;
  /// The client said personal_data explicitly. On a step that handles personal data the
  /// avvik always has it: unstated, it is set; stated false, the registration is refused.
  bool personal_data_stated = false;
};

struct TransitionInput {
  Transition transition = Transition::kReceive;
  std::string cause;
  std::string evaluation;
  std::string reason;
  std::string resolved_in_version;
  std::vector<std::string> cause_codes;  // lukk only: one or more from the catalogue
};

struct ActionInput {
  std::string owner_unit;
  std::string description;
  std::string due_date;
};

struct History {
  std::vector<store::DeviationEvent> events;
  bool chain_valid = true;
  std::int64_t first_broken_seq = 0;  // 0 when valid
};

/// First event whose hash or link does not match; 0 when the whole chain holds.
std::int64_t verify_history(const std::string& deviation_id,
                            const std::vector<store::DeviationEvent>& events);

class DeviationService {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  DeviationService(store::Store& store, procedure::ProcedureService& procedures,
                   const Logger& logger, DeviationSettings settings, Clock clock = {},
                   DeviationCollaborators collaborators = {});

  /// Where the archive filed an avvik, from the archive's receipts in the store.
  std::vector<store::ArchiveReceiptRecord> archive_references(const std::string& id) const;

  Result<store::DeviationCreated> register_deviation(const RegisterInput& input, const Actor& actor,
                                                     const std::string& idempotency_key,
                                                     const std::string& request_sha256);

  Result<store::DeviationRecord> get(const std::string& id, const Actor& actor);

  /// `expected_revision` from If-Match; without it the change applies to the current state
  /// (the rules are checked against that state), retried once if someone else wrote first.
  Result<store::DeviationRecord> transition(const std::string& id, const TransitionInput& input,
                                            const Actor& actor,
                                            std::optional<std::int64_t> expected_revision);
  Result<store::DeviationRecord> add_comment(const std::string& id, const std::string& text,
                                             const Actor& actor,
                                             std::optional<std::int64_t> expected_revision);
  Result<store::DeviationRecord> add_participant(const std::string& id, const std::string& unit,
                                                 const Actor& actor,
                                                 std::optional<std::int64_t> expected_revision);
  Result<store::DeviationRecord> add_action(const std::string& id, const ActionInput& input,
                                            const Actor& actor,
                                            std::optional<std::int64_t> expected_revision);
  Result<store::DeviationRecord> complete_action(const std::string& id, std::int64_t action_no,
                                                 const std::string& done_date, const Actor& actor,
                                                 std::optional<std::int64_t> expected_revision);
  /// Links a draft (or approved, not yet published) version of the avvik's procedure that is
  /// meant to fix it.
  Result<store::DeviationRecord> link_draft(const std::string& id, const std::string& version,
                                            const Actor& actor,
                                            std::optional<std::int64_t> expected_revision);

  Result<History> history(const std::string& id, const Actor& actor);

  /// Applies visibility: the quality leader sees all, others what they reported or what
  /// their units are responsible for or take part in.
  Result<store::DeviationPage> list(store::DeviationQuery query, const Actor& actor);
  /// Anonymous aggregates: anyone signed in.
  Result<store::DeviationStatistics> statistics(store::DeviationQuery filter);

  /// Enqueues one reminder per passed deadline (receive, close) to the responsible unit's
  /// leaders, once per deadline. Returns how many avvik were overdue.
  std::size_t remind_overdue();
  /// Enqueues one reminder per corrective action past its due date and not done, to the
  /// leaders of the action's owner unit. Scans at most hourly; returns the overdue count.
  std::size_t remind_overdue_actions();

  /// The outbox as the quality leader sees it (newest first, at most 500).
  Result<std::vector<store::OutboxMessage>> outbox(const std::string& topic,
                                                   const std::string& status) {
    return store_.list_outbox(topic, status, 500);
  }
  Result<store::OutboxCounts> outbox_counts(const std::string& topic) {
    return store_.outbox_counts(topic);
  }

  std::int64_t now_epoch() const;
  /// How `actor` relates to the avvik (reporter, leader of the responsible or a
  /// participating unit, quality leader): what lifecycle.h decides with.
  static Relation relation_of(const store::DeviationRecord& record, const Actor& actor);
  const procedure::ProcedureService& procedures() const { return procedures_; }
  /// The configured catalogue of cause codes.
  const std::vector<CauseCode>& cause_codes() const { return settings_.cause_codes; }

  /// Records (or revises) the assessment of a personvernavvik: the data-protection officer or
  /// the quality leader (privacy.cpp).
  Result<store::DeviationRecord> assess_privacy(const std::string& id, const AssessmentInput& input,
                                                const Actor& actor,
                                                std::optional<std::int64_t> expected_revision);
  bool is_privacy_officer(const Actor& actor) const {
    return deviation::is_privacy_officer(actor, settings_.privacy_officer);
  }
  /// Escalates, once per deadline and `escalate_after` past it, every open avvik not received
  /// or not closed in time, and every personvernavvik not assessed in time, to the leaders of
  /// the responsible unit's parent unit and the quality leader (escalation.cpp). Returns how
  /// many deadlines were escalated now.
  std::size_t escalate_overdue();

 private:
  /// Discovery, assessment deadline and personal_data of a new personvernavvik; refuses a
  /// discovery time on another avvik (privacy.cpp).
  Result<void> apply_privacy_rules(const RegisterInput& in, store::DeviationRecord& r) const;
  /// The data-protection officer's notification of a new personvernavvik.
  void notify_privacy_officer(const store::DeviationRecord& assigned, const std::string& step_title,
                              const std::string& responsible_name,
                              std::vector<store::OutboxMessage>& out) const;
  /// Escalates `r`'s passed deadlines not escalated before; the number escalated.
  std::size_t escalate(const store::DeviationRecord& r, std::int64_t now);
  using Mutation = std::function<Result<void>(store::DeviationRecord& record,
                                              std::vector<store::DeviationEvent>& events,
                                              std::vector<store::OutboxMessage>& outbox)>;
  Result<store::DeviationRecord> mutate(const std::string& id,
                                        std::optional<std::int64_t> expected_revision,
                                        const Mutation& mutation);
  std::string now_iso() const;
  /// The latest calendar date it can be in Norway now (UTC+2 at most): later dates are
  /// in the future.
  std::string norwegian_today() const;
  store::DeviationEvent event(const Actor& actor, std::string kind, std::string data_json) const;
  void enqueued() const;
  /// Pages through every avvik matching `query` (in id order, bounded), handing each page to
  /// `each_page` until it returns false; a failed read is logged as `failure_event`.
  void page_through(
      store::DeviationQuery query, std::string_view failure_event,
      const std::function<bool(const std::vector<store::DeviationRecord>&)>& each_page);
  /// page_through, enqueueing the reminders `remind` adds for each avvik.
  void scan_for_reminders(store::DeviationQuery query,
                          const std::function<void(const store::DeviationRecord&,
                                                   std::vector<store::OutboxMessage>&)>& remind);

  store::Store& store_;
  procedure::ProcedureService& procedures_;
  const Logger& logger_;
  DeviationSettings settings_;
  Clock clock_;
  DeviationCollaborators collaborators_;
  std::mutex scan_mutex_;
  std::int64_t last_action_scan_epoch_ = 0;
};

}  // namespace boligflyt::deviation

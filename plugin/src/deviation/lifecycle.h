#pragma once
// The lifecycle of an avvik (ISO 9001 10.2): which status changes exist, who may make them, and
// what must be in place first. Pure functions with no storage or I/O, so the service, the API
// description and the tests all read the same rules.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace boligflyt::deviation {

enum class Status { kRegistered, kReceived, kInTreatment, kAction, kClosed, kRejected, kReopened };

inline constexpr std::array<Status, 7> kAllStatuses = {
    Status::kRegistered, Status::kReceived, Status::kInTreatment, Status::kAction,
    Status::kClosed,     Status::kRejected, Status::kReopened,
};

/// Stable machine code, as stored and in JSON: "registrert", "mottatt", "under_behandling",
/// "tiltak", "lukket", "avvist", "gjenapnet".
std::string_view status_code(Status status);
/// Norwegian label for people: "Registrert", "Mottatt", "Under behandling", ...
std::string_view status_label(Status status);
/// The status with this exact code, or nullopt.
std::optional<Status> parse_status(std::string_view code);
/// False for lukket and avvist; true for every status in which work on the avvik goes on.
bool is_open(Status status);

enum class Transition { kReceive, kStartTreatment, kStartAction, kClose, kReject, kReopen };

inline constexpr std::array<Transition, 6> kAllTransitions = {
    Transition::kReceive, Transition::kStartTreatment, Transition::kStartAction,
    Transition::kClose,   Transition::kReject,         Transition::kReopen,
};

/// Stable machine code, as in the API: "motta", "behandle", "tiltak", "lukk", "avvis", "gjenapne".
std::string_view transition_code(Transition transition);
/// The transition with this exact code, or nullopt.
std::optional<Transition> parse_transition(std::string_view code);

/// How the acting person relates to this avvik; several may hold at once.
struct Relation {
  bool reporter = false;            // registered it
  bool responsible_leader = false;  // leader of the responsible unit
  bool participant_leader = false;  // leader of a participating unit
  bool quality_leader = false;      // role quality_leader
  bool reporting_leader = false;    // leader of the unit the avvik was reported from
};

/// Whether `who` sees the avvik at all. Someone who does not is told that it does not exist
/// (404), whatever they asked to do, so that its existence does not leak.
bool sees(const Relation& who);
/// Whether `who` sees who reported the avvik: the reporter, the leaders of the reporting and
/// the responsible unit, and the quality leader. A leader who only takes part (participant)
/// sees the avvik and works on its actions, but not who reported it (issue 12: "nobody else").
bool may_see_reporter(const Relation& who);

/// What the avvik and the request provide at the moment of the transition.
struct TransitionFacts {
  bool has_cause = false;
  bool has_evaluation = false;
  bool has_reason = false;
  bool has_any_action = false;
  bool has_done_action = false;
  bool has_resolved_in_version = false;
};

/// One row of the rule table. The four flags say who may make the transition; requires_fields
/// names, in the order they are checked, the JSON fields that must be present ("actions" stands
/// for the corrective actions: any action for tiltak, a done action or resolved_in_version for
/// lukk).
struct TransitionRule {
  Transition transition;
  std::vector<Status> from;
  Status to;
  bool reporter;
  bool responsible_leader;
  bool participant_leader;
  bool quality_leader;
  std::vector<std::string> requires_fields;
};

/// The rule table, one row per transition in the order of kAllTransitions.
const std::vector<TransitionRule>& transition_rules();

/// The status after `t`, or why it may not happen. Order of checks: state, then who, then
/// requirements.
/// * Not allowed from `from`: kConflict, code "invalid-transition", Norwegian detail naming
///   the current status and the transition.
/// * Wrong person: kForbidden, code "not-allowed", detail saying who may.
/// * Missing requirement: kMissingField, field = the first
///   missing JSON field name.
Result<Status> check_transition(Status from, Transition t, const Relation& who,
                                const TransitionFacts& facts);

enum class Operation { kView, kComment, kAddParticipant, kAddAction, kCompleteAction, kLinkDraft };

/// Whether `who` may do `op` on an avvik with `status`. Order of checks: status, then who.
/// * The status forbids it (the avvik is lukket or avvist): kConflict, code "closed".
/// * Wrong person: kForbidden, code "not-allowed", detail saying who may.
/// For kCompleteAction the service itself also lets the leader of the action's owner unit in
/// (this module does not know units); the 403 detail names that leader too.
Result<void> check_operation(Operation op, const Relation& who, Status status);

}  // namespace boligflyt::deviation

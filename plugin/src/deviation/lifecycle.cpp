#include "deviation/lifecycle.h"

#include <cstddef>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace boligflyt::deviation {
namespace {

// Something that must be in place before a transition, with the JSON field a client fixes
// when it is missing. Two requirements share the field "actions": tiltak needs some corrective
// action, lukk needs one that is done (or the procedure version that fixed the cause).
enum class Requirement { kCause, kEvaluation, kReason, kAnyAction, kDoneActionOrResolvedVersion };

std::string_view field_of(Requirement r) {
  switch (r) {
    case Requirement::kCause: return "cause";
    case Requirement::kEvaluation: return "evaluation";
    case Requirement::kReason: return "reason";
    case Requirement::kAnyAction:
    case Requirement::kDoneActionOrResolvedVersion: return "actions";
  }
  return "";
}

bool is_met(Requirement r, const TransitionFacts& f) {
  switch (r) {
    case Requirement::kCause: return f.has_cause;
    case Requirement::kEvaluation: return f.has_evaluation;
    case Requirement::kReason: return f.has_reason;
    case Requirement::kAnyAction: return f.has_any_action;
    case Requirement::kDoneActionOrResolvedVersion:
      return f.has_done_action || f.has_resolved_in_version;
  }
  return false;
}

// Who may: a Relation used as a mask. A person may act when any flag they hold is set here.
constexpr Relation kLeaders{.responsible_leader = true, .quality_leader = true};
constexpr Relation kReporterOrLeaders{
    .reporter = true, .responsible_leader = true, .quality_leader = true};
constexpr Relation kEveryoneInvolved{.reporter = true,
                                     .responsible_leader = true,
                                     .participant_leader = true,
                                     .quality_leader = true,
                                     .reporting_leader = true};
constexpr Relation kActionDoers{
    .responsible_leader = true, .participant_leader = true, .quality_leader = true};

bool may(const Relation& mask, const Relation& who) {
  return (mask.reporter && who.reporter) || (mask.responsible_leader && who.responsible_leader) ||
         (mask.participant_leader && who.participant_leader) ||
         (mask.quality_leader && who.quality_leader) ||
         (mask.reporting_leader && who.reporting_leader);
}

struct Rule {
  Transition transition;
  std::vector<Status> from;
  Status to;
  Relation who;
  std::vector<Requirement> requirements;  // checked in this order
  std::string_view name;                  // Norwegian, as on the button
  std::string_view infinitive;            // Norwegian, completes "Bare … kan <infinitive>."
};

// THE RULES (a product decision; change them here and in tests/deviation/lifecycle_test.cpp,
// whose expectations are written out independently).
//
//   transition | from                                  | to               | who
//   -----------+---------------------------------------+------------------+------------------
//   motta      | registrert                            | mottatt          | RL, QL
//   behandle   | mottatt, gjenapnet                    | under_behandling | RL, QL
//   tiltak     | under_behandling                      | tiltak           | RL, QL
//   lukk       | tiltak, under_behandling              | lukket           | RL, QL
//   avvis      | registrert, mottatt, under_behandling | avvist           | RL, QL
//   gjenapne   | lukket, avvist                        | gjenapnet        | reporter, RL, QL
//
// RL = leader of the responsible unit, QL = quality leader. Requirements:
//   tiltak   — at least one corrective action ("actions");
//   lukk     — "cause", "evaluation" (of the effect), and a done action or the procedure
//              version that resolved it ("actions" when neither);
//   avvis    — "reason";  gjenapne — "reason".
// lukk straight from under_behandling covers the case where a new procedure version removed
// the cause and no separate action was needed (resolved_in_version).
// A participant leader takes part in the actions (see kOperationRules) but never moves the
// avvik itself.
//
// Every employee may report (issue 12). The reporter follows their avvik (view, comment) and
// may reopen it when the fix did not hold, but never receives, treats, rejects or closes it,
// and adds no actions or participants: handling is the responsible leader's (ISO 9001 10.2).
// The leader of the reporting unit (RU) is told of the report and follows it like the
// reporter (view, comment), without moving it: the avvik belongs to the responsible unit.
const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules = {
      {Transition::kReceive,
       {Status::kRegistered},
       Status::kReceived,
       kLeaders,
       {},
       "Motta",
       "ta imot avviket"},
      {Transition::kStartTreatment,
       {Status::kReceived, Status::kReopened},
       Status::kInTreatment,
       kLeaders,
       {},
       "Behandle",
       "starte behandlingen av avviket"},
      {Transition::kStartAction,
       {Status::kInTreatment},
       Status::kAction,
       kLeaders,
       {Requirement::kAnyAction},
       "Tiltak",
       "sette avviket til tiltak"},
      {Transition::kClose,
       {Status::kAction, Status::kInTreatment},
       Status::kClosed,
       kLeaders,
       {Requirement::kCause, Requirement::kEvaluation, Requirement::kDoneActionOrResolvedVersion},
       "Lukk",
       "lukke avviket"},
      {Transition::kReject,
       {Status::kRegistered, Status::kReceived, Status::kInTreatment},
       Status::kRejected,
       kLeaders,
       {Requirement::kReason},
       "Avvis",
       "avvise avviket"},
      {Transition::kReopen,
       {Status::kClosed, Status::kRejected},
       Status::kReopened,
       kReporterOrLeaders,
       {Requirement::kReason},
       "Gjenåpne",
       "gjenåpne avviket"},
  };
  return kRules;
}

const Rule& rule_for(Transition t) {
  // The table lists the transitions in the order of the enum (a test checks it).
  return rules()[static_cast<std::size_t>(t)];
}

struct OperationRule {
  Operation operation;
  std::string_view code;  // for the log
  bool only_while_open;
  Relation who;
  std::string_view infinitive;  // Norwegian, completes "Bare … kan <infinitive>."
};

// Viewing and commenting stay possible after lukket/avvist (the history is read, and a comment
// may explain why the avvik should be reopened); everything that changes the work does not.
// kCompleteAction: the service also admits the leader of the action's owner unit.
constexpr std::array<OperationRule, 6> kOperationRules = {{
    {Operation::kView, "view", false, kEveryoneInvolved, "se avviket"},
    {Operation::kComment, "comment", false, kEveryoneInvolved, "kommentere avviket"},
    {Operation::kAddParticipant, "add_participant", true, kLeaders, "legge til deltakende enheter"},
    {Operation::kAddAction, "add_action", true, kLeaders, "legge til tiltak"},
    {Operation::kCompleteAction, "complete_action", true, kActionDoers, "fullføre tiltak"},
    {Operation::kLinkDraft, "link_draft", true, kLeaders,
     "knytte avviket til et utkast av prosedyren"},
}};
static_assert(
    [] {
      for (std::size_t i = 0; i < kOperationRules.size(); ++i) {
        if (kOperationRules[i].operation != static_cast<Operation>(i)) return false;
      }
      return true;
    }(),
    "kOperationRules is indexed by Operation");

// «A», «B» eller «C»
template <typename Range, typename Text>
std::string join_or(const Range& items, Text text) {
  std::string out;
  const std::size_t n = std::size(items);
  std::size_t i = 0;
  for (const auto& item : items) {
    if (i > 0) out += (i + 1 == n) ? " eller " : ", ";
    out += text(item);
    ++i;
  }
  return out;
}

std::string who_may(const Relation& mask, bool owner_unit_leader_too) {
  std::vector<std::string_view> people;
  if (mask.reporter) people.emplace_back("den som registrerte avviket");
  if (owner_unit_leader_too) people.emplace_back("leder for enheten som eier tiltaket");
  if (mask.responsible_leader) people.emplace_back("leder for ansvarlig enhet");
  if (mask.participant_leader) people.emplace_back("leder for en deltakende enhet");
  if (mask.reporting_leader) people.emplace_back("leder for enheten som meldte avviket");
  if (mask.quality_leader) people.emplace_back("kvalitetsleder");
  return join_or(people, [](std::string_view p) { return std::string(p); });
}

std::string quoted(std::string_view s) { return "«" + std::string(s) + "»"; }

Error not_allowed(const Relation& mask, bool owner_unit_leader_too, std::string_view infinitive,
                  std::string log_message) {
  return domain_error(
      ErrorKind::kForbidden, "not-allowed",
      "Bare " + who_may(mask, owner_unit_leader_too) + " kan " + std::string(infinitive) + ".", {},
      std::move(log_message));
}

std::string missing_detail(Requirement r, std::string_view infinitive) {
  std::string need;
  switch (r) {
    case Requirement::kCause: need = "årsaken være beskrevet"; break;
    case Requirement::kEvaluation: need = "effekten av tiltakene være vurdert"; break;
    case Requirement::kReason: need = "en begrunnelse være oppgitt"; break;
    case Requirement::kAnyAction: need = "minst ett korrigerende tiltak være registrert"; break;
    case Requirement::kDoneActionOrResolvedVersion:
      need =
          "minst ett tiltak være fullført, eller prosedyreversjonen som rettet avviket være "
          "oppgitt";
      break;
  }
  return "For å " + std::string(infinitive) + " må " + need + ".";
}

}  // namespace

bool sees(const Relation& who) { return may(kEveryoneInvolved, who); }

bool may_see_reporter(const Relation& who) {
  return who.reporter || who.responsible_leader || who.reporting_leader || who.quality_leader;
}

std::string_view status_code(Status status) {
  switch (status) {
    case Status::kRegistered: return "registrert";
    case Status::kReceived: return "mottatt";
    case Status::kInTreatment: return "under_behandling";
    case Status::kAction: return "tiltak";
    case Status::kClosed: return "lukket";
    case Status::kRejected: return "avvist";
    case Status::kReopened: return "gjenapnet";
  }
  return "";
}

std::string_view status_label(Status status) {
  switch (status) {
    case Status::kRegistered: return "Registrert";
    case Status::kReceived: return "Mottatt";
    case Status::kInTreatment: return "Under behandling";
    case Status::kAction: return "Tiltak";
    case Status::kClosed: return "Lukket";
    case Status::kRejected: return "Avvist";
    case Status::kReopened: return "Gjenåpnet";
  }
  return "";
}

std::optional<Status> parse_status(std::string_view code) {
  for (const Status s : kAllStatuses) {
    if (status_code(s) == code) return s;
  }
  return std::nullopt;
}

bool is_open(Status status) { return status != Status::kClosed && status != Status::kRejected; }

std::string_view transition_code(Transition transition) {
  switch (transition) {
    case Transition::kReceive: return "motta";
    case Transition::kStartTreatment: return "behandle";
    case Transition::kStartAction: return "tiltak";
    case Transition::kClose: return "lukk";
    case Transition::kReject: return "avvis";
    case Transition::kReopen: return "gjenapne";
  }
  return "";
}

std::optional<Transition> parse_transition(std::string_view code) {
  for (const Transition t : kAllTransitions) {
    if (transition_code(t) == code) return t;
  }
  return std::nullopt;
}

const std::vector<TransitionRule>& transition_rules() {
  static const std::vector<TransitionRule> kPublic = [] {
    std::vector<TransitionRule> out;
    out.reserve(rules().size());
    for (const Rule& r : rules()) {
      std::vector<std::string> fields;
      for (const Requirement req : r.requirements) fields.emplace_back(field_of(req));
      out.push_back(TransitionRule{r.transition, r.from, r.to, r.who.reporter,
                                   r.who.responsible_leader, r.who.participant_leader,
                                   r.who.quality_leader, std::move(fields)});
    }
    return out;
  }();
  return kPublic;
}

Result<Status> check_transition(Status from, Transition t, const Relation& who,
                                const TransitionFacts& facts) {
  const Rule& rule = rule_for(t);
  bool from_ok = false;
  for (const Status s : rule.from) from_ok = from_ok || s == from;
  if (!from_ok) {
    return conflict("invalid-transition",
                    "Avviket har status " + quoted(status_label(from)) + ". Handlingen " +
                        quoted(rule.name) + " kan bare brukes når avviket har status " +
                        join_or(rule.from, [](Status s) { return quoted(status_label(s)); }) + ".",
                    {},
                    "transition " + std::string(transition_code(t)) + " refused from status " +
                        std::string(status_code(from)));
  }
  if (!may(rule.who, who)) {
    return not_allowed(rule.who, false, rule.infinitive,
                       "transition " + std::string(transition_code(t)) +
                           " refused: the person has none of the permitted relations");
  }
  for (const Requirement req : rule.requirements) {
    if (is_met(req, facts)) continue;
    return domain_error(ErrorKind::kMissingField, "missing-field",
                        missing_detail(req, rule.infinitive), std::string(field_of(req)),
                        "transition " + std::string(transition_code(t)) +
                            " refused: " + std::string(field_of(req)) + " missing");
  }
  return rule.to;
}

Result<void> check_operation(Operation op, const Relation& who, Status status) {
  const OperationRule& rule = kOperationRules[static_cast<std::size_t>(op)];
  if (rule.only_while_open && !is_open(status)) {
    return conflict("closed",
                    "Avviket har status " + quoted(status_label(status)) +
                        ". Det er ikke mulig å " + std::string(rule.infinitive) +
                        " før avviket er gjenåpnet.",
                    {},
                    "operation " + std::string(rule.code) + " refused in status " +
                        std::string(status_code(status)));
  }
  if (!may(rule.who, who)) {
    return not_allowed(rule.who, op == Operation::kCompleteAction, rule.infinitive,
                       "operation " + std::string(rule.code) +
                           " refused: the person has none of the permitted relations");
  }
  return {};
}

}  // namespace boligflyt::deviation

#include "deviation/lifecycle.h"

#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace boligflyt::deviation {
namespace {

// --- Independent expectations ----------------------------------------------------------------
// Written out from the product decision (the brief), not from transition_rules(), so that a
// change to the table in lifecycle.cpp shows up here as a failure.

enum class Outcome { kAllowed, kInvalidTransition, kNotAllowed, kMissingField };

struct Expected {
  Outcome outcome = Outcome::kAllowed;
  Status to = Status::kRegistered;  // when allowed
  std::string field;                // when a field is missing
};

Expected allowed(Status to) { return {Outcome::kAllowed, to, {}}; }
Expected wrong_state() { return {Outcome::kInvalidTransition, {}, {}}; }
Expected wrong_person() { return {Outcome::kNotAllowed, {}, {}}; }
Expected missing(std::string field) { return {Outcome::kMissingField, {}, std::move(field)}; }

Expected expected_transition(Status from, Transition t, const Relation& who,
                             const TransitionFacts& f) {
  const bool leader = who.responsible_leader || who.quality_leader;
  switch (t) {
    case Transition::kReceive:
      if (from != Status::kRegistered) return wrong_state();
      if (!leader) return wrong_person();
      return allowed(Status::kReceived);
    case Transition::kStartTreatment:
      if (from != Status::kReceived && from != Status::kReopened) return wrong_state();
      if (!leader) return wrong_person();
      return allowed(Status::kInTreatment);
    case Transition::kStartAction:
      if (from != Status::kInTreatment) return wrong_state();
      if (!leader) return wrong_person();
      if (!f.has_any_action) return missing("actions");
      return allowed(Status::kAction);
    case Transition::kClose:
      if (from != Status::kAction && from != Status::kInTreatment) return wrong_state();
      if (!leader) return wrong_person();
      if (!f.has_cause) return missing("cause");
      if (!f.has_evaluation) return missing("evaluation");
      if (!f.has_done_action && !f.has_resolved_in_version) return missing("actions");
      return allowed(Status::kClosed);
    case Transition::kReject:
      if (from != Status::kRegistered && from != Status::kReceived && from != Status::kInTreatment)
        return wrong_state();
      if (!leader) return wrong_person();
      if (!f.has_reason) return missing("reason");
      return allowed(Status::kRejected);
    case Transition::kReopen:
      if (from != Status::kClosed && from != Status::kRejected) return wrong_state();
      if (!leader && !who.reporter) return wrong_person();
      if (!f.has_reason) return missing("reason");
      return allowed(Status::kReopened);
  }
  ADD_FAILURE() << "unknown transition";
  return {};
}

enum class OpOutcome { kAllowed, kClosed, kNotAllowed };

OpOutcome expected_operation(Operation op, const Relation& who, Status status) {
  const bool open = status != Status::kClosed && status != Status::kRejected;
  const bool leader = who.responsible_leader || who.quality_leader;
  switch (op) {
    case Operation::kView:
    case Operation::kComment:
      return (leader || who.reporter || who.participant_leader) ? OpOutcome::kAllowed
                                                                : OpOutcome::kNotAllowed;
    case Operation::kAddParticipant:
    case Operation::kAddAction:
    case Operation::kLinkDraft:
      if (!open) return OpOutcome::kClosed;
      return leader ? OpOutcome::kAllowed : OpOutcome::kNotAllowed;
    case Operation::kCompleteAction:
      if (!open) return OpOutcome::kClosed;
      return (leader || who.participant_leader) ? OpOutcome::kAllowed : OpOutcome::kNotAllowed;
  }
  ADD_FAILURE() << "unknown operation";
  return OpOutcome::kNotAllowed;
}

// --- Enumerating the input space --------------------------------------------------------------

std::vector<Relation> all_relations() {  // the 16 combinations, including nobody
  std::vector<Relation> out;
  for (unsigned bits = 0; bits < 16; ++bits) {
    out.push_back(Relation{.reporter = (bits & 1u) != 0,
                           .responsible_leader = (bits & 2u) != 0,
                           .participant_leader = (bits & 4u) != 0,
                           .quality_leader = (bits & 8u) != 0});
  }
  return out;
}

std::vector<TransitionFacts> all_facts() {  // the 64 combinations
  std::vector<TransitionFacts> out;
  for (unsigned bits = 0; bits < 64; ++bits) {
    out.push_back(TransitionFacts{.has_cause = (bits & 1u) != 0,
                                  .has_evaluation = (bits & 2u) != 0,
                                  .has_reason = (bits & 4u) != 0,
                                  .has_any_action = (bits & 8u) != 0,
                                  .has_done_action = (bits & 16u) != 0,
                                  .has_resolved_in_version = (bits & 32u) != 0});
  }
  return out;
}

std::string describe(const Relation& r) {
  std::string s = "{";
  if (r.reporter) s += "reporter ";
  if (r.responsible_leader) s += "responsible_leader ";
  if (r.participant_leader) s += "participant_leader ";
  if (r.quality_leader) s += "quality_leader ";
  return s + "}";
}

std::string describe(const TransitionFacts& f) {
  std::ostringstream s;
  s << "{cause=" << f.has_cause << " evaluation=" << f.has_evaluation << " reason=" << f.has_reason
    << " any_action=" << f.has_any_action << " done_action=" << f.has_done_action
    << " resolved_in_version=" << f.has_resolved_in_version << "}";
  return s.str();
}

constexpr Relation kQualityLeader{.quality_leader = true};
constexpr TransitionFacts kEverything{.has_cause = true,
                                      .has_evaluation = true,
                                      .has_reason = true,
                                      .has_any_action = true,
                                      .has_done_action = true,
                                      .has_resolved_in_version = true};

// Empty when `actual` is what `want` says, else what differs.
std::string mismatch(const Expected& want, const Result<Status>& actual, Status from) {
  std::ostringstream why;
  if (want.outcome == Outcome::kAllowed) {
    if (!actual.ok()) {
      why << "expected allowed, got " << actual.error().slug << " (" << actual.error().detail
          << ")";
    } else if (*actual != want.to) {
      why << "expected target " << status_code(want.to) << ", got " << status_code(*actual);
    }
    return why.str();
  }
  if (actual.ok()) return "expected an error, got allowed to " + std::string(status_code(*actual));
  const Error& e = actual.error();
  if (e.detail.empty() || e.log_message.empty()) why << "empty text; ";
  switch (want.outcome) {
    case Outcome::kInvalidTransition:
      if (e.kind != ErrorKind::kConflict || e.slug != "invalid-transition")
        why << "expected conflict invalid-transition, got " << e.slug;
      if (e.detail.find("«" + std::string(status_label(from)) + "»") == std::string::npos)
        why << "detail does not name the current status: " << e.detail;
      break;
    case Outcome::kNotAllowed:
      if (e.kind != ErrorKind::kForbidden || e.slug != "not-allowed")
        why << "expected forbidden not-allowed, got " << e.slug;
      if (e.detail.find("kvalitetsleder") == std::string::npos)
        why << "detail does not say who may: " << e.detail;
      break;
    case Outcome::kMissingField:
      if (e.kind != ErrorKind::kMissingField) why << "expected missing field, got " << e.slug;
      if (e.field != want.field) why << "expected field " << want.field << ", got " << e.field;
      break;
    case Outcome::kAllowed: break;
  }
  return why.str();
}

// --- Codes and labels -------------------------------------------------------------------------

TEST(DeviationLifecycle, StatusCodesAndLabelsAreTheAgreedOnes) {
  const std::vector<std::pair<std::string, std::string>> want = {
      {"registrert", "Registrert"},
      {"mottatt", "Mottatt"},
      {"under_behandling", "Under behandling"},
      {"tiltak", "Tiltak"},
      {"lukket", "Lukket"},
      {"avvist", "Avvist"},
      {"gjenapnet", "Gjenåpnet"},
  };
  ASSERT_EQ(kAllStatuses.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(status_code(kAllStatuses[i]), want[i].first);
    EXPECT_EQ(status_label(kAllStatuses[i]), want[i].second);
  }
}

TEST(DeviationLifecycle, StatusCodesRoundTripAndUnknownCodesAreRefused) {
  std::set<std::string_view> codes;
  for (const Status s : kAllStatuses) {
    const auto parsed = parse_status(status_code(s));
    ASSERT_TRUE(parsed.has_value()) << status_code(s);
    EXPECT_EQ(*parsed, s);
    codes.insert(status_code(s));
  }
  EXPECT_EQ(codes.size(), kAllStatuses.size()) << "codes must be distinct";
  for (const std::string_view bad : {"", "Registrert", "REGISTRERT", "registrert ", " lukket",
                                     "gjenåpnet", "under behandling", "closed", "lukk"}) {
    EXPECT_FALSE(parse_status(bad).has_value()) << "«" << bad << "»";
  }
}

TEST(DeviationLifecycle, TransitionCodesRoundTripAndUnknownCodesAreRefused) {
  const std::vector<std::string> want = {"motta", "behandle", "tiltak",
                                         "lukk",  "avvis",    "gjenapne"};
  ASSERT_EQ(kAllTransitions.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(transition_code(kAllTransitions[i]), want[i]);
    const auto parsed = parse_transition(want[i]);
    ASSERT_TRUE(parsed.has_value()) << want[i];
    EXPECT_EQ(*parsed, kAllTransitions[i]);
  }
  for (const std::string_view bad : {"", "Motta", "lukket", "gjenåpne", "avvis ", "close"}) {
    EXPECT_FALSE(parse_transition(bad).has_value()) << "«" << bad << "»";
  }
}

TEST(DeviationLifecycle, OnlyClosedAndRejectedAreNotOpen) {
  for (const Status s : kAllStatuses) {
    const bool closed = s == Status::kClosed || s == Status::kRejected;
    EXPECT_EQ(is_open(s), !closed) << status_code(s);
  }
}

// --- The exhaustive table ---------------------------------------------------------------------

TEST(DeviationLifecycle, EveryStatusTransitionRelationAndFactsGivesTheAgreedOutcome) {
  const auto relations = all_relations();
  const auto facts = all_facts();
  std::size_t checked = 0;
  std::size_t allowed_count = 0;
  std::vector<std::string> failures;
  for (const Status from : kAllStatuses) {
    for (const Transition t : kAllTransitions) {
      for (const Relation& who : relations) {
        for (const TransitionFacts& f : facts) {
          const Expected want = expected_transition(from, t, who, f);
          const auto actual = check_transition(from, t, who, f);
          ++checked;
          if (actual.ok()) ++allowed_count;
          const std::string why = mismatch(want, actual, from);
          if (!why.empty() && failures.size() < 20) {
            failures.push_back(std::string(status_code(from)) + " --" +
                               std::string(transition_code(t)) + "--> by " + describe(who) +
                               " with " + describe(f) + ": " + why);
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 7u * 6u * 16u * 64u);
  EXPECT_GT(allowed_count, 0u);
  std::string report;
  for (const auto& line : failures) report += line + "\n";
  EXPECT_TRUE(failures.empty()) << report;
}

TEST(DeviationLifecycle, EveryOperationRelationAndStatusGivesTheAgreedOutcome) {
  const std::vector<Operation> operations = {Operation::kView,           Operation::kComment,
                                             Operation::kAddParticipant, Operation::kAddAction,
                                             Operation::kCompleteAction, Operation::kLinkDraft};
  for (const Operation op : operations) {
    for (const Relation& who : all_relations()) {
      for (const Status status : kAllStatuses) {
        const OpOutcome want = expected_operation(op, who, status);
        const auto actual = check_operation(op, who, status);
        SCOPED_TRACE("operation " + std::to_string(static_cast<int>(op)) + " by " + describe(who) +
                     " in " + std::string(status_code(status)));
        switch (want) {
          case OpOutcome::kAllowed: EXPECT_TRUE(actual.ok()) << actual.error().detail; break;
          case OpOutcome::kClosed:
            ASSERT_FALSE(actual.ok());
            EXPECT_EQ(actual.error().kind, ErrorKind::kConflict);
            EXPECT_EQ(actual.error().slug, "closed");
            EXPECT_NE(actual.error().detail.find(std::string(status_label(status))),
                      std::string::npos)
                << actual.error().detail;
            break;
          case OpOutcome::kNotAllowed:
            ASSERT_FALSE(actual.ok());
            EXPECT_EQ(actual.error().kind, ErrorKind::kForbidden);
            EXPECT_EQ(actual.error().slug, "not-allowed");
            EXPECT_NE(actual.error().detail.find("kvalitetsleder"), std::string::npos);
            break;
        }
      }
    }
  }
}

// --- Properties of the graph ------------------------------------------------------------------

TEST(DeviationLifecycle, EveryStatusIsReachableFromRegistered) {
  std::set<Status> seen = {Status::kRegistered};
  std::deque<Status> queue = {Status::kRegistered};
  while (!queue.empty()) {
    const Status from = queue.front();
    queue.pop_front();
    for (const Transition t : kAllTransitions) {
      const auto to = check_transition(from, t, kQualityLeader, kEverything);
      if (to.ok() && seen.insert(*to).second) queue.push_back(*to);
    }
  }
  for (const Status s : kAllStatuses) {
    EXPECT_TRUE(seen.count(s)) << status_code(s) << " cannot be reached from registrert";
  }
}

TEST(DeviationLifecycle, OnlyReopeningLeavesClosedOrRejected) {
  for (const Status from : {Status::kClosed, Status::kRejected}) {
    for (const Transition t : kAllTransitions) {
      const auto to = check_transition(from, t, kQualityLeader, kEverything);
      EXPECT_EQ(to.ok(), t == Transition::kReopen)
          << status_code(from) << " " << transition_code(t);
    }
  }
}

TEST(DeviationLifecycle, TransitionRulesDescribeWhatCheckTransitionDoes) {
  // The table is published (API description, UI); it must say what check_transition does.
  const auto& rules = transition_rules();
  ASSERT_EQ(rules.size(), kAllTransitions.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const TransitionRule& rule = rules[i];
    EXPECT_EQ(rule.transition, kAllTransitions[i]);
    SCOPED_TRACE(std::string(transition_code(rule.transition)));

    std::set<Status> from_by_check;
    for (const Status s : kAllStatuses) {
      const auto r = check_transition(s, rule.transition, kQualityLeader, kEverything);
      if (r.ok()) {
        from_by_check.insert(s);
        EXPECT_EQ(*r, rule.to);
      }
    }
    EXPECT_EQ(std::set<Status>(rule.from.begin(), rule.from.end()), from_by_check);

    const Status from = rule.from.front();
    auto may = [&](Relation who) {
      return check_transition(from, rule.transition, who, kEverything).ok();
    };
    EXPECT_EQ(rule.reporter, may(Relation{.reporter = true}));
    EXPECT_EQ(rule.responsible_leader, may(Relation{.responsible_leader = true}));
    EXPECT_EQ(rule.participant_leader, may(Relation{.participant_leader = true}));
    EXPECT_EQ(rule.quality_leader, may(Relation{.quality_leader = true}));

    // With no facts at all, each listed field is reported in turn as the facts are supplied.
    std::vector<std::string> reported;
    TransitionFacts f;
    for (int guard = 0; guard < 6; ++guard) {
      const auto r = check_transition(from, rule.transition, kQualityLeader, f);
      if (r.ok()) break;
      ASSERT_EQ(r.error().slug, "missing-field");
      reported.push_back(r.error().field);
      if (r.error().field == "cause") f.has_cause = true;
      if (r.error().field == "evaluation") f.has_evaluation = true;
      if (r.error().field == "reason") f.has_reason = true;
      if (r.error().field == "actions") f.has_any_action = f.has_done_action = true;
    }
    EXPECT_EQ(reported, rule.requires_fields);
  }
}

// --- Examples (they double as documentation of the texts) -------------------------------------

TEST(DeviationLifecycle, ClosingNeedsCauseEvaluationAndADoneActionOrAResolvingVersion) {
  const Relation leader{.responsible_leader = true};
  TransitionFacts f{.has_cause = true, .has_evaluation = true, .has_any_action = true};
  auto r = check_transition(Status::kAction, Transition::kClose, leader, f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "actions");
  EXPECT_EQ(r.error().detail,
            "For å lukke avviket må minst ett tiltak være fullført, eller prosedyreversjonen som "
            "rettet avviket være oppgitt.");

  f.has_resolved_in_version = true;  // a new procedure version removed the cause
  r = check_transition(Status::kInTreatment, Transition::kClose, leader, f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Status::kClosed);
}

TEST(DeviationLifecycle, TheReporterMayReopenButNotClose) {
  const Relation reporter{.reporter = true};
  const auto reopened =
      check_transition(Status::kClosed, Transition::kReopen, reporter, {.has_reason = true});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened, Status::kReopened);

  const auto closed = check_transition(Status::kAction, Transition::kClose, reporter, kEverything);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(closed.error().detail,
            "Bare leder for ansvarlig enhet eller kvalitetsleder kan lukke avviket.");
}

TEST(DeviationLifecycle, TheStateIsCheckedBeforeThePersonAndThePersonBeforeTheFacts) {
  // Nobody, nothing supplied, wrong state: the state is what is reported.
  auto r = check_transition(Status::kClosed, Transition::kReceive, Relation{}, TransitionFacts{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "invalid-transition");
  EXPECT_EQ(r.error().detail,
            "Avviket har status «Lukket». Handlingen «Motta» kan bare brukes når avviket har "
            "status «Registrert».");
  r = check_transition(Status::kInTreatment, Transition::kReject, Relation{}, TransitionFacts{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "not-allowed");
}

TEST(DeviationLifecycle, ReopeningNamesEveryoneWhoMay) {
  const auto r = check_transition(Status::kRejected, Transition::kReopen,
                                  Relation{.participant_leader = true}, kEverything);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail,
            "Bare den som registrerte avviket, leder for ansvarlig enhet eller kvalitetsleder kan "
            "gjenåpne avviket.");
}

TEST(DeviationOperations, CompletingAnActionNamesTheOwnerUnitLeaderAndClosedAvvikRefuseWork) {
  auto r = check_operation(Operation::kCompleteAction, Relation{.reporter = true}, Status::kAction);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("leder for enheten som eier tiltaket"), std::string::npos)
      << r.error().detail;

  r = check_operation(Operation::kAddAction, kQualityLeader, Status::kRejected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "closed");
  EXPECT_EQ(r.error().detail,
            "Avviket har status «Avvist». Det er ikke mulig å legge til tiltak før avviket er "
            "gjenåpnet.");

  EXPECT_TRUE(
      check_operation(Operation::kComment, Relation{.reporter = true}, Status::kClosed).ok());
}

// --- Every employee may report (issue 12) -----------------------------------------------------

TEST(DeviationReporting, TheReportingUnitsLeaderFollowsTheAvvikButNeverMovesIt) {
  const Relation reporting{.reporting_leader = true};
  for (const Status status : kAllStatuses) {
    SCOPED_TRACE(std::string(status_code(status)));
    EXPECT_TRUE(check_operation(Operation::kView, reporting, status).ok());
    EXPECT_TRUE(check_operation(Operation::kComment, reporting, status).ok());
    for (const Operation op : {Operation::kAddParticipant, Operation::kAddAction,
                               Operation::kCompleteAction, Operation::kLinkDraft}) {
      EXPECT_FALSE(check_operation(op, reporting, status).ok());
    }
    for (const Transition t : kAllTransitions) {
      const auto r = check_transition(status, t, reporting, kEverything);
      ASSERT_FALSE(r.ok()) << transition_code(t);
      EXPECT_NE(r.error().kind, ErrorKind::kMissingField);
    }
  }
  // A refusal to someone else names the reporting unit's leader among those who may view.
  const auto refused = check_operation(Operation::kView, Relation{}, Status::kRegistered);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().detail.find("leder for enheten som meldte avviket"), std::string::npos)
      << refused.error().detail;
}

TEST(DeviationReporting, TheReporterFollowsAndMayReopenButDoesNotHandle) {
  const Relation reporter{.reporter = true};
  EXPECT_TRUE(check_operation(Operation::kView, reporter, Status::kClosed).ok());
  EXPECT_TRUE(check_operation(Operation::kComment, reporter, Status::kInTreatment).ok());
  EXPECT_TRUE(check_transition(Status::kClosed, Transition::kReopen, reporter, kEverything).ok());
  for (const auto& [from, t] : {std::pair{Status::kRegistered, Transition::kReceive},
                                {Status::kReceived, Transition::kStartTreatment},
                                {Status::kInTreatment, Transition::kStartAction},
                                {Status::kAction, Transition::kClose},
                                {Status::kRegistered, Transition::kReject}}) {
    const auto r = check_transition(from, t, reporter, kEverything);
    ASSERT_FALSE(r.ok()) << transition_code(t);
    EXPECT_EQ(r.error().kind, ErrorKind::kForbidden) << transition_code(t);
  }
  for (const Operation op :
       {Operation::kAddParticipant, Operation::kAddAction, Operation::kLinkDraft}) {
    EXPECT_FALSE(check_operation(op, reporter, Status::kInTreatment).ok());
  }
}

TEST(DeviationReporting, WhoSeesTheAvvikAndWhoSeesWhoReportedIt) {
  EXPECT_FALSE(sees(Relation{}));
  EXPECT_FALSE(may_see_reporter(Relation{}));
  for (const Relation& who :
       {Relation{.reporter = true}, Relation{.responsible_leader = true},
        Relation{.quality_leader = true}, Relation{.reporting_leader = true}}) {
    EXPECT_TRUE(sees(who));
    EXPECT_TRUE(may_see_reporter(who));
  }
  // A leader who only takes part works on the avvik without learning who reported it.
  EXPECT_TRUE(sees(Relation{.participant_leader = true}));
  EXPECT_FALSE(may_see_reporter(Relation{.participant_leader = true}));
  EXPECT_TRUE(may_see_reporter(Relation{.participant_leader = true, .reporting_leader = true}));
}

}  // namespace
}  // namespace boligflyt::deviation

#pragma once
// The boligflytprosedyre in memory: what schemas/procedure.xsd describes, as plain values.
// Source positions are kept so that every later check can point into the file.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boligflyt::procedure {

inline constexpr const char* kNamespace = "urn:no:boligflyt:prosedyre:1";

struct SourcePos {
  std::size_t line = 0;
  std::size_t column = 0;
};

struct Version {
  int major = 0;
  int minor = 0;
  auto operator<=>(const Version&) const = default;
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
  static std::optional<Version> parse(std::string_view text);
};

struct UnitRef {
  std::string unit;
  std::string note;  // participating units may say what they contribute
  SourcePos pos;
};

struct Deadline {
  std::string duration;     // ISO 8601, e.g. P3W
  std::string relative_to;  // anchor, e.g. decisionReceived, leaseEnd
  std::string relation;     // after | before
  std::string kind;         // latest | earliest
  std::string step;         // for stepStart/stepCompleted anchors
  std::string text;         // short Norwegian explanation
  SourcePos pos;
  // Format 1.2. Empty when the file does not say.
  std::string binds;      // unit or external party id; empty = the responsible unit
  std::string basis;      // statutory | local
  std::string source;     // legal source id
  std::string provision;  // provision ref within that source
  bool operator==(const Deadline& o) const {
    return duration == o.duration && relative_to == o.relative_to && relation == o.relation &&
           kind == o.kind && step == o.step && binds == o.binds && basis == o.basis &&
           source == o.source && provision == o.provision;
  }
};

struct NextStep {
  std::string step;
  std::string condition;
  SourcePos pos;
  std::string outcome;  // format 1.2: machine-readable outcome code, e.g. "avslag"
};

/// Format 1.2: what passes from one unit to another unit or an external party.
struct Handover {
  std::string id;
  std::string from;     // unit id; empty = the step's responsible unit
  std::string to;       // unit or external party id
  std::string within;   // ISO 8601 duration after the step is done, may be empty
  std::string channel;  // how, in Norwegian, may be empty
  std::string what;     // the element's text
  SourcePos pos;
  bool operator==(const Handover& o) const {
    return id == o.id && from == o.from && to == o.to && within == o.within &&
           channel == o.channel && what == o.what;
  }
};

/// Format 1.2: raise the case to another unit when the step is not resolved in time.
struct Escalation {
  std::string after;  // ISO 8601 duration from the step's start
  std::string to;     // unit id
  std::string text;
  SourcePos pos;
  bool operator==(const Escalation& o) const {
    return after == o.after && to == o.to && text == o.text;
  }
};

/// Format 1.2: an external party taking part in a step.
struct PartyRef {
  std::string party;
  std::string note;
  SourcePos pos;
};

struct Step {
  std::string id;
  std::string kind;  // task | decision | meeting | event
  std::string title;
  std::string description;
  std::string phase;  // id of the phase it sits in
  UnitRef responsible;
  std::vector<UnitRef> participants;
  std::vector<std::string> inputs;   // document ids
  std::vector<std::string> outputs;  // document ids
  std::vector<Deadline> deadlines;
  std::string recurrence;                                       // e.g. R/P14D, empty when none
  std::vector<std::pair<std::string, std::string>> legal_refs;  // source id, provision
  std::vector<NextStep> next;
  bool is_end = false;
  std::string end_text;
  SourcePos pos;
  /// handlesPersonalData="true": avvik on the step always carry personal data.
  bool handles_personal_data = false;
  // Format 1.2.
  std::vector<PartyRef> participating_parties;
  std::vector<Handover> handovers;
  std::vector<Escalation> escalations;
  std::string meeting;  // meeting id, empty when none
  /// <parallel>: every entry of `next` starts at once (no conditions); the branches meet
  /// in `parallel_join` when it is set. False for an ordinary (exclusive) choice.
  bool parallel = false;
  std::string parallel_join;
  SourcePos parallel_pos;
  /// join="split-id": this step waits for every branch of that parallel split.
  std::string join;
  std::vector<SourcePos> legal_ref_pos;  // where each of legal_refs is, same order
};

struct Phase {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> step_ids;
  SourcePos pos;
};

/// Format 1.2: from and to when a source or provision is in force (ISO dates, empty = open).
struct Validity {
  std::string from;
  std::string to;
  bool operator==(const Validity&) const = default;
  /// In force on `date` (YYYY-MM-DD); an empty date is always in force.
  bool in_force_on(std::string_view date) const {
    if (date.empty()) return true;
    if (!from.empty() && date < from) return false;
    if (!to.empty() && date > to) return false;
    return true;
  }
};

struct LegalSource {
  std::string id;
  std::string kind;
  std::string short_title;
  std::string title;
  std::string href;
  std::vector<std::pair<std::string, std::string>> provisions;  // ref, text
  Validity validity;                                            // format 1.2
  std::map<std::string, Validity> provision_validity;           // ref -> validity, format 1.2
  SourcePos pos;
};

/// Format 1.2: a party outside the municipality. Never a responsible unit.
struct ExternalParty {
  std::string id;
  std::string kind;  // person | authority | service | organisation
  std::string name;
  std::string description;
  SourcePos pos;
};

/// Format 1.2: a standing meeting (forum) that steps refer to.
struct Meeting {
  std::string id;
  std::string name;
  std::string chair;                                         // unit id
  std::vector<std::pair<std::string, std::string>> members;  // unit or party id, note
  std::string cadence;                                       // e.g. R/P14D, may be empty
  std::string cadence_text;
  std::string mandate;
  SourcePos pos;
  SourcePos chair_pos;
  std::vector<SourcePos> member_pos;  // same order as members
};

struct Document {
  std::string id;
  std::string kind;
  std::string title;
  std::string description;
};

struct ChangelogEntry {
  std::string version;
  std::string date;
  std::string summary;
  std::vector<std::tuple<std::string, std::string, std::string>> changes;  // kind, step, text
};

/// An avvik category the version declares itself (beside the generic ones of the quality
/// system). No steps: it applies to every step.
struct DeviationCategory {
  std::string id;
  std::string label;
  std::string description;
  std::vector<std::string> steps;
  SourcePos pos;
  bool applies_to(std::string_view step_id) const {
    if (steps.empty()) return true;
    for (const auto& s : steps) {
      if (s == step_id) return true;
    }
    return false;
  }
};

struct Procedure {
  std::string id;
  std::string title;
  std::string purpose;
  Version version;
  std::string status;
  std::string owner_unit;
  std::string author;
  std::string approver;
  std::string approval_date;
  std::string approver_body;
  std::string effective_from;
  std::string review_interval;
  std::optional<Version> supersedes;
  std::vector<LegalSource> legal_basis;
  std::vector<Document> documents;
  std::vector<Phase> phases;
  std::vector<Step> steps;  // in document order
  std::string start_step;
  std::vector<ChangelogEntry> changelog;
  SourcePos pos;
  std::vector<DeviationCategory> deviation_categories;  // in document order
  // Format 1.2.
  std::vector<ExternalParty> external_parties;  // in document order
  std::vector<Meeting> meetings;                // in document order

  const Step* find_step(std::string_view id) const;
  const ExternalParty* find_party(std::string_view id) const;
  const Meeting* find_meeting(std::string_view id) const;
  const DeviationCategory* find_deviation_category(std::string_view id) const;
};

struct Unit {
  std::string id;
  std::string name;
  std::string parent;
  std::string leader_role;
  std::string description;
};

struct UnitRegistry {
  std::vector<Unit> units;
  const Unit* find(std::string_view id) const;
};

}  // namespace boligflyt::procedure

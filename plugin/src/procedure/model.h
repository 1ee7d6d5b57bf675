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
  bool operator==(const Deadline& o) const {
    return duration == o.duration && relative_to == o.relative_to && relation == o.relation &&
           kind == o.kind && step == o.step;
  }
};

struct NextStep {
  std::string step;
  std::string condition;
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
};

struct Phase {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> step_ids;
  SourcePos pos;
};

struct LegalSource {
  std::string id;
  std::string kind;
  std::string short_title;
  std::string title;
  std::string href;
  std::vector<std::pair<std::string, std::string>> provisions;  // ref, text
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

  const Step* find_step(std::string_view id) const;
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

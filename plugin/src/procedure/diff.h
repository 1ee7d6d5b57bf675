#pragma once
// Step-by-step comparison of two versions of a procedure. Steps are matched by their stable
// id, so a renamed or moved step is one step that changed, not one removed and one added.

#include <string>
#include <vector>

#include "procedure/model.h"

namespace boligflyt::procedure {

enum class ChangeKind {
  kAdded,
  kRemoved,
  kRenamed,
  kMoved,  // to another phase
  kResponsibleChanged,
  kParticipantsChanged,
  kDeadlinesChanged,   // deadlines or recurrence
  kTextChanged,        // description
  kFlowChanged,        // next steps or their conditions, or end marker
  kDocumentsChanged,   // inputs/outputs
  kLegalBasisChanged,  // the step's legal references
  // Format 1.2 (appended so the values above keep their meaning).
  kHandoversChanged,    // what the step hands over, to whom, by when, how
  kEscalationsChanged,  // when and to whom the step is escalated
  kPartiesChanged,      // external parties taking part in the step
  kMeetingChanged,      // the meeting (forum) the step is held in
};

/// Stable machine name: "added", "removed", "renamed", "moved", "responsible_changed", ...
const char* change_kind_name(ChangeKind kind);

struct StepChange {
  ChangeKind kind;
  std::string step_id;
  std::string before;  // short rendering of the old value ("" for added)
  std::string after;   // short rendering of the new value ("" for removed)
  std::string text;    // one Norwegian sentence for people
};

struct ProcedureDiff {
  std::string procedure_id;
  std::string from_version;
  std::string to_version;
  std::vector<StepChange> changes;  // in the order of the steps in the newer version, removed last
  std::vector<std::string> metadata_changes;  // Norwegian sentences (title, review interval, ...)

  bool has(ChangeKind kind, std::string_view step_id) const;
};

/// `units` (may be null) gives unit names for the Norwegian text.
ProcedureDiff diff_procedures(const Procedure& from, const Procedure& to,
                              const UnitRegistry* units = nullptr);

/// A readable Norwegian changelog, one line per change, grouped by kind.
std::string diff_as_text(const ProcedureDiff& diff);

}  // namespace boligflyt::procedure

#pragma once
// Shared by the linter's translation units (lint.cpp, lint_graph.cpp, lint_model_1_2.cpp);
// not part of the procedure module's interface.

#include <map>
#include <string>

#include "procedure/diagnostics.h"
#include "procedure/model.h"

namespace boligflyt::procedure::lint_detail {

class Reporter {
 public:
  Reporter(const std::string& file, Diagnostics& out) : file_(file), out_(out) {}
  /// Returns the index of the new diagnostic (the vector may grow, so no reference).
  std::size_t operator()(const SourcePos& pos, std::string code, std::string message,
                         std::string subject = {}) {
    Diagnostic d{.file = file_,
                 .line = pos.line,
                 .column = pos.column,
                 .code = std::move(code),
                 .message = std::move(message)};
    d.subject = std::move(subject);
    out_.push_back(std::move(d));
    return out_.size() - 1;
  }
  Diagnostics& out() { return out_; }

 private:
  const std::string& file_;
  Diagnostics& out_;
};

using StepIndex = std::map<std::string, const Step*, std::less<>>;

/// Reachability from the start step and a way to an end step, with the steps that are only
/// unreachable (or trapped) because of another problem marked as its consequences.
void lint_graph(const Procedure& p, const StepIndex& by_id, Reporter& report);

/// The elements of format 1.2: parallel split and join, handovers, external parties, meetings,
/// escalations, deadline basis, outcome codes and provisions in force.
void lint_model_1_2(const Procedure& p, const StepIndex& by_id, const UnitRegistry* units,
                    Reporter& report);

/// " Mente du «soknad-mottak»?" when one step id is within two edits of `wrong` (a typo),
/// else empty.
std::string did_you_mean(const StepIndex& by_id, const std::string& wrong);

/// Schema keyref errors that repeat a linter finding on the same line become its consequences.
void mark_schema_duplicates(Diagnostics& out, std::size_t first_lint);

}  // namespace boligflyt::procedure::lint_detail

#pragma once
// A problem found in a procedure file, located precisely enough for a procedure owner to go
// straight to it in an editor. Checks collect all of them instead of stopping at the first.

#include <cstddef>
#include <string>
#include <vector>

namespace boligflyt::procedure {

struct Diagnostic {
  std::string file;        // as given by the caller (path or upload name)
  std::size_t line = 0;    // 1-based; 0 when unknown
  std::size_t column = 0;  // 1-based; 0 when unknown
  std::string code;        // stable machine code, e.g. "duplicate-step-id"
  std::string message;     // Norwegian, for people
  // Issue 13: a problem that only follows from another one (the 47 steps behind a wrong
  // `next` that cannot be reached). Text output summarises these under their cause; JSON
  // lists every diagnostic with these fields.
  bool consequential = false;
  std::string cause_code{};  // the cause's code, line and column (same file)
  std::size_t cause_line = 0;
  std::size_t cause_column = 0;
  std::string subject{};  // the step a diagnostic is about, when there is one
  // Issue 13: "error" makes a file invalid; "warning" (validate's citation check) does not.
  std::string severity = "error";
};

using Diagnostics = std::vector<Diagnostic>;

/// "fil.xml:12:5: melding" — the form compilers use, so editors can jump to it.
std::string format_diagnostic(const Diagnostic& d);

/// The text a procedure owner reads: every diagnostic that is not consequential, each followed
/// by one line per kind of consequence ("47 trinn blir dermed uoppnåelige: …"), the way a
/// compiler stops cascades (diagnostic_summary.cpp).
std::vector<std::string> format_diagnostics_summarised(const Diagnostics& all);

}  // namespace boligflyt::procedure

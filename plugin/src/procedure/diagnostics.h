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
};

using Diagnostics = std::vector<Diagnostic>;

/// "fil.xml:12:5: melding" — the form compilers use, so editors can jump to it.
std::string format_diagnostic(const Diagnostic& d);

}  // namespace boligflyt::procedure

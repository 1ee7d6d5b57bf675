// Text output without cascades (issue 13, part 4): one wrong `next` cut off 47 steps, and a
// list of 47 "kan ikke nås" lines hid the one line that mattered. Consequential diagnostics
// are folded into one line per cause and kind, after the cause.

#include <map>
#include <tuple>

#include "procedure/diagnostics.h"

namespace boligflyt::procedure {
namespace {

constexpr std::size_t kNamesShown = 6;

std::string lead(std::size_t n, const std::string& code) {
  const std::string count = std::to_string(n);
  if (code == "unreachable-step") return count + " trinn blir dermed uoppnåelige";
  if (code == "no-exit") return count + " trinn får dermed ingen vei til et sluttrinn";
  if (code == "xsd") {
    return n == 1 ? "1 melding fra skjemakontrollen sier det samme og er utelatt"
                  : count + " meldinger fra skjemakontrollen sier det samme og er utelatt";
  }
  return count + " følgefeil (" + code + ")";
}

}  // namespace

std::vector<std::string> format_diagnostics_summarised(const Diagnostics& all) {
  using Key = std::tuple<std::string, std::string, std::size_t, std::size_t>;
  // cause (file, code, line, column) -> consequence code -> the diagnostics, in order
  std::map<Key, std::map<std::string, std::vector<const Diagnostic*>>> folded;
  for (const auto& d : all) {
    if (d.consequential) {
      folded[{d.file, d.cause_code, d.cause_line, d.cause_column}][d.code].push_back(&d);
    }
  }
  std::vector<std::string> lines;
  for (const auto& d : all) {
    if (d.consequential) continue;
    lines.push_back(format_diagnostic(d));
    const auto it = folded.find({d.file, d.code, d.line, d.column});
    if (it == folded.end()) continue;
    for (const auto& [code, items] : it->second) {
      std::string line = "    " + lead(items.size(), code);
      std::string names;
      std::size_t shown = 0;
      for (const auto* item : items) {
        if (item->subject.empty() || shown == kNamesShown) continue;
        names += (shown++ ? ", " : ": ") + item->subject;
      }
      if (shown && shown < items.size()) {
        names += " og " + std::to_string(items.size() - shown) + " til";
      }
      lines.push_back(line + names + ". [" + code + "]");
    }
    folded.erase(it);
  }
  // Consequences whose cause is not among the diagnostics (it should not happen) are shown
  // in full rather than lost.
  for (const auto& [key, by_code] : folded) {
    for (const auto& [code, items] : by_code) {
      for (const auto* item : items) lines.push_back(format_diagnostic(*item));
    }
  }
  return lines;
}

}  // namespace boligflyt::procedure

#pragma once
// Two versions of a procedure side by side, as a Norwegian HTML page for the people who
// review a revision: what changed step by step (before and now, in words), the steps that
// were removed, the procedure owner's own changelog, and the swimlane picture of the newer
// version with the new and changed steps marked. Self-contained, like the document.

#include <string>

#include "procedure/model.h"

namespace boligflyt::render {

/// `from` is the older version, `to` the newer; steps are matched by their stable ids
/// (procedure/diff.h decides what changed).
std::string render_diff_html(const procedure::Procedure& from, const procedure::Procedure& to,
                             const procedure::UnitRegistry& units);

}  // namespace boligflyt::render

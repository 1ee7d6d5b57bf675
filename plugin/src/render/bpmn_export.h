#pragma once
// A procedure version as a BPMN 2.0 process, for municipalities that keep their process maps
// in BPMN tools: one pool, one lane per responsible unit, a user task per step (with an
// exclusive gateway after a step that branches), sequence flows named by their conditions,
// a start event and an end event per end step, the phases as groups, and diagram interchange
// taken from the swimlane layout so a tool draws it as it is, without laying it out again.

#include <string>

#include "procedure/model.h"

namespace boligflyt::render {

/// `bpmn:definitions` as UTF-8 XML. Ids are NCNames derived from the step and unit ids
/// ("Activity_<step>", "Lane_<unit>", "Flow_<step>_<n>"), unique and stable across versions.
std::string export_bpmn(const procedure::Procedure& procedure,
                        const procedure::UnitRegistry& units);

}  // namespace boligflyt::render

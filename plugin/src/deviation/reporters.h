#pragma once
// Every employee may report an avvik (issue 12): which unit a report comes from, and how the
// leaders of that unit learn that someone in it reported. Who then sees what is in
// lifecycle.h (sees, may_see_reporter) and the store's visibility.

#include <optional>
#include <string>

#include "core/actor.h"
#include "core/result.h"
#include "deviation/service.h"
#include "procedure/model.h"

namespace boligflyt::deviation {

/// The unit the avvik is reported from: the one asked for, which must exist and be one of
/// the reporter's units; or, when none is asked for, the reporter's only unit. Errors name the
/// field `reporting_unit` (kInvalid), in Norwegian.
Result<std::string> reporting_unit_of(const RegisterInput& in, const Actor& actor,
                                      const procedure::UnitRegistry& units);

/// The notification that tells the leaders of the reporting unit that someone in their unit
/// reported an avvik; nullopt when the reporter leads that unit themselves (or is the quality
/// leader), or when the reporting unit is also the responsible one (its leaders are told of
/// the new avvik anyway). No free text: the id, the step, the units and the category only.
std::optional<store::OutboxMessage> reporting_leaders_told(const store::DeviationRecord& avvik,
                                                           const Actor& reporter,
                                                           const std::string& step_title,
                                                           const procedure::UnitRegistry& units);

}  // namespace boligflyt::deviation

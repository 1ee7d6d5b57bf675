#pragma once
// The rules every free-text field of an avvik obeys (title, description, cause, comments, …):
// present when required, not too long, printable (and carriable in the archive's XML 1.0),
// and free of national identity numbers (personal_data.h).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace boligflyt::deviation {

/// kInvalid naming `field` (and the position of a control character), or kPersonalData.
/// `label` is the field as people know it ("beskrivelse").
Result<void> check_text(const std::string& field, std::string_view label, const std::string& text,
                        bool required, std::size_t max_chars);

}  // namespace boligflyt::deviation

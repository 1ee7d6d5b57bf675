#pragma once
// Avvik are about the procedure, not about tenants: free text is refused when it holds what
// looks like a Norwegian national identity number (fødselsnummer or D-nummer). The error says
// where, never what: the number itself is not repeated anywhere, not even in the log.

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace boligflyt::deviation {

/// True when `eleven_digits` is exactly 11 ASCII digits with both mod-11 check digits right
/// and a plausible date: day 01–31 (fødselsnummer) or 41–71 (D-nummer); month 01–12, or that
/// plus 40 (H-nummer) or plus 80 (Skatteetaten's synthetic test numbers).
bool is_valid_national_id(std::string_view eleven_digits);

struct NationalIdMatch {
  std::size_t byte_offset;  // where the number starts in the text
  std::size_t position;     // the same, 1-based, in Unicode code points (for people)
  bool d_number;            // day + 40
};

/// The first valid national identity number in `utf8_text`, or nullopt. Candidates are
/// * a run of exactly 11 ASCII digits with no digit right before or after it;
/// * the written form "DDMMYY NNNNN": 6 digits, one separator, 5 digits, again with no digit
///   right before or after. The separator is a space, a no-break space (U+00A0), a narrow
///   no-break space (U+202F) or a hyphen-minus ("DDMMYY-NNNNN").
/// Letters may touch a candidate ("fnr:01019012345" is found). Other groupings, such as
/// "01 01 90 123 45", are not looked for. Digit runs that fail the check digits or the date
/// (account numbers, order numbers) are not matches.
std::optional<NationalIdMatch> find_national_id(std::string_view utf8_text);

/// Refuses text that holds a national identity number: kPersonalData, code "personal-data",
/// field = `field`, a Norwegian detail naming `label` (the field as people
/// know it, e.g. "beskrivelse") and the position (1-based code point).
Result<void> check_free_text(std::string_view field, std::string_view label,
                             std::string_view utf8_text);

}  // namespace boligflyt::deviation

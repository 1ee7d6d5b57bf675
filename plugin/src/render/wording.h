#pragma once
// The Norwegian words the renderers use for what the procedure file says in codes: status,
// step kinds, dates, deadlines and recurrences, change kinds, and the numbering of steps.
// One home, so the document, the diagram and the comparison view say the same thing.

#include <map>
#include <string>
#include <string_view>

#include "procedure/model.h"

namespace boligflyt::render {

/// "publisert", "erstattet", "utkast", "på høring", "godkjent", "trukket tilbake"; unknown
/// codes come back as they are.
std::string status_in_words(std::string_view status);

/// "oppgave", "beslutning", "møte", "hendelse".
std::string step_kind_in_words(std::string_view kind);

/// "2025-01-01" → "1. januar 2025"; anything else comes back unchanged.
std::string date_in_words(std::string_view iso_date);

/// "P3W" → "3 uker"; an unparseable value comes back unchanged.
std::string duration_in_words(std::string_view iso_duration);

/// "R/P14D" → "hver 14. dag"; an unparseable value comes back unchanged.
std::string recurrence_in_words(std::string_view iso_recurrence);

/// The whole deadline as a phrase: "innen 3 uker etter at vedtaket er mottatt",
/// "senest 3 måneder før leieperioden utløper". `procedure` names the step of a
/// stepCompleted anchor.
std::string deadline_in_words(const procedure::Deadline& deadline,
                              const procedure::Procedure& procedure);

/// A few words for a diagram box: "Frist 3 uker", "3 måneder før utløp".
std::string deadline_brief(const procedure::Deadline& deadline);

/// The label of a changelog entry's kind ("added" → "Nytt trinn").
std::string change_kind_in_words(std::string_view kind);

/// First letter in upper case (ASCII and æ, ø, å).
std::string capitalized(std::string_view text);

/// The text without its final full stop (and trailing spaces), for a sentence that goes on:
/// "Søknaden og samtykket." + ". Innen 2 dager" must not read "samtykket.. Innen".
std::string without_final_period(std::string_view text);

/// The name of a unit, or its id when the registry does not know it.
std::string unit_name(const procedure::UnitRegistry& units, std::string_view id);

/// The title of a document of the procedure, or its id.
std::string document_title(const procedure::Procedure& procedure, std::string_view id);

/// Step number "phase.step", both 1-based in document order: "2.3". Keyed by step id.
std::map<std::string, std::string> step_numbers(const procedure::Procedure& procedure);

}  // namespace boligflyt::render

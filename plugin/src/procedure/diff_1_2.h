#pragma once
// What the diff says about the elements of procedure format 1.2 (external parties, meetings,
// handovers, escalations, parallel tracks, outcome codes, whom a deadline binds, validity of
// legal provisions). Every function returns "" or adds nothing when a step or version uses
// none of them, so comparisons between 1.0-1.1 versions read exactly as before.

#include <string>
#include <vector>

#include "procedure/model.h"

namespace boligflyt::procedure {

/// `text` with a full stop, unless it already ends a sentence (quoted texts often do).
std::string end_sentence(std::string text);

/// Name of a unit or an external party, for Norwegian text; the id when neither is known.
std::string unit_or_party_name(const std::string& id, const Procedure& p,
                               const UnitRegistry* units);

/// "binder Søkeren eller leietakeren, lovfestet (Forvaltningsloven § 29)"; "" for a
/// deadline that says none of it. Earliest deadlines are marked "tidligst" unless
/// `with_kind` is false (for wording that says so already).
std::string deadline_binding_words(const Deadline& d, const Procedure& p, const UnitRegistry* units,
                                   bool with_kind = true);

/// One handover: "id: fra → til innen 1 dag (kanal): hva".
std::string handover_words(const Handover& h, const Step& s, const Procedure& p,
                           const UnitRegistry* units);

/// One escalation: "etter 14 dager til Boligsosial koordinator: tekst".
std::string escalation_words(const Escalation& e, const Procedure& p, const UnitRegistry* units);

/// The parallel split, join and outcome codes of a step, appended to its flow; "" when none.
std::string flow_extras(const Step& s);

/// "id: fra → til innen P1D (kanal): hva; ..." or "ingen".
std::string handovers_of(const Step& s, const Procedure& p, const UnitRegistry* units);

/// "P14D → Boligsosial koordinator: tekst; ..." or "ingen".
std::string escalations_of(const Step& s, const Procedure& p, const UnitRegistry* units);

/// The external parties taking part in a step, sorted, or "ingen".
std::string parties_of(const Step& s, const Procedure& p);

/// The meeting a step is held in, by name, or "ingen".
std::string meeting_of(const Step& s, const Procedure& p);

/// Norwegian sentences about the version as a whole: external parties and meetings added,
/// removed or changed, legal sources and provisions added or removed, and changed validity
/// dates of sources and provisions.
void add_model_1_2_changes(const Procedure& from, const Procedure& to, const UnitRegistry* units,
                           std::vector<std::string>& out);

}  // namespace boligflyt::procedure

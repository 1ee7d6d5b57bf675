#pragma once
// The parts of the HTML document that procedure format 1.2 adds: external parties and
// meetings (sections of their own and facts on each step), handovers, escalations, parallel
// tracks, outcome codes, and whom a deadline binds on what legal basis. Every function returns
// an empty string when its element is absent, so older versions render byte for byte as before.

#include <functional>
#include <string>
#include <utility>

#include "procedure/model.h"

namespace boligflyt::render {

/// How the document links to its own anchors: a step ("trinn-<id>") and a legal source and
/// provision ("lov-<id>").
struct DocumentLinks {
  std::function<std::string(const std::string&)> step;
  std::function<std::string(const std::pair<std::string, std::string>&)> legal;
};

/// The name of an external party, else of a unit, else the id.
std::string party_or_unit_name(const procedure::Procedure& procedure,
                               const procedure::UnitRegistry& units, std::string_view id);

/// After a deadline's words: whom it binds and on what basis, as HTML (" Lovfestet frist: …").
std::string deadline_detail_html(const procedure::Procedure& procedure,
                                 const procedure::UnitRegistry& units,
                                 const procedure::Deadline& deadline, const DocumentLinks& links);

/// <dt>/<dd> facts about who takes part: external parties, the meeting, and what a join step
/// waits for.
std::string step_party_facts(const procedure::Procedure& procedure,
                             const procedure::UnitRegistry& units, const procedure::Step& step,
                             const DocumentLinks& links);

/// <dt>/<dd> facts about handovers and escalations.
std::string step_handover_facts(const procedure::Procedure& procedure,
                                const procedure::UnitRegistry& units, const procedure::Step& step);

/// The "Neste trinn" fact of a parallel split: every branch at once, and where they meet.
std::string parallel_next_fact(const procedure::Step& step, const DocumentLinks& links);

/// After a branch: its outcome code as a chip, or empty.
std::string outcome_html(const procedure::NextStep& next);

/// "Møter": one entry per meeting (anchor "mote-<id>") with chair, members, cadence, mandate
/// and the steps held in it. `toc` gives the table of contents line instead.
std::string meetings_section(const procedure::Procedure& procedure,
                             const procedure::UnitRegistry& units, const DocumentLinks& links);
std::string meetings_toc(const procedure::Procedure& procedure);

/// "Eksterne parter": a table of every party (anchor "part-<id>"), what it is, the steps it
/// takes part in and what is handed over to it.
std::string parties_section(const procedure::Procedure& procedure, const DocumentLinks& links);
std::string parties_toc(const procedure::Procedure& procedure);

/// What the picture draws for parallel tracks, handovers and external parties, in words and
/// as a legend; empty when the version has none of them.
std::string overview_notes(const procedure::Procedure& procedure);

/// " (i kraft fra 1. januar 2024, opphevet 31. desember 2024)", or empty.
std::string validity_html(const procedure::Validity& validity);

}  // namespace boligflyt::render

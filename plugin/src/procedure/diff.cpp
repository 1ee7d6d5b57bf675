#include "procedure/diff.h"

#include <algorithm>
#include <set>

#include "procedure/diff_1_2.h"
#include "procedure/iso_duration.h"

namespace boligflyt::procedure {
namespace {

std::string unit_name(const std::string& id, const UnitRegistry* units) {
  if (units) {
    if (const auto* u = units->find(id)) return u->name;
  }
  return id;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string participants_of(const Step& s, const UnitRegistry* units) {
  std::vector<std::string> names;
  for (const auto& p : s.participants) names.push_back(unit_name(p.unit, units));
  std::sort(names.begin(), names.end());
  return names.empty() ? "ingen" : join(names);
}

std::set<std::string> participant_ids(const Step& s) {
  std::set<std::string> ids;
  for (const auto& p : s.participants) ids.insert(p.unit);
  return ids;
}

// The anchor a deadline counts from, as it reads after "før"/"etter".
std::string anchor_words(const Deadline& d) {
  static const std::pair<const char*, const char*> kAnchors[] = {
      {"stepStart", "at trinnet starter"},
      {"stepCompleted", "at trinnet er fullført"},
      {"applicationReceived", "at søknaden er mottatt"},
      {"decisionReceived", "at vedtaket er mottatt"},
      {"appealReceived", "at klagen er mottatt"},
      {"leaseStart", "at leieforholdet starter"},
      {"leaseEnd", "at leieforholdet utløper"},
      {"bofaStart", "at BOFA starter"},
      {"bofaEnd", "at BOFA utløper"},
      {"rentDue", "forfall for husleien"},
      {"eventKnown", "at hendelsen ble kjent"}};
  for (const auto& [anchor, words] : kAnchors) {
    if (d.relative_to == anchor) {
      if (d.relative_to == "stepCompleted" && !d.step.empty())
        return "at trinn " + d.step + " er fullført";
      return words;
    }
  }
  return d.relative_to;
}

std::string deadline_words(const Deadline& d) {
  auto duration = parse_iso_duration(d.duration);
  std::string words = duration ? duration->in_words() : d.duration;
  return words + (d.relation == "before" ? " før " : " etter ") + anchor_words(d);
}

std::string deadlines_of(const Step& s, const Procedure& p, const UnitRegistry* units) {
  std::vector<std::string> parts;
  for (const auto& d : s.deadlines) {
    const auto binding = deadline_binding_words(d, p, units);
    parts.push_back(d.duration + " (" + deadline_words(d) +
                    (binding.empty() ? "" : "; " + binding) + ")");
  }
  if (!s.recurrence.empty()) {
    auto r = parse_iso_recurrence(s.recurrence);
    parts.push_back(s.recurrence + (r ? " (" + r->in_words() + ")" : ""));
  }
  return parts.empty() ? "ingen" : join(parts, "; ");
}

std::string flow_of(const Step& s) {
  std::vector<std::string> parts;
  for (const auto& n : s.next)
    parts.push_back(n.step + (n.condition.empty() ? "" : " [" + n.condition + "]"));
  if (s.is_end) parts.push_back("(slutt)");
  const auto extras = flow_extras(s);
  return join(parts) + (extras.empty() ? "" : " {" + extras + "}");
}

std::string documents_of(const Step& s) {
  return "inn: " + (s.inputs.empty() ? std::string("–") : join(s.inputs)) +
         "; ut: " + (s.outputs.empty() ? std::string("–") : join(s.outputs));
}

std::string legal_refs_of(const Step& s) {
  std::vector<std::string> parts;
  for (const auto& [source, provision] : s.legal_refs) {
    parts.push_back(source + (provision.empty() ? "" : " " + provision));
  }
  return parts.empty() ? "ingen" : join(parts);
}

std::string phase_title(const Procedure& p, const std::string& id) {
  for (const auto& phase : p.phases) {
    if (phase.id == id) return phase.title;
  }
  return id;
}

}  // namespace

const char* change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded: return "added";
    case ChangeKind::kRemoved: return "removed";
    case ChangeKind::kRenamed: return "renamed";
    case ChangeKind::kMoved: return "moved";
    case ChangeKind::kResponsibleChanged: return "responsible_changed";
    case ChangeKind::kParticipantsChanged: return "participants_changed";
    case ChangeKind::kDeadlinesChanged: return "deadlines_changed";
    case ChangeKind::kTextChanged: return "text_changed";
    case ChangeKind::kFlowChanged: return "flow_changed";
    case ChangeKind::kDocumentsChanged: return "documents_changed";
    case ChangeKind::kLegalBasisChanged: return "legal_basis_changed";
    case ChangeKind::kHandoversChanged: return "handovers_changed";
    case ChangeKind::kEscalationsChanged: return "escalations_changed";
    case ChangeKind::kPartiesChanged: return "parties_changed";
    case ChangeKind::kMeetingChanged: return "meeting_changed";
  }
  return "unknown";
}

bool ProcedureDiff::has(ChangeKind kind, std::string_view step_id) const {
  return std::any_of(changes.begin(), changes.end(),
                     [&](const StepChange& c) { return c.kind == kind && c.step_id == step_id; });
}

namespace {

std::string steps_of(const DeviationCategory& c) {
  if (c.steps.empty()) return "alle trinn";
  std::string out;
  for (const auto& s : c.steps) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Categories and personal-data marks are not steps, but a reviewer must see them change:
// an avvik category that disappears, or a step no longer treated as sensitive, changes what
// reporters may and must do.
void add_category_and_personal_data_changes(const Procedure& from, const Procedure& to,
                                            std::vector<std::string>& out) {
  for (const auto& c : to.deviation_categories) {
    const auto* old = from.find_deviation_category(c.id);
    if (old == nullptr) {
      out.push_back("Ny avvikskategori «" + c.label + "» (" + c.id + ") for " + steps_of(c) + ".");
    } else if (old->label != c.label || old->steps != c.steps ||
               old->description != c.description) {
      out.push_back("Avvikskategorien «" + c.label + "» (" + c.id + ") er endret; gjelder nå " +
                    steps_of(c) + ".");
    }
  }
  for (const auto& c : from.deviation_categories) {
    if (to.find_deviation_category(c.id) == nullptr) {
      out.push_back("Avvikskategorien «" + c.label + "» (" + c.id + ") er fjernet.");
    }
  }
  for (const auto& s : to.steps) {
    const auto* old = from.find_step(s.id);
    const bool before = old != nullptr && old->handles_personal_data;
    if (before == s.handles_personal_data || (old == nullptr && !s.handles_personal_data)) continue;
    out.push_back("Trinn «" + s.title + "» (" + s.id + ") " +
                  (s.handles_personal_data ? "behandler nå personopplysninger: avvik på trinnet "
                                             "merkes alltid med personopplysninger."
                                           : "er ikke lenger merket som et trinn som behandler "
                                             "personopplysninger."));
  }
}

// Handovers, escalations, external parties and meetings of one step that exists in both
// versions (format 1.2); nothing when neither version uses them.
template <typename Add>
void add_step_changes_1_2(const Step& old, const Step& s, const Procedure& from,
                          const Procedure& to, const UnitRegistry* units, const std::string& name,
                          Add& add) {
  if (old.handovers != s.handovers) {
    const auto was = handovers_of(old, from, units);
    const auto is = handovers_of(s, to, units);
    add(ChangeKind::kHandoversChanged, s.id, was, is,
        end_sentence("Overleveringene i trinn " + name + " er endret fra " + was + " til " + is));
  }
  if (old.escalations != s.escalations) {
    const auto was = escalations_of(old, from, units);
    const auto is = escalations_of(s, to, units);
    add(ChangeKind::kEscalationsChanged, s.id, was, is,
        end_sentence("Eskaleringen i trinn " + name + " er endret fra " + was + " til " + is));
  }
  if (parties_of(old, from) != parties_of(s, to)) {
    add(ChangeKind::kPartiesChanged, s.id, parties_of(old, from), parties_of(s, to),
        "Eksterne parter i trinn " + name + " er endret fra " + parties_of(old, from) + " til " +
            parties_of(s, to) + ".");
  }
  if (meeting_of(old, from) != meeting_of(s, to)) {
    add(ChangeKind::kMeetingChanged, s.id, meeting_of(old, from), meeting_of(s, to),
        "Trinn " + name + " holdes nå i møtet " + meeting_of(s, to) +
            " (før: " + meeting_of(old, from) + ").");
  }
}

}  // namespace

ProcedureDiff diff_procedures(const Procedure& from, const Procedure& to,
                              const UnitRegistry* units) {
  ProcedureDiff diff{to.id, from.version.str(), to.version.str(), {}, {}};
  auto add = [&](ChangeKind kind, const std::string& id, std::string before, std::string after,
                 std::string text) {
    diff.changes.push_back({kind, id, std::move(before), std::move(after), std::move(text)});
  };

  for (const auto& s : to.steps) {
    const Step* old = from.find_step(s.id);
    const std::string name = "«" + s.title + "» (" + s.id + ")";
    if (!old) {
      add(ChangeKind::kAdded, s.id, "", s.title,
          "Nytt trinn " + name + " i fasen «" + phase_title(to, s.phase) +
              "», ansvarlig: " + unit_name(s.responsible.unit, units) + ".");
      continue;
    }
    if (old->title != s.title) {
      add(ChangeKind::kRenamed, s.id, old->title, s.title,
          "Trinn " + s.id + " har fått nytt navn: «" + old->title + "» → «" + s.title + "».");
    }
    if (old->phase != s.phase) {
      add(ChangeKind::kMoved, s.id, old->phase, s.phase,
          "Trinn " + name + " er flyttet fra fasen «" + phase_title(from, old->phase) + "» til «" +
              phase_title(to, s.phase) + "».");
    }
    if (old->responsible.unit != s.responsible.unit) {
      add(ChangeKind::kResponsibleChanged, s.id, old->responsible.unit, s.responsible.unit,
          "Ansvaret for trinn " + name + " er flyttet fra " +
              unit_name(old->responsible.unit, units) + " til " +
              unit_name(s.responsible.unit, units) + ".");
    }
    if (participant_ids(*old) != participant_ids(s)) {
      add(ChangeKind::kParticipantsChanged, s.id, participants_of(*old, units),
          participants_of(s, units),
          "Deltakende enheter i trinn " + name + " er endret fra " + participants_of(*old, units) +
              " til " + participants_of(s, units) + ".");
    }
    if (old->deadlines != s.deadlines || old->recurrence != s.recurrence) {
      const auto was = deadlines_of(*old, from, units);
      const auto is = deadlines_of(s, to, units);
      add(ChangeKind::kDeadlinesChanged, s.id, was, is,
          "Fristene i trinn " + name + " er endret fra " + was + " til " + is + ".");
    }
    if (old->description != s.description) {
      add(ChangeKind::kTextChanged, s.id, old->description, s.description,
          "Beskrivelsen av trinn " + name + " er endret.");
    }
    if (flow_of(*old) != flow_of(s)) {
      add(ChangeKind::kFlowChanged, s.id, flow_of(*old), flow_of(s),
          "Veien videre fra trinn " + name + " er endret fra " + flow_of(*old) + " til " +
              flow_of(s) + ".");
    }
    if (documents_of(*old) != documents_of(s)) {
      add(ChangeKind::kDocumentsChanged, s.id, documents_of(*old), documents_of(s),
          "Dokumentene i trinn " + name + " er endret (" + documents_of(*old) + " → " +
              documents_of(s) + ").");
    }
    if (legal_refs_of(*old) != legal_refs_of(s)) {
      add(ChangeKind::kLegalBasisChanged, s.id, legal_refs_of(*old), legal_refs_of(s),
          "Hjemmelen for trinn " + name + " er endret fra " + legal_refs_of(*old) + " til " +
              legal_refs_of(s) + ".");
    }
    add_step_changes_1_2(*old, s, from, to, units, name, add);
  }
  for (const auto& old : from.steps) {
    if (!to.find_step(old.id)) {
      add(ChangeKind::kRemoved, old.id, old.title, "",
          "Trinn «" + old.title + "» (" + old.id + ") er fjernet.");
    }
  }

  auto meta = [&](const std::string& what, const std::string& a, const std::string& b) {
    if (a != b)
      diff.metadata_changes.push_back(what + " er endret fra «" + a + "» til «" + b + "».");
  };
  meta("Tittelen", from.title, to.title);
  meta("Revisjonsintervallet", from.review_interval, to.review_interval);
  meta("Starttrinnet", from.start_step, to.start_step);
  meta("Eierenheten", from.owner_unit, to.owner_unit);
  add_category_and_personal_data_changes(from, to, diff.metadata_changes);
  add_model_1_2_changes(from, to, units, diff.metadata_changes);
  return diff;
}

std::string diff_as_text(const ProcedureDiff& diff) {
  std::string out = "Endringer i " + diff.procedure_id + " fra versjon " + diff.from_version +
                    " til " + diff.to_version + ":\n";
  if (diff.changes.empty() && diff.metadata_changes.empty()) return out + "Ingen endringer.\n";
  static const ChangeKind kOrder[] = {ChangeKind::kAdded,
                                      ChangeKind::kRemoved,
                                      ChangeKind::kRenamed,
                                      ChangeKind::kMoved,
                                      ChangeKind::kResponsibleChanged,
                                      ChangeKind::kParticipantsChanged,
                                      ChangeKind::kDeadlinesChanged,
                                      ChangeKind::kTextChanged,
                                      ChangeKind::kFlowChanged,
                                      ChangeKind::kDocumentsChanged,
                                      ChangeKind::kLegalBasisChanged,
                                      ChangeKind::kHandoversChanged,
                                      ChangeKind::kEscalationsChanged,
                                      ChangeKind::kPartiesChanged,
                                      ChangeKind::kMeetingChanged};
  static const char* kHeadings[] = {"Nye trinn",
                                    "Fjernede trinn",
                                    "Nye navn",
                                    "Flyttet til annen fase",
                                    "Endret ansvarlig enhet",
                                    "Endrede deltakende enheter",
                                    "Endrede frister",
                                    "Endret tekst",
                                    "Endret flyt",
                                    "Endrede dokumenter",
                                    "Endret hjemmel",
                                    "Endrede overleveringer",
                                    "Endret eskalering",
                                    "Endrede eksterne parter",
                                    "Endret møte"};
  for (std::size_t k = 0; k < std::size(kOrder); ++k) {
    bool heading = false;
    for (const auto& c : diff.changes) {
      if (c.kind != kOrder[k]) continue;
      if (!heading) out += "\n" + std::string(kHeadings[k]) + ":\n";
      heading = true;
      out += "  - " + c.text + "\n";
    }
  }
  if (!diff.metadata_changes.empty()) {
    out += "\nOm prosedyren:\n";
    for (const auto& m : diff.metadata_changes) out += "  - " + m + "\n";
  }
  return out;
}

}  // namespace boligflyt::procedure

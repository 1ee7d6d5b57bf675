#include "procedure/diff_1_2.h"

#include <algorithm>
#include <set>

#include "procedure/iso_duration.h"

namespace boligflyt::procedure {
namespace {

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string duration_words(const std::string& iso) {
  const auto d = parse_iso_duration(iso);
  return d ? d->in_words() : iso;
}

std::string source_name(const std::string& id, const Procedure& p) {
  for (const auto& s : p.legal_basis) {
    if (s.id == id) return s.short_title.empty() ? id : s.short_title;
  }
  return id;
}

std::string validity_words(const Validity& v) {
  if (v.from.empty() && v.to.empty()) return "uten datoer";
  if (v.to.empty()) return "i kraft fra " + v.from;
  if (v.from.empty()) return "gjaldt til og med " + v.to;
  return "gjaldt fra " + v.from + " til og med " + v.to;
}

const LegalSource* find_source(const Procedure& p, const std::string& id) {
  for (const auto& s : p.legal_basis) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Validity provision_validity(const LegalSource& s, const std::string& ref) {
  const auto it = s.provision_validity.find(ref);
  return it == s.provision_validity.end() ? Validity{} : it->second;
}

void compare_parties(const Procedure& from, const Procedure& to, std::vector<std::string>& out) {
  for (const auto& party : to.external_parties) {
    const auto* old = from.find_party(party.id);
    if (old == nullptr) {
      out.push_back("Ny ekstern part «" + party.name + "» (" + party.id + ").");
    } else if (old->name != party.name || old->kind != party.kind ||
               old->description != party.description) {
      out.push_back("Den eksterne parten «" + party.name + "» (" + party.id + ") er endret.");
    }
  }
  for (const auto& party : from.external_parties) {
    if (to.find_party(party.id) == nullptr) {
      out.push_back("Den eksterne parten «" + party.name + "» (" + party.id + ") er fjernet.");
    }
  }
}

void compare_meetings(const Procedure& from, const Procedure& to, const UnitRegistry* units,
                      std::vector<std::string>& out) {
  for (const auto& m : to.meetings) {
    const auto* old = from.find_meeting(m.id);
    if (old == nullptr) {
      out.push_back("Nytt møte «" + m.name + "» (" + m.id + "), ledet av " +
                    unit_or_party_name(m.chair, to, units) +
                    (m.cadence.empty() ? "" : ", " + m.cadence) + ".");
      continue;
    }
    std::vector<std::string> what;
    if (old->name != m.name) what.emplace_back("navn");
    if (old->chair != m.chair) what.emplace_back("leder");
    if (old->members != m.members) what.emplace_back("medlemmer");
    if (old->cadence != m.cadence || old->cadence_text != m.cadence_text)
      what.emplace_back("hyppighet");
    if (old->mandate != m.mandate) what.emplace_back("mandat");
    if (!what.empty()) {
      out.push_back("Møtet «" + m.name + "» (" + m.id + ") har endret " + joined(what, ", ") + ".");
    }
  }
  for (const auto& m : from.meetings) {
    if (to.find_meeting(m.id) == nullptr) {
      out.push_back("Møtet «" + m.name + "» (" + m.id + ") er fjernet.");
    }
  }
}

void compare_legal_basis(const Procedure& from, const Procedure& to,
                         std::vector<std::string>& out) {
  for (const auto& s : to.legal_basis) {
    const auto* old = find_source(from, s.id);
    const std::string name = source_name(s.id, to);
    if (old == nullptr) {
      out.push_back("Ny rettskilde: " + name + " (" + s.id + ")" +
                    (s.validity.from.empty() && s.validity.to.empty()
                         ? ""
                         : ", " + validity_words(s.validity)) +
                    ".");
      continue;
    }
    if (old->validity != s.validity) {
      out.push_back("Gyldigheten til " + name + " er endret fra «" + validity_words(old->validity) +
                    "» til «" + validity_words(s.validity) + "».");
    }
    std::set<std::string> before_refs;
    for (const auto& [ref, text] : old->provisions) before_refs.insert(ref);
    std::set<std::string> now_refs;
    for (const auto& [ref, text] : s.provisions) {
      now_refs.insert(ref);
      if (!before_refs.count(ref)) {
        out.push_back("Ny bestemmelse: " + name + " " + ref + ".");
        continue;
      }
      const auto was = provision_validity(*old, ref);
      const auto is = provision_validity(s, ref);
      if (was != is) {
        out.push_back(name + " " + ref + " er merket «" + validity_words(is) + "» (før: «" +
                      validity_words(was) + "»).");
      }
    }
    for (const auto& ref : before_refs) {
      if (!now_refs.count(ref)) out.push_back("Bestemmelsen " + name + " " + ref + " er fjernet.");
    }
  }
  for (const auto& s : from.legal_basis) {
    if (find_source(to, s.id) == nullptr) {
      out.push_back("Rettskilden " + source_name(s.id, from) + " (" + s.id + ") er fjernet.");
    }
  }
}

}  // namespace

std::string end_sentence(std::string text) {
  if (text.empty() || (text.back() != '.' && text.back() != '!' && text.back() != '?')) {
    text += '.';
  }
  return text;
}

std::string unit_or_party_name(const std::string& id, const Procedure& p,
                               const UnitRegistry* units) {
  if (units != nullptr) {
    if (const auto* u = units->find(id)) return u->name;
  }
  if (const auto* party = p.find_party(id)) return party->name;
  return id;
}

std::string deadline_binding_words(const Deadline& d, const Procedure& p, const UnitRegistry* units,
                                   bool with_kind) {
  std::vector<std::string> parts;
  if (with_kind && d.kind == "earliest") parts.emplace_back("tidligst");
  if (!d.binds.empty()) parts.push_back("binder " + unit_or_party_name(d.binds, p, units));
  std::string basis;
  if (d.basis == "statutory") basis = "lovfestet";
  if (d.basis == "local") basis = "lokal";
  if (!d.source.empty()) {
    basis += (basis.empty() ? "" : " ") + std::string("(") + source_name(d.source, p) +
             (d.provision.empty() ? "" : " " + d.provision) + ")";
  }
  if (!basis.empty()) parts.push_back(basis);
  return joined(parts, ", ");
}

std::string flow_extras(const Step& s) {
  std::vector<std::string> parts;
  if (s.parallel) {
    parts.push_back("samtidig" + (s.parallel_join.empty() ? "" : ", samles i " + s.parallel_join));
  }
  if (!s.join.empty()) parts.push_back("venter på alle grenene fra " + s.join);
  std::vector<std::string> outcomes;
  for (const auto& n : s.next) {
    if (!n.outcome.empty()) outcomes.push_back(n.outcome + " → " + n.step);
  }
  if (!outcomes.empty()) parts.push_back("utfall: " + joined(outcomes, ", "));
  return joined(parts, "; ");
}

std::string handover_words(const Handover& h, const Step& s, const Procedure& p,
                           const UnitRegistry* units) {
  const std::string from = h.from.empty() ? s.responsible.unit : h.from;
  std::string text =
      h.id + ": " + unit_or_party_name(from, p, units) + " → " + unit_or_party_name(h.to, p, units);
  if (!h.within.empty()) text += " innen " + duration_words(h.within);
  if (!h.channel.empty()) text += " (" + h.channel + ")";
  if (!h.what.empty()) text += ": " + h.what;
  return text;
}

std::string escalation_words(const Escalation& e, const Procedure& p, const UnitRegistry* units) {
  return "etter " + duration_words(e.after) + " til " + unit_or_party_name(e.to, p, units) +
         (e.text.empty() ? "" : ": " + e.text);
}

std::string handovers_of(const Step& s, const Procedure& p, const UnitRegistry* units) {
  std::vector<std::string> parts;
  for (const auto& h : s.handovers) parts.push_back(handover_words(h, s, p, units));
  return parts.empty() ? "ingen" : joined(parts, "; ");
}

std::string escalations_of(const Step& s, const Procedure& p, const UnitRegistry* units) {
  std::vector<std::string> parts;
  for (const auto& e : s.escalations) parts.push_back(escalation_words(e, p, units));
  return parts.empty() ? "ingen" : joined(parts, "; ");
}

std::string parties_of(const Step& s, const Procedure& p) {
  std::vector<std::string> names;
  for (const auto& ref : s.participating_parties) {
    const auto* party = p.find_party(ref.party);
    names.push_back(party ? party->name : ref.party);
  }
  std::sort(names.begin(), names.end());
  return names.empty() ? "ingen" : joined(names, ", ");
}

std::string meeting_of(const Step& s, const Procedure& p) {
  if (s.meeting.empty()) return "ingen";
  const auto* m = p.find_meeting(s.meeting);
  return m ? m->name : s.meeting;
}

void add_model_1_2_changes(const Procedure& from, const Procedure& to, const UnitRegistry* units,
                           std::vector<std::string>& out) {
  compare_parties(from, to, out);
  compare_meetings(from, to, units, out);
  compare_legal_basis(from, to, out);
}

}  // namespace boligflyt::procedure

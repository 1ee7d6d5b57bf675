#include "render/html_document_parts.h"

#include <algorithm>

#include "render/markup.h"
#include "render/wording.h"

namespace boligflyt::render {
namespace {

using procedure::Procedure;
using procedure::Step;
using procedure::UnitRegistry;

std::string esc(std::string_view text) { return xml_escape(text); }

std::string fact(std::string_view label, const std::string& value_html) {
  return "<dt>" + std::string(label) + "</dt><dd>" + value_html + "</dd>\n";
}

std::string party_link(const Procedure& p, const UnitRegistry& units, const std::string& id) {
  std::string name = esc(party_or_unit_name(p, units, id));
  if (!p.find_party(id)) return name;
  return "<a href=\"#part-" + esc(id) + "\">" + name + "</a>";
}

std::string party_kind_in_words(std::string_view kind) {
  if (kind == "person") return "Privatperson";
  if (kind == "authority") return "Offentlig myndighet";
  if (kind == "service") return "Tjeneste utenfor kommunen";
  if (kind == "organisation") return "Privat virksomhet eller organisasjon";
  return std::string(kind);
}

std::string list(const std::vector<std::string>& items) {
  if (items.empty()) return "–";
  std::string out = "<ul class=\"plain\">";
  for (const auto& item : items) out += "<li>" + item + "</li>";
  return out + "</ul>";
}

}  // namespace

std::string party_or_unit_name(const Procedure& p, const UnitRegistry& units, std::string_view id) {
  if (const auto* party = p.find_party(id)) return party->name;
  return unit_name(units, id);
}

std::string deadline_detail_html(const Procedure& p, const UnitRegistry& units,
                                 const procedure::Deadline& d, const DocumentLinks& links) {
  std::string out;
  if (d.basis == "statutory") {
    out += " <em>Lovfestet frist";
    if (!d.source.empty()) out += ": " + links.legal({d.source, d.provision});
    out += ".</em>";
  } else if (d.basis == "local") {
    out += " <em>Lokal frist som kommunen selv har valgt.</em>";
  }
  if (!d.binds.empty()) {
    out += " Fristen gjelder <strong>" + party_link(p, units, d.binds) + "</strong>";
    // The issue behind format 1.2: a deadline that binds the applicant was read as if
    // missing it were an avvik by a unit.
    out += p.find_party(d.binds) ? ", ikke kommunen; å oversitte den er ikke et avvik." : ".";
  }
  return out;
}

std::string step_party_facts(const Procedure& p, const UnitRegistry& units, const Step& s,
                             const DocumentLinks& links) {
  std::string out;
  if (!s.participating_parties.empty()) {
    std::vector<std::string> items;
    for (const auto& part : s.participating_parties) {
      std::string item = party_link(p, units, part.party);
      if (!part.note.empty()) item += " <span class=\"muted\">– " + esc(part.note) + "</span>";
      items.push_back(item);
    }
    out += fact("Eksterne parter", list(items));
  }
  if (!s.meeting.empty()) {
    const auto* meeting = p.find_meeting(s.meeting);
    out += fact("Møte", meeting ? "Behandles i <a href=\"#mote-" + esc(meeting->id) + "\">" +
                                      esc(meeting->name) + "</a>"
                                : esc(s.meeting));
  }
  if (!s.join.empty()) {
    out += fact("Venter på", "Starter når alle de parallelle grenene fra " + links.step(s.join) +
                                 " er ferdige.");
  }
  return out;
}

std::string step_handover_facts(const Procedure& p, const UnitRegistry& units, const Step& s) {
  std::string out;
  if (!s.handovers.empty()) {
    std::vector<std::string> items;
    for (const auto& h : s.handovers) {
      std::string item = "<span id=\"overlevering-" + esc(h.id) + "\"><strong>" +
                         esc(unit_name(units, h.from.empty() ? s.responsible.unit : h.from)) +
                         " \u2192 " + party_link(p, units, h.to) +
                         "</strong>: " + esc(without_final_period(h.what));
      if (!h.within.empty())
        item += ". Innen " + esc(duration_in_words(h.within)) + " etter trinnet";
      if (!h.channel.empty()) item += ". Kanal: " + esc(h.channel);
      items.push_back(item + ".</span>");
    }
    out += fact(s.handovers.size() == 1 ? "Overlevering" : "Overleveringer", list(items));
  }
  if (!s.escalations.empty()) {
    std::vector<std::string> items;
    for (const auto& e : s.escalations) {
      std::string item = "<strong>Etter " + esc(duration_in_words(e.after)) + " til " +
                         esc(unit_name(units, e.to)) + ".</strong>";
      if (!e.text.empty()) item += " " + esc(e.text);
      items.push_back(item);
    }
    out += fact("Eskalering", list(items));
  }
  return out;
}

std::string parallel_next_fact(const Step& s, const DocumentLinks& links) {
  std::string items = "<p>Disse trinnene gjøres samtidig:</p><ul class=\"plain\">";
  for (const auto& next : s.next) {
    items += "<li>" + links.step(next.step);
    if (!next.condition.empty())
      items += " <span class=\"muted\">– " + esc(next.condition) + "</span>";
    items += "</li>";
  }
  items += "</ul>";
  if (!s.parallel_join.empty()) {
    items += "<p>Grenene samles i " + links.step(s.parallel_join) +
             ", som starter når alle er ferdige.</p>";
  } else {
    items += "<p>Grenene går hver til sin slutt.</p>";
  }
  return fact("Neste trinn", items);
}

std::string outcome_html(const procedure::NextStep& next) {
  if (next.outcome.empty()) return {};
  return " <span class=\"chip\">Utfall: " + esc(next.outcome) + "</span>";
}

std::string meetings_toc(const Procedure& p) {
  return p.meetings.empty() ? std::string() : "<li><a href=\"#moter\">Møter</a></li>\n";
}

std::string meetings_section(const Procedure& p, const UnitRegistry& units,
                             const DocumentLinks& links) {
  if (p.meetings.empty()) return {};
  std::string out = "<section aria-labelledby=\"moter\">\n<h2 id=\"moter\">Møter</h2>\n";
  for (const auto& m : p.meetings) {
    out += "<h3 id=\"mote-" + esc(m.id) + "\">" + esc(m.name) + "</h3>\n<dl class=\"facts\">\n";
    out += fact("Leder", esc(unit_name(units, m.chair)));
    std::vector<std::string> members;
    for (const auto& [ref, note] : m.members) {
      std::string item = party_link(p, units, ref);
      if (!note.empty()) item += " <span class=\"muted\">– " + esc(note) + "</span>";
      members.push_back(item);
    }
    out += fact("Faste deltakere", list(members));
    if (!m.cadence.empty() || !m.cadence_text.empty()) {
      std::string cadence = m.cadence_text;
      if (cadence.empty()) cadence = capitalized(recurrence_in_words(m.cadence));
      out += fact("Hyppighet", esc(cadence));
    }
    out += fact("Mandat", esc(m.mandate));
    std::vector<std::string> steps;
    for (const auto& s : p.steps) {
      if (s.meeting == m.id) steps.push_back(links.step(s.id));
    }
    out += fact("Trinn i møtet", list(steps));
    out += "</dl>\n";
  }
  return out + "</section>\n";
}

std::string parties_toc(const Procedure& p) {
  return p.external_parties.empty() ? std::string()
                                    : "<li><a href=\"#eksterne-parter\">Eksterne parter</a></li>\n";
}

std::string parties_section(const Procedure& p, const DocumentLinks& links) {
  if (p.external_parties.empty()) return {};
  std::string out =
      "<section aria-labelledby=\"eksterne-parter\">\n<h2 id=\"eksterne-parter\">Eksterne "
      "parter</h2>\n<p>Parter utenfor kommunen som deltar i prosedyren eller får noe overlevert. "
      "En ekstern part er aldri ansvarlig for et trinn, og avvik meldes til lederen for enheten "
      "som har ansvaret.</p>\n<table>\n<caption>Eksterne parter</caption>\n<thead><tr><th "
      "scope=\"col\">Part</th><th scope=\"col\">Hva slags part</th><th scope=\"col\">Deltar "
      "i</th><th scope=\"col\">Får overlevert</th></tr></thead>\n<tbody>\n";
  for (const auto& party : p.external_parties) {
    std::vector<std::string> takes_part;
    std::vector<std::string> receives;
    for (const auto& s : p.steps) {
      for (const auto& part : s.participating_parties) {
        if (part.party == party.id) takes_part.push_back(links.step(s.id));
      }
      for (const auto& h : s.handovers) {
        if (h.to == party.id) receives.push_back(esc(h.what) + " (fra " + links.step(s.id) + ")");
      }
    }
    for (const auto& m : p.meetings) {
      for (const auto& member : m.members) {
        if (member.first == party.id) {
          takes_part.push_back("<a href=\"#mote-" + esc(m.id) + "\">" + esc(m.name) + "</a>");
        }
      }
    }
    out += "<tr id=\"part-" + esc(party.id) + "\"><th scope=\"row\">" + esc(party.name) +
           "</th><td>" + esc(party_kind_in_words(party.kind));
    if (!party.description.empty()) out += ". " + esc(party.description);
    out += "</td><td>" + list(takes_part) + "</td><td>" + list(receives) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string overview_notes(const Procedure& p) {
  const auto any = [&](auto pred) { return std::any_of(p.steps.begin(), p.steps.end(), pred); };
  const bool parallel = any([](const Step& s) { return s.parallel; });
  const bool handovers = any([](const Step& s) { return !s.handovers.empty(); });
  // The picture gives a party a lane when a step names it.
  const bool parties = any([&](const Step& s) {
    return !s.participating_parties.empty() ||
           std::any_of(s.handovers.begin(), s.handovers.end(),
                       [&](const auto& h) { return p.find_party(h.to) != nullptr; });
  });
  if (!parallel && !handovers && !parties) return {};
  std::string text;
  std::string legend;
  if (parallel) {
    text +=
        " En svart strek på tvers av pilene betyr at trinnene etter streken gjøres samtidig, og "
        "en strek foran et trinn at trinnet venter til alle grenene er ferdige.";
    legend +=
        "<li><span class=\"swatch\" style=\"width: .35rem; background: #14212e; border-color: "
        "#14212e\"></span>Parallelle grener</li>";
  }
  if (handovers) {
    text +=
        " En stiplet lilla pil er en overlevering: den går fra trinnet til banen som tar imot, "
        "og sier hva som overleveres.";
    legend +=
        "<li><span class=\"swatch\" style=\"height: 0; border-width: 2px 0 0; border-style: "
        "dashed; border-color: #6b3fa0; border-radius: 0\"></span>Overlevering</li>";
  }
  if (parties) {
    text +=
        " Eksterne parter har egne sandfargede baner nederst. De deltar eller tar imot, men er "
        "aldri ansvarlige for et trinn.";
    legend +=
        "<li><span class=\"swatch\" style=\"background: #efe3c4; border-style: dashed; "
        "border-color: #5a4310\"></span>Ekstern part</li>";
  }
  return "<p>" + text.substr(1) + "</p>\n<ul class=\"legend\">" + legend + "</ul>\n";
}

std::string validity_html(const procedure::Validity& v) {
  if (v.from.empty() && v.to.empty()) return {};
  std::string out = " <span class=\"muted\">(";
  if (!v.from.empty()) out += "i kraft fra " + esc(date_in_words(v.from));
  if (!v.to.empty())
    out += std::string(v.from.empty() ? "" : ", ") + "gjaldt til " + esc(date_in_words(v.to));
  return out + ")</span>";
}

}  // namespace boligflyt::render

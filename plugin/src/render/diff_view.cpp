#include "render/diff_view.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "procedure/diff.h"
#include "procedure/diff_1_2.h"
#include "render/html_page.h"
#include "render/markup.h"
#include "render/swimlane_svg.h"
#include "render/wording.h"

namespace boligflyt::render {
namespace {

using procedure::ChangeKind;
using procedure::Procedure;
using procedure::Step;
using procedure::StepChange;
using procedure::UnitRegistry;

std::string esc(std::string_view text) { return xml_escape(text); }

const char* change_label(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded: return "Nytt trinn";
    case ChangeKind::kRemoved: return "Fjernet";
    case ChangeKind::kRenamed: return "Navn";
    case ChangeKind::kMoved: return "Fase";
    case ChangeKind::kResponsibleChanged: return "Ansvarlig enhet";
    case ChangeKind::kParticipantsChanged: return "Deltakende enheter";
    case ChangeKind::kDeadlinesChanged: return "Frister";
    case ChangeKind::kTextChanged: return "Beskrivelse";
    case ChangeKind::kFlowChanged: return "Neste trinn";
    case ChangeKind::kDocumentsChanged: return "Dokumenter";
    case ChangeKind::kLegalBasisChanged: return "Rettsgrunnlag";
    case ChangeKind::kHandoversChanged: return "Overleveringer";
    case ChangeKind::kEscalationsChanged: return "Eskalering";
    case ChangeKind::kPartiesChanged: return "Eksterne parter";
    case ChangeKind::kMeetingChanged: return "Møte";
  }
  return "Endring";
}

class DiffWriter {
 public:
  DiffWriter(const Procedure& from, const Procedure& to, const UnitRegistry& units)
      : from_(from),
        to_(to),
        units_(units),
        diff_(procedure::diff_procedures(from, to, &units)),
        from_numbers_(step_numbers(from)),
        to_numbers_(step_numbers(to)) {
    for (const auto& c : diff_.changes) {
      if (c.kind == ChangeKind::kRemoved) {
        removed_.push_back(c.step_id);
      } else {
        changed_[c.step_id].push_back(&c);
        if (c.kind == ChangeKind::kAdded) added_.insert(c.step_id);
      }
    }
  }

  std::string render() {
    const std::string a = from_.version.str();
    const std::string b = to_.version.str();
    out_ = html_page_start(to_.title + ": endringer fra versjon " + a + " til " + b);
    out_ += "<a class=\"skip\" href=\"#innhold\">Hopp til innholdet</a>\n";
    header();
    out_ += "<main id=\"innhold\"><div class=\"page\">\n";
    summary();
    picture();
    step_changes();
    removed_steps();
    owners_changelog();
    out_ += "</div></main>\n";
    out_ +=
        "<footer class=\"doc\"><div class=\"page\"><p>Sammenligningen er laget av boligflyt "
        "ut fra trinnenes faste id-er: et trinn som har fått nytt navn eller er flyttet, er "
        "det samme trinnet.</p></div></footer>\n";
    out_ += html_page_end();
    return std::move(out_);
  }

 private:
  static std::string numbered(const std::map<std::string, std::string>& numbers, const Step& s) {
    const auto it = numbers.find(s.id);
    return (it == numbers.end() ? std::string() : it->second + " ") + s.title;
  }

  std::string phase_title(const Procedure& p, const std::string& phase_id) const {
    for (std::size_t i = 0; i < p.phases.size(); ++i) {
      if (p.phases[i].id == phase_id) return std::to_string(i + 1) + " " + p.phases[i].title;
    }
    return phase_id;
  }

  std::string units_list(const Step& s) const {
    std::string list;
    for (const auto& part : s.participants) {
      list += (list.empty() ? "" : ", ") + unit_name(units_, part.unit);
    }
    return list.empty() ? "ingen" : list;
  }

  std::string deadlines(const Procedure& p, const Step& s) const {
    std::string html = "<ul class=\"plain\">";
    for (const auto& d : s.deadlines) {
      // Whom the deadline binds and on what basis (format 1.2), when the version says so.
      const auto binding = procedure::deadline_binding_words(d, p, &units_, false);
      html += "<li>" + esc(capitalized(deadline_in_words(d, p))) +
              (binding.empty() ? "" : " (" + esc(binding) + ")") + "</li>";
    }
    if (!s.recurrence.empty()) {
      html += "<li>Gjentas " + esc(recurrence_in_words(s.recurrence)) + "</li>";
    }
    if (s.deadlines.empty() && s.recurrence.empty()) html += "<li>Ingen</li>";
    return html + "</ul>";
  }

  std::string flow(const Procedure& p, const std::map<std::string, std::string>& numbers,
                   const Step& s) const {
    std::string html = "<ul class=\"plain\">";
    for (std::size_t k = 0; k < s.next.size(); ++k) {
      const Step* target = p.find_step(s.next[k].step);
      html += "<li>";
      if (!s.next[k].condition.empty()) html += esc(s.next[k].condition) + ": ";
      html += esc(target ? numbered(numbers, *target) : s.next[k].step);
      if (!s.next[k].outcome.empty()) html += " (utfall: " + esc(s.next[k].outcome) + ")";
      html += "</li>";
    }
    // Format 1.2: branches that start at once, and a step that waits for all of them.
    if (s.parallel) {
      const Step* join = p.find_step(s.parallel_join);
      html += "<li>Grenene over gjøres samtidig" +
              (join ? "; de samles i " + esc(numbered(numbers, *join)) : std::string()) + "</li>";
    }
    if (!s.join.empty()) {
      const Step* split = p.find_step(s.join);
      html += "<li>Starter når alle grenene fra " +
              esc(split ? numbered(numbers, *split) : s.join) + " er ferdige</li>";
    }
    if (s.is_end)
      html += "<li>Sluttrinn" + (s.end_text.empty() ? "" : ": " + esc(s.end_text)) + "</li>";
    return html + "</ul>";
  }

  std::string documents(const Procedure& p, const Step& s) const {
    const auto list = [&](const std::vector<std::string>& ids) {
      std::string text;
      for (const auto& id : ids) text += (text.empty() ? "" : ", ") + document_title(p, id);
      return text.empty() ? std::string("ingen") : text;
    };
    return "Inndata: " + esc(list(s.inputs)) + "<br/>Utdata: " + esc(list(s.outputs));
  }

  std::string legal(const Procedure& p, const Step& s) const {
    std::string text;
    for (const auto& [source, provision] : s.legal_refs) {
      std::string name = source;
      for (const auto& ls : p.legal_basis) {
        if (ls.id == source && !ls.short_title.empty()) name = ls.short_title;
      }
      text += (text.empty() ? "" : ", ") + name + (provision.empty() ? "" : " " + provision);
    }
    return esc(text.empty() ? "ingen" : text);
  }

  // Format 1.2: one handover or escalation per line, in the words of its own version.
  std::string handovers(const Procedure& p, const Step& s) const {
    std::string html = "<ul class=\"plain\">";
    for (const auto& h : s.handovers) {
      html += "<li>" + esc(procedure::handover_words(h, s, p, &units_)) + "</li>";
    }
    return html + (s.handovers.empty() ? "<li>Ingen</li>" : "") + "</ul>";
  }

  std::string escalations(const Procedure& p, const Step& s) const {
    std::string html = "<ul class=\"plain\">";
    for (const auto& e : s.escalations) {
      html += "<li>" + esc(capitalized(procedure::escalation_words(e, p, &units_))) + "</li>";
    }
    return html + (s.escalations.empty() ? "<li>Ingen</li>" : "") + "</ul>";
  }

  // One row of the before/now table, in words taken from the two versions themselves.
  void comparison_row(const StepChange& c, const Step& before, const Step& now) {
    std::string was;
    std::string is;
    switch (c.kind) {
      case ChangeKind::kRenamed:
        was = esc(before.title);
        is = esc(now.title);
        break;
      case ChangeKind::kMoved:
        was = esc(phase_title(from_, before.phase));
        is = esc(phase_title(to_, now.phase));
        break;
      case ChangeKind::kResponsibleChanged:
        was = esc(unit_name(units_, before.responsible.unit));
        is = esc(unit_name(units_, now.responsible.unit));
        break;
      case ChangeKind::kParticipantsChanged:
        was = esc(units_list(before));
        is = esc(units_list(now));
        break;
      case ChangeKind::kDeadlinesChanged:
        was = deadlines(from_, before);
        is = deadlines(to_, now);
        break;
      case ChangeKind::kTextChanged:
        was = esc(before.description);
        is = esc(now.description);
        break;
      case ChangeKind::kFlowChanged:
        was = flow(from_, from_numbers_, before);
        is = flow(to_, to_numbers_, now);
        break;
      case ChangeKind::kDocumentsChanged:
        was = documents(from_, before);
        is = documents(to_, now);
        break;
      case ChangeKind::kLegalBasisChanged:
        was = legal(from_, before);
        is = legal(to_, now);
        break;
      case ChangeKind::kHandoversChanged:
        was = handovers(from_, before);
        is = handovers(to_, now);
        break;
      case ChangeKind::kEscalationsChanged:
        was = escalations(from_, before);
        is = escalations(to_, now);
        break;
      case ChangeKind::kPartiesChanged:
      case ChangeKind::kMeetingChanged:
        // The diff's own short renderings, already in words from each version.
        was = esc(capitalized(c.before));
        is = esc(capitalized(c.after));
        break;
      case ChangeKind::kAdded:
      case ChangeKind::kRemoved: return;
    }
    out_ += "<tr><th scope=\"row\">" + esc(change_label(c.kind)) + "</th><td>" + was + "</td><td>" +
            is + "</td></tr>\n";
  }

  void header() {
    out_ += "<header class=\"doc\"><div class=\"page\">\n";
    out_ += "<p class=\"kicker\">Sammenligning av versjoner</p>\n";
    out_ += "<h1>" + esc(to_.title) + ": endringer fra versjon " + esc(from_.version.str()) +
            " til " + esc(to_.version.str()) + "</h1>\n";
    out_ += "<dl class=\"meta\">\n";
    const auto version_line = [&](const Procedure& p) {
      std::string text = "Versjon " + p.version.str() + ", " + status_in_words(p.status);
      if (!p.effective_from.empty()) text += ", fra " + date_in_words(p.effective_from);
      return esc(text);
    };
    out_ += "<div><dt>Fra</dt><dd>" + version_line(from_) + "</dd></div>\n";
    out_ += "<div><dt>Til</dt><dd>" + version_line(to_) + "</dd></div>\n";
    out_ += "<div><dt>Nye trinn</dt><dd>" + std::to_string(added_.size()) + "</dd></div>\n";
    out_ += "<div><dt>Endrede trinn</dt><dd>" + std::to_string(changed_.size() - added_.size()) +
            "</dd></div>\n";
    out_ += "<div><dt>Fjernede trinn</dt><dd>" + std::to_string(removed_.size()) + "</dd></div>\n";
    out_ += "</dl>\n</div></header>\n";
  }

  const procedure::ChangelogEntry* owners_entry() const {
    for (const auto& entry : to_.changelog) {
      if (entry.version == to_.version.str()) return &entry;
    }
    return nullptr;
  }

  void summary() {
    out_ += "<section aria-labelledby=\"sammendrag\">\n<h2 id=\"sammendrag\">Sammendrag</h2>\n";
    const auto* entry = owners_entry();
    if (entry && !entry->summary.empty()) out_ += "<p>" + esc(entry->summary) + "</p>\n";
    if (diff_.changes.empty() && diff_.metadata_changes.empty()) {
      out_ += "<p>Det er ingen endringer i trinnene mellom de to versjonene.</p>\n";
    } else {
      out_ += "<p>" + std::to_string(added_.size()) + " nye trinn, " +
              std::to_string(changed_.size() - added_.size()) + " endrede trinn og " +
              std::to_string(removed_.size()) +
              " fjernede trinn. Nye og endrede trinn er markert med blå ramme i diagrammet.</p>\n";
    }
    if (!diff_.metadata_changes.empty()) {
      out_ += "<ul>";
      for (const auto& m : diff_.metadata_changes) out_ += "<li>" + esc(m) + "</li>";
      out_ += "</ul>\n";
    }
    out_ += "</section>\n";
  }

  void picture() {
    out_ += "<section aria-labelledby=\"diagram\">\n<h2 id=\"diagram\">Versjon " +
            esc(to_.version.str()) + " med endringene markert</h2>\n";
    out_ +=
        "<ul class=\"legend\"><li><span class=\"swatch highlight\"></span>Nytt eller endret "
        "trinn (merket «Ny» eller «Endret»)</li><li><span class=\"letter\">a</span>Valg med "
        "betingelse</li><li><span class=\"swatch connector\"></span>Fortsetter i en annen "
        "del</li></ul>\n";
    SvgOptions svg;
    svg.max_band_width = 1300;
    svg.legend = false;
    svg.id_prefix = "diagram-";
    svg.title = to_.title + " " + to_.version.str() + " med endringer fra " + from_.version.str() +
                " markert";
    for (const auto& [id, changes] : changed_) {
      svg.highlight_steps.insert(id);
      svg.step_tags[id] = added_.count(id) ? "Ny" : "Endret";
    }
    const auto bands = render_swimlane_svg_bands(to_, units_, svg);
    for (std::size_t b = 0; b < bands.size(); ++b) {
      out_ += "<figure class=\"diagram\" id=\"diagram-del-" + std::to_string(b + 1) +
              "\" style=\"--natural-width: " + std::to_string(bands[b].width + 2) + "px\">\n";
      out_ +=
          "<figcaption>" + esc(bands[b].caption) + "</figcaption>\n" + bands[b].svg + "</figure>\n";
    }
    out_ += "</section>\n";
  }

  void step_changes() {
    out_ +=
        "<section aria-labelledby=\"trinn\">\n<h2 id=\"trinn\">Endringer trinn for trinn</h2>\n";
    if (changed_.empty()) out_ += "<p>Ingen trinn er nye eller endret.</p>\n";
    // In the order of the newer version.
    for (const auto& now : to_.steps) {
      const auto it = changed_.find(now.id);
      if (it == changed_.end()) continue;
      const bool added = added_.count(now.id) > 0;
      out_ += "<article class=\"step\" id=\"endring-" + esc(now.id) + "\">\n";
      out_ += "<h3><span class=\"no\">" + esc(to_numbers_.at(now.id)) + "</span>" + esc(now.title) +
              "</h3>\n";
      out_ += "<p class=\"chips\"><span class=\"chip tag\">" +
              std::string(added ? "Ny" : "Endret") + "</span><span class=\"chip\">" +
              esc(unit_name(units_, now.responsible.unit)) + "</span><a href=\"#diagram-step-" +
              esc(now.id) + "\">Vis i diagrammet</a></p>\n";
      const Step* before = from_.find_step(now.id);
      if (added || !before) {
        out_ += "<p>Nytt trinn i fasen «" + esc(phase_title(to_, now.phase)) +
                "». Ansvarlig enhet: " + esc(unit_name(units_, now.responsible.unit)) + ".</p>\n";
        if (!now.description.empty()) out_ += "<p>" + esc(now.description) + "</p>\n";
        out_ += "</article>\n";
        continue;
      }
      out_ += "<table>\n<thead><tr><th scope=\"col\">Hva</th><th scope=\"col\">Før (versjon " +
              esc(from_.version.str()) + ")</th><th scope=\"col\">Nå (versjon " +
              esc(to_.version.str()) + ")</th></tr></thead>\n<tbody>\n";
      for (const StepChange* c : it->second) comparison_row(*c, *before, now);
      out_ += "</tbody>\n</table>\n</article>\n";
    }
    out_ += "</section>\n";
  }

  void removed_steps() {
    out_ += "<section aria-labelledby=\"fjernet\">\n<h2 id=\"fjernet\">Fjernede trinn</h2>\n";
    if (removed_.empty()) {
      out_ += "<p>Ingen trinn er fjernet.</p>\n</section>\n";
      return;
    }
    // The owner's reason, where the changelog gives one.
    std::map<std::string, std::string> reasons;
    if (const auto* entry = owners_entry()) {
      for (const auto& [kind, step, text] : entry->changes) {
        if (kind == "removed" && !step.empty()) reasons[step] = text;
      }
    }
    out_ += "<table>\n<thead><tr><th scope=\"col\">Trinn i versjon " + esc(from_.version.str()) +
            "</th><th scope=\"col\">Fase</th><th scope=\"col\">Var ansvarlig</th><th "
            "scope=\"col\">Begrunnelse</th></tr></thead>\n<tbody>\n";
    for (const auto& id : removed_) {
      const Step* old = from_.find_step(id);
      if (!old) continue;
      const auto reason = reasons.find(id);
      out_ += "<tr id=\"fjernet-" + esc(id) + "\"><th scope=\"row\">" +
              esc(numbered(from_numbers_, *old)) + "</th><td>" +
              esc(phase_title(from_, old->phase)) + "</td><td>" +
              esc(unit_name(units_, old->responsible.unit)) + "</td><td>" +
              (reason == reasons.end() ? "–" : esc(reason->second)) + "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void owners_changelog() {
    const auto* entry = owners_entry();
    if (!entry || entry->changes.empty()) return;
    out_ +=
        "<section aria-labelledby=\"endringslogg\">\n<h2 id=\"endringslogg\">Endringsloggen "
        "for versjon " +
        esc(to_.version.str()) + "</h2>\n<p>Slik prosedyreeieren har beskrevet endringene.</p>\n";
    out_ += changelog_table(*entry, [&](const std::string& step) {
      if (const Step* s = to_.find_step(step)) {
        const std::string anchor = changed_.count(step) ? "#endring-" : "#diagram-step-";
        return "<a href=\"" + anchor + esc(step) + "\">" + esc(numbered(to_numbers_, *s)) + "</a>";
      }
      if (const Step* s = from_.find_step(step)) {
        return "<a href=\"#fjernet-" + esc(step) + "\">" + esc(s->title) + "</a> (fjernet)";
      }
      return esc(step);
    });
    out_ += "</section>\n";
  }

  const Procedure& from_;
  const Procedure& to_;
  const UnitRegistry& units_;
  procedure::ProcedureDiff diff_;
  std::map<std::string, std::string> from_numbers_;
  std::map<std::string, std::string> to_numbers_;
  std::map<std::string, std::vector<const StepChange*>> changed_;
  std::set<std::string> added_;
  std::vector<std::string> removed_;
  std::string out_;
};

}  // namespace

std::string render_diff_html(const Procedure& from, const Procedure& to,
                             const UnitRegistry& units) {
  return DiffWriter(from, to, units).render();
}

}  // namespace boligflyt::render

#include "render/html_document.h"

#include <algorithm>
#include <vector>

#include "render/html_document_parts.h"
#include "render/html_page.h"
#include "render/markup.h"
#include "render/swimlane_layout.h"
#include "render/swimlane_svg.h"
#include "render/wording.h"

namespace boligflyt::render {
namespace {

using procedure::ChangelogEntry;
using procedure::Procedure;
using procedure::Step;
using procedure::UnitRegistry;

std::string esc(std::string_view text) { return xml_escape(text); }

std::string document_kind_in_words(std::string_view kind) {
  if (kind == "form") return "Skjema";
  if (kind == "decision") return "Vedtak";
  if (kind == "contract") return "Kontrakt";
  if (kind == "agreement") return "Avtale";
  if (kind == "checklist") return "Sjekkliste";
  if (kind == "letter") return "Brev";
  if (kind == "report") return "Rapport eller referat";
  return "Annet";
}

// "versjon-3.0": versions are digits and dots, but the id must hold whatever the file says.
std::string version_anchor(std::string_view version) {
  std::string id = "versjon-";
  for (const char c : version) {
    const bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '.' || c == '-';
    id += keep ? c : '-';
  }
  return id;
}

std::string notice_for(std::string_view status) {
  if (status == "draft") return "Dette er et utkast. Versjonen gjelder ikke.";
  if (status == "consultation") return "Versjonen er på høring og gjelder ikke ennå.";
  if (status == "approved") return "Versjonen er godkjent, men ikke publisert ennå.";
  if (status == "superseded") {
    return "Denne versjonen er erstattet av en nyere versjon og gjelder ikke lenger.";
  }
  if (status == "retired") return "Prosedyren er trukket tilbake og gjelder ikke lenger.";
  return {};
}

class DocumentWriter {
 public:
  DocumentWriter(const Procedure& p, const UnitRegistry& units, const RenderOptions& options)
      : p_(p),
        units_(units),
        options_(options),
        numbers_(step_numbers(p)),
        status_(options.status.empty() ? p.status : options.status) {}

  std::string render() {
    out_ = html_page_start(p_.title + ", versjon " + p_.version.str() + " (" +
                           status_in_words(status_) + ")");
    out_ += "<a class=\"skip\" href=\"#innhold\">Hopp til innholdet</a>\n";
    header();
    toc();
    out_ += "<main id=\"innhold\"><div class=\"page\">\n";
    // What a reader needs first comes first: what is new, the picture, the steps. Legal
    // basis, documents and the full changelog follow as reference.
    whats_new();
    overview();
    for (std::size_t i = 0; i < p_.phases.size(); ++i) phase(i);
    out_ += meetings_section(p_, units_, links());
    out_ += parties_section(p_, links());
    legal_basis();
    documents();
    changelog();
    out_ += "</div></main>\n";
    footer();
    out_ += html_page_end();
    return std::move(out_);
  }

 private:
  DocumentLinks links() const {
    return {[this](const std::string& id) { return step_link(id); },
            [this](const std::pair<std::string, std::string>& ref) { return legal_ref(ref); }};
  }

  std::string number(const std::string& step_id) const {
    const auto it = numbers_.find(step_id);
    return it == numbers_.end() ? std::string() : it->second;
  }

  std::string step_link(const std::string& step_id) const {
    const Step* s = p_.find_step(step_id);
    if (!s) return "«" + esc(step_id) + "» (finnes ikke i denne versjonen)";
    return "<a href=\"#trinn-" + esc(s->id) + "\">" + esc(number(s->id)) + " " + esc(s->title) +
           "</a>";
  }

  std::string document_link(const std::string& doc_id) const {
    const bool known = std::any_of(p_.documents.begin(), p_.documents.end(),
                                   [&](const auto& d) { return d.id == doc_id; });
    const std::string title = esc(document_title(p_, doc_id));
    return known ? "<a href=\"#dok-" + esc(doc_id) + "\">" + title + "</a>" : title;
  }

  std::string legal_ref(const std::pair<std::string, std::string>& ref) const {
    std::string name = ref.first;
    bool known = false;
    for (const auto& source : p_.legal_basis) {
      if (source.id == ref.first) {
        name = source.short_title.empty() ? source.title : source.short_title;
        known = true;
      }
    }
    const std::string text = esc(name + (ref.second.empty() ? "" : " " + ref.second));
    return known ? "<a href=\"#lov-" + esc(ref.first) + "\">" + text + "</a>" : text;
  }

  int avvik(const std::string& step_id) const {
    const auto it = options_.avvik_per_step.find(step_id);
    return it == options_.avvik_per_step.end() ? 0 : it->second;
  }

  const ChangelogEntry* current_entry() const {
    for (const auto& entry : p_.changelog) {
      if (entry.version == p_.version.str()) return &entry;
    }
    return nullptr;
  }

  void meta(const char* label, const std::string& value_html) {
    out_ += "<div><dt>";
    out_ += label;
    out_ += "</dt><dd>" + value_html + "</dd></div>\n";
  }

  void header() {
    out_ += "<header class=\"doc\"><div class=\"page\">\n";
    out_ += "<p class=\"kicker\">Prosedyre i kvalitetssystemet</p>\n";
    out_ += "<h1>" + esc(p_.title) + "</h1>\n";
    if (!p_.purpose.empty()) out_ += "<p class=\"lead\">" + esc(p_.purpose) + "</p>\n";
    out_ += "<dl class=\"meta\">\n";
    meta("Versjon", esc(p_.version.str()));
    meta("Status", esc(capitalized(status_in_words(status_))));
    meta("Gjelder fra",
         p_.effective_from.empty() ? "Ikke fastsatt" : esc(date_in_words(p_.effective_from)));
    if (p_.approval_date.empty()) {
      meta("Godkjent", "Ikke godkjent ennå");
    } else {
      // The model keeps the approver as a user id of the host; the approving body is what
      // a reader recognises.
      std::string approved = esc(date_in_words(p_.approval_date));
      if (!p_.approver_body.empty()) approved += " av " + esc(p_.approver_body);
      meta("Godkjent", approved);
    }
    if (!p_.owner_unit.empty()) meta("Prosedyreeier", esc(unit_name(units_, p_.owner_unit)));
    if (p_.supersedes) meta("Erstatter", "Versjon " + esc(p_.supersedes->str()));
    if (!p_.review_interval.empty()) {
      meta("Gjennomgås", esc(capitalized(recurrence_in_words("R/" + p_.review_interval))));
    }
    out_ += "</dl>\n";
    if (const std::string notice = notice_for(status_); !notice.empty()) {
      out_ += "<p class=\"notice\">" + esc(notice) + "</p>\n";
    }
    out_ += "</div></header>\n";
  }

  void toc() {
    out_ += "<nav class=\"toc\" aria-labelledby=\"innholdsfortegnelse\"><div class=\"page\">\n";
    out_ += "<h2 id=\"innholdsfortegnelse\">Innhold</h2>\n<ul>\n";
    if (current_entry()) {
      out_ += "<li><a href=\"#nytt\">Nytt i versjon " + esc(p_.version.str()) + "</a></li>\n";
    }
    out_ += "<li><a href=\"#oversikt\">Oversikt: hvem gjør hva</a></li>\n";
    for (std::size_t i = 0; i < p_.phases.size(); ++i) {
      const auto& phase = p_.phases[i];
      out_ += "<li><a href=\"#fase-" + esc(phase.id) + "\">" + std::to_string(i + 1) + " " +
              esc(phase.title) + "</a>\n<ol>\n";
      for (const auto& id : phase.step_ids) {
        const Step* s = p_.find_step(id);
        if (!s) continue;
        out_ += "<li><a href=\"#trinn-" + esc(id) + "\"><span class=\"no\">" + esc(number(id)) +
                "</span>" + esc(s->title) + "</a></li>\n";
      }
      out_ += "</ol></li>\n";
    }
    out_ += meetings_toc(p_) + parties_toc(p_);
    out_ += "<li><a href=\"#rettsgrunnlag\">Rettsgrunnlag</a></li>\n";
    if (!p_.documents.empty())
      out_ += "<li><a href=\"#dokumenter\">Dokumenter og skjemaer</a></li>\n";
    if (!p_.changelog.empty()) out_ += "<li><a href=\"#endringslogg\">Endringslogg</a></li>\n";
    out_ += "</ul>\n</div></nav>\n";
  }

  void legal_basis() {
    out_ +=
        "<section aria-labelledby=\"rettsgrunnlag\">\n<h2 "
        "id=\"rettsgrunnlag\">Rettsgrunnlag</h2>\n";
    if (p_.legal_basis.empty()) {
      out_ += "<p>Prosedyren oppgir ikke rettsgrunnlag.</p>\n</section>\n";
      return;
    }
    out_ += "<dl class=\"sources\">\n";
    for (const auto& source : p_.legal_basis) {
      const std::string name = source.short_title.empty() ? source.title : source.short_title;
      out_ += "<dt id=\"lov-" + esc(source.id) + "\">";
      out_ += source.href.empty() ? esc(name)
                                  : "<a href=\"" + esc(source.href) + "\">" + esc(name) + "</a>";
      out_ += "</dt>\n<dd>";
      if (!source.title.empty() && source.title != name) out_ += esc(source.title);
      out_ += validity_html(source.validity);
      if (!source.provisions.empty()) {
        out_ += "<ul>";
        for (const auto& [ref, text] : source.provisions) {
          out_ += "<li><strong>" + esc(ref) + "</strong> " + esc(text);
          if (const auto v = source.provision_validity.find(ref);
              v != source.provision_validity.end()) {
            out_ += validity_html(v->second);
          }
          out_ += "</li>";
        }
        out_ += "</ul>";
      }
      out_ += "</dd>\n";
    }
    out_ += "</dl>\n</section>\n";
  }

  void changes_table(const ChangelogEntry& entry) {
    out_ += changelog_table(entry, [&](const std::string& step) {
      if (p_.find_step(step)) return step_link(step);
      return "<span class=\"removed\">" + esc(step) + "</span> (finnes ikke i denne versjonen)";
    });
  }

  void whats_new() {
    const ChangelogEntry* entry = current_entry();
    if (!entry) return;
    out_ += "<section aria-labelledby=\"nytt\">\n<h2 id=\"nytt\">Nytt i versjon " +
            esc(p_.version.str()) + "</h2>\n";
    if (!entry->summary.empty()) out_ += "<p>" + esc(entry->summary) + "</p>\n";
    if (!entry->changes.empty()) {
      out_ += "<p><a href=\"#" + esc(version_anchor(entry->version)) + "\">Alle " +
              std::to_string(entry->changes.size()) + " endringer i versjon " +
              esc(p_.version.str()) + ", trinn for trinn</a></p>\n";
    }
    out_ += "</section>\n";
  }

  void overview() {
    out_ +=
        "<section aria-labelledby=\"oversikt\">\n<h2 id=\"oversikt\">Oversikt: hvem gjør "
        "hva</h2>\n";
    out_ +=
        "<p>Diagrammet viser hele prosedyren. Hver vannrett bane er én enhet, og hvert trinn står "
        "i banen til enheten som har ansvaret for det. Fasene leses fra venstre mot høyre, og "
        "pilene viser hva som skjer etterpå. Der et trinn kan føre til flere trinn, har pilene "
        "bokstaver; de svarer til bokstavene under «Neste trinn» i beskrivelsen av trinnet. Et "
        "tall i et avrundet merke betyr at pilen fortsetter ved samme tall i en annen del av "
        "diagrammet. Tabellen etter diagrammet sier det samme med ord.</p>\n";
    if (!options_.avvik_per_step.empty()) {
      out_ +=
          "<p>Tallet i det røde merket på et trinn er antall avvik som er registrert på "
          "trinnet. Jo sterkere farge, desto flere avvik sammenlignet med trinnet med "
          "flest.</p>\n";
    }
    out_ += "<ul class=\"legend\">";
    if (options_.avvik_per_step.empty()) {
      out_ +=
          "<li><span class=\"swatch\"></span>Oppgave</li>"
          "<li><span class=\"swatch decision\"></span>Beslutning</li>"
          "<li><span class=\"swatch meeting\"></span>Møte</li>"
          "<li><span class=\"swatch event\"></span>Hendelse</li>";
    }
    out_ +=
        "<li><span class=\"swatch end\"></span>Sluttrinn</li>"
        "<li><span class=\"swatch start\"></span>Start</li>"
        "<li><span class=\"swatch stop\"></span>Slutt</li>"
        "<li><span class=\"letter\">a</span>Valg med betingelse</li>"
        "<li><span class=\"swatch connector\"></span>Fortsetter i en annen del</li></ul>\n";
    out_ += overview_notes(p_);

    SvgOptions svg;
    svg.max_band_width = options_.diagram_band_width;
    svg.avvik_per_step = options_.avvik_per_step;
    svg.legend = false;
    svg.id_prefix = "diagram-";
    const auto bands = render_swimlane_svg_bands(p_, units_, svg);
    for (std::size_t b = 0; b < bands.size(); ++b) {
      out_ += "<figure class=\"diagram\" id=\"diagram-del-" + std::to_string(b + 1) +
              "\" style=\"--natural-width: " + std::to_string(bands[b].width + 2) + "px\">\n";
      out_ += "<figcaption>" + esc(bands[b].caption) + "</figcaption>\n";
      out_ += bands[b].svg;
      out_ += "</figure>\n";
    }
    responsibility_table();
    out_ += "</section>\n";
  }

  // Who is responsible for what and takes part in what: the picture in words.
  void responsibility_table() {
    std::vector<std::string> unit_ids = make_grid(p_).lanes;
    for (const auto& s : p_.steps) {
      for (const auto& part : s.participants) {
        if (std::find(unit_ids.begin(), unit_ids.end(), part.unit) == unit_ids.end()) {
          unit_ids.push_back(part.unit);
        }
      }
    }
    out_ +=
        "<table>\n<caption>Ansvar per enhet</caption>\n<thead><tr><th scope=\"col\">Enhet</th>"
        "<th scope=\"col\">Ansvarlig for</th><th scope=\"col\">Deltar i</th></tr></thead>\n"
        "<tbody>\n";
    for (const auto& unit : unit_ids) {
      std::string responsible;
      std::string takes_part;
      for (const auto& s : p_.steps) {
        if (s.responsible.unit == unit) responsible += "<li>" + step_link(s.id) + "</li>";
        const bool part = std::any_of(s.participants.begin(), s.participants.end(),
                                      [&](const auto& u) { return u.unit == unit; });
        if (part) takes_part += "<li>" + step_link(s.id) + "</li>";
      }
      out_ += "<tr><th scope=\"row\">" + esc(unit_name(units_, unit)) + "</th><td>";
      out_ += responsible.empty() ? "–" : "<ul class=\"plain\">" + responsible + "</ul>";
      out_ += "</td><td>";
      out_ += takes_part.empty() ? "–" : "<ul class=\"plain\">" + takes_part + "</ul>";
      out_ += "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

  void phase(std::size_t index) {
    const auto& phase = p_.phases[index];
    out_ += "<section class=\"phase\" aria-labelledby=\"fase-" + esc(phase.id) + "\">\n";
    out_ += "<h2 id=\"fase-" + esc(phase.id) + "\">" + std::to_string(index + 1) + " " +
            esc(phase.title) + "</h2>\n";
    if (!phase.description.empty()) {
      out_ += "<p class=\"phase-intro\">" + esc(phase.description) + "</p>\n";
    }
    for (const auto& id : phase.step_ids) {
      if (const Step* s = p_.find_step(id)) step(*s);
    }
    out_ += "</section>\n";
  }

  void fact(const char* label, const std::string& value_html) {
    out_ += "<dt>";
    out_ += label;
    out_ += "</dt><dd>" + value_html + "</dd>\n";
  }

  void step(const Step& s) {
    const std::string kind_class = s.is_end ? "end" : s.kind;
    out_ += "<article class=\"step " + esc(kind_class) + "\" id=\"trinn-" + esc(s.id) + "\">\n";
    out_ += "<h3><span class=\"no\">" + esc(number(s.id)) + "</span>" + esc(s.title) + "</h3>\n";
    out_ += "<p class=\"chips\"><span class=\"chip\">" +
            esc(capitalized(step_kind_in_words(s.kind))) + "</span>";
    if (s.is_end) out_ += "<span class=\"chip\">Sluttrinn</span>";
    if (const int count = avvik(s.id); count > 0) {
      out_ += "<span class=\"chip alarm\">" + std::to_string(count) + " avvik registrert</span>";
    }
    out_ += "</p>\n";
    if (!s.description.empty()) out_ += "<p>" + esc(s.description) + "</p>\n";
    out_ += "<dl class=\"facts\">\n";
    fact("Ansvarlig enhet", "<strong>" + esc(unit_name(units_, s.responsible.unit)) + "</strong>");
    if (!s.participants.empty()) {
      std::string list = "<ul class=\"plain\">";
      for (const auto& part : s.participants) {
        list += "<li>" + esc(unit_name(units_, part.unit));
        if (!part.note.empty()) list += " <span class=\"muted\">– " + esc(part.note) + "</span>";
        list += "</li>";
      }
      fact("Deltar", list + "</ul>");
    }
    out_ += step_party_facts(p_, units_, s, links());
    if (!s.deadlines.empty()) {
      std::string list = "<ul class=\"plain\">";
      for (const auto& d : s.deadlines) {
        list += "<li><strong>" + esc(capitalized(deadline_in_words(d, p_))) + ".</strong>";
        if (!d.text.empty()) list += " " + esc(d.text);
        const std::string detail = deadline_detail_html(p_, units_, d, links());
        if (!detail.empty() && !d.text.empty() && d.text.back() != '.') list += ".";
        list += detail;
        list += "</li>";
      }
      fact(s.deadlines.size() == 1 ? "Frist" : "Frister", list + "</ul>");
    }
    out_ += step_handover_facts(p_, units_, s);
    if (!s.recurrence.empty()) fact("Gjentas", esc(capitalized(recurrence_in_words(s.recurrence))));
    const auto documents = [&](const std::vector<std::string>& ids) {
      std::string list;
      for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? ", " : "") + document_link(ids[i]);
      return list;
    };
    if (!s.inputs.empty()) fact("Inndata", documents(s.inputs));
    if (!s.outputs.empty()) fact("Utdata", documents(s.outputs));
    if (!s.legal_refs.empty()) {
      std::string list;
      for (std::size_t i = 0; i < s.legal_refs.size(); ++i) {
        list += (i ? ", " : "") + legal_ref(s.legal_refs[i]);
      }
      fact("Rettsgrunnlag", list);
    }
    if (s.parallel) {
      out_ += parallel_next_fact(s, links());
    } else if (!s.next.empty()) {
      const bool lettered = std::any_of(s.next.begin(), s.next.end(),
                                        [](const auto& n) { return !n.condition.empty(); });
      std::string list = "<ol class=\"branches\">";
      for (std::size_t k = 0; k < s.next.size(); ++k) {
        list += "<li>";
        if (lettered) list += "<span class=\"letter\">" + branch_letter(k) + "</span>";
        if (!s.next[k].condition.empty()) list += esc(s.next[k].condition) + ": ";
        list += step_link(s.next[k].step) + outcome_html(s.next[k]) + "</li>";
      }
      fact("Neste trinn", list + "</ol>");
    }
    if (s.is_end) {
      fact("Avslutning", s.end_text.empty() ? "Prosedyren slutter her." : esc(s.end_text));
    }
    out_ += "</dl>\n</article>\n";
  }

  void documents() {
    if (p_.documents.empty()) return;
    out_ +=
        "<section aria-labelledby=\"dokumenter\">\n<h2 id=\"dokumenter\">Dokumenter og "
        "skjemaer</h2>\n<table>\n<thead><tr><th scope=\"col\">Dokument</th><th scope=\"col\">"
        "Type</th><th scope=\"col\">Beskrivelse</th><th scope=\"col\">Brukes i</th></tr>"
        "</thead>\n<tbody>\n";
    for (const auto& doc : p_.documents) {
      std::string uses;
      for (const auto& s : p_.steps) {
        const bool made = std::find(s.outputs.begin(), s.outputs.end(), doc.id) != s.outputs.end();
        const bool used = std::find(s.inputs.begin(), s.inputs.end(), doc.id) != s.inputs.end();
        if (made) uses += "<li>Lages i " + step_link(s.id) + "</li>";
        if (used) uses += "<li>Brukes i " + step_link(s.id) + "</li>";
      }
      out_ += "<tr id=\"dok-" + esc(doc.id) + "\"><th scope=\"row\">" +
              esc(doc.title.empty() ? doc.id : doc.title) + "</th><td>" +
              esc(document_kind_in_words(doc.kind)) + "</td><td>" + esc(doc.description) +
              "</td><td>" + (uses.empty() ? "–" : "<ul class=\"plain\">" + uses + "</ul>") +
              "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  // Every version's entry, newest first.
  void changelog() {
    if (p_.changelog.empty()) return;
    std::vector<const ChangelogEntry*> entries;
    for (const auto& entry : p_.changelog) entries.push_back(&entry);
    std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
      const auto va = procedure::Version::parse(a->version);
      const auto vb = procedure::Version::parse(b->version);
      return va && vb ? *vb < *va : false;
    });
    out_ +=
        "<section aria-labelledby=\"endringslogg\">\n<h2 id=\"endringslogg\">Endringslogg</h2>\n";
    for (const ChangelogEntry* entry : entries) {
      out_ +=
          "<h3 id=\"" + esc(version_anchor(entry->version)) + "\">Versjon " + esc(entry->version);
      if (!entry->date.empty()) out_ += " \u2013 " + esc(date_in_words(entry->date));
      out_ += "</h3>\n";
      if (!entry->summary.empty()) out_ += "<p>" + esc(entry->summary) + "</p>\n";
      changes_table(*entry);
    }
    out_ += "</section>\n";
  }

  void footer() {
    out_ += "<footer class=\"doc\"><div class=\"page\">\n<p>" + esc(p_.title) + ", versjon " +
            esc(p_.version.str()) + " \u00b7 " + esc(capitalized(status_in_words(status_)));
    if (!p_.effective_from.empty()) {
      out_ += " \u00b7 gjelder fra " + esc(date_in_words(p_.effective_from));
    }
    if (!p_.owner_unit.empty()) {
      out_ += " \u00b7 prosedyreeier: " + esc(unit_name(units_, p_.owner_unit));
    }
    out_ +=
        ". Avvik fra prosedyren meldes i kvalitetssystemet til lederen for enheten som er "
        "ansvarlig for trinnet.</p>\n";
    if (!options_.footer_note.empty()) out_ += "<p>" + esc(options_.footer_note) + "</p>\n";
    out_ += "</div></footer>\n";
  }

  const Procedure& p_;
  const UnitRegistry& units_;
  const RenderOptions& options_;
  std::map<std::string, std::string> numbers_;
  std::string status_;
  std::string out_;
};

}  // namespace

std::string render_html_document(const Procedure& procedure, const UnitRegistry& units,
                                 const RenderOptions& options) {
  return DocumentWriter(procedure, units, options).render();
}

}  // namespace boligflyt::render

#include "archive/reports.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <pugixml.hpp>
#include <sstream>

#include "archive/arkivmelding.h"
#include "deviation/lifecycle.h"
#include "deviation/service.h"
#include "render/wording.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::archive {
namespace {

namespace json = boost::json;
using Kind = PdfBlock::Kind;

constexpr const char* kAvvikNamespace = "urn:no:boligflyt:avvik:1";

std::string name_of(const std::function<std::string(const std::string&)>& lookup,
                    const std::string& id) {
  if (id.empty()) return {};
  return lookup ? lookup(id) : id;
}

std::string status_words(const std::string& code) {
  const auto status = deviation::parse_status(code);
  return status ? std::string(deviation::status_label(*status)) : code;
}

/// "Under behandling" → "under behandling", for use inside a sentence.
std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

/// "2026-03-02T10:15:00Z" → "2. mars 2026 kl. 11.15" (Norwegian time); other text unchanged.
std::string time_in_words(const std::string& iso) {
  const auto epoch = util::parse_iso_utc(iso);
  if (!epoch) return render::date_in_words(iso);
  const auto local = util::norway_local_time(*epoch);
  std::array<char, 16> hm{};
  std::snprintf(hm.data(), hm.size(), "%02d.%02d", local.hour, local.minute);
  return render::date_in_words(local.date) + " kl. " + hm.data();
}

std::string date_or(const std::string& iso_date, const char* otherwise) {
  return iso_date.empty() ? otherwise : render::date_in_words(iso_date);
}

std::string str_at(const json::object* o, const char* key) {
  if (o == nullptr) return {};
  const auto* v = o->if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

const json::object* object_at(const json::object* o, const char* key) {
  if (o == nullptr) return nullptr;
  const auto* v = o->if_contains(key);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

/// What happened in one history entry, in Norwegian: "Status endret: registrert → mottatt".
std::string event_in_words(const store::DeviationEvent& e, const DeviationReportInput& input) {
  std::error_code ec;
  const json::value data = json::parse(e.data_json, ec);
  const json::object* root = !ec && data.is_object() ? &data.as_object() : nullptr;
  const json::object* before = object_at(root, "before");
  const json::object* after = object_at(root, "after");

  if (e.kind == "registered") {
    return "Avviket ble registrert med status " +
           lower_first(status_words(str_at(after, "status").empty() ? "registrert"
                                                                    : str_at(after, "status"))) +
           ".";
  }
  if (e.kind == "transition") {
    std::string text = "Status endret: " + lower_first(status_words(str_at(before, "status"))) +
                       " → " + lower_first(status_words(str_at(after, "status"))) + ".";
    if (!str_at(after, "cause").empty()) text += " Årsak lagt inn.";
    if (!str_at(after, "evaluation").empty()) text += " Evaluering lagt inn.";
    if (!str_at(after, "rejection_reason").empty()) {
      text += " Begrunnelse: " + str_at(after, "rejection_reason");
    }
    if (!str_at(after, "reopen_reason").empty()) {
      text += " Begrunnelse: " + str_at(after, "reopen_reason");
    }
    if (!str_at(after, "resolved_in_version").empty()) {
      text += " Løst i prosedyreversjon " + str_at(after, "resolved_in_version") + ".";
    }
    return text;
  }
  if (e.kind == "comment_added") {
    return "Kommentar nr. " + str_at(after, "comment_no") + " lagt til.";
  }
  if (e.kind == "participant_added") {
    std::vector<std::string> added;
    const auto list = [](const json::object* o) {
      std::vector<std::string> ids;
      const auto* v = o != nullptr ? o->if_contains("participants") : nullptr;
      if (v != nullptr && v->is_array()) {
        for (const auto& id : v->as_array()) {
          if (id.is_string()) ids.emplace_back(id.as_string());
        }
      }
      return ids;
    };
    const auto old_ids = list(before);
    for (const auto& id : list(after)) {
      if (std::find(old_ids.begin(), old_ids.end(), id) == old_ids.end()) {
        added.push_back(name_of(input.unit_name, id));
      }
    }
    std::string text = "Deltakende enhet lagt til:";
    for (std::size_t i = 0; i < added.size(); ++i) text += (i ? ", " : " ") + added[i];
    return text + ".";
  }
  if (e.kind == "action_added") {
    return "Tiltak nr. " + str_at(after, "action_no") +
           " lagt til (ansvarlig: " + name_of(input.unit_name, str_at(after, "owner_unit")) +
           ", frist " + render::date_in_words(str_at(after, "due_date")) +
           "): " + str_at(after, "description");
  }
  if (e.kind == "action_completed") {
    return "Tiltak nr. " + str_at(root, "action_no") + " gjennomført " +
           render::date_in_words(str_at(after, "done_date")) + ".";
  }
  if (e.kind == "draft_linked") {
    return "Koblet til utkast til prosedyreversjon " + str_at(after, "linked_draft_version") + ".";
  }
  return "Hendelse: " + e.kind;
}

std::string step_text(const DeviationReportInput& input) {
  const auto& r = *input.record;
  if (input.step_title.empty()) return r.step_id;
  return input.step_title + " (" + r.step_id + ")";
}

std::string participants_text(const DeviationReportInput& input) {
  const auto& r = *input.record;
  if (r.participants.empty()) return "Ingen";
  std::string text;
  for (std::size_t i = 0; i < r.participants.size(); ++i) {
    text += (i ? ", " : "") + name_of(input.unit_name, r.participants[i]);
  }
  return text;
}

PdfBlock heading(std::string text) {
  PdfBlock b;
  b.kind = Kind::kHeading;
  b.text = std::move(text);
  return b;
}

PdfBlock paragraph(std::string text) {
  PdfBlock b;
  b.kind = Kind::kParagraph;
  b.text = std::move(text);
  return b;
}

PdfBlock table(std::vector<std::string> header) {
  PdfBlock b;
  b.kind = Kind::kTable;
  b.header = std::move(header);
  return b;
}

void section(PdfDocument& doc, const char* title, const std::string& text) {
  if (text.empty()) return;
  doc.blocks.push_back(heading(title));
  doc.blocks.push_back(paragraph(text));
}

}  // namespace

PdfDocument deviation_report(const DeviationReportInput& input) {
  PdfDocument doc;
  if (input.record == nullptr) return doc;
  const auto& r = *input.record;
  const std::string procedure =
      input.procedure_title.empty() ? r.procedure_id : input.procedure_title;
  doc.title = "Avviksrapport " + r.id;
  doc.subtitle = "Boligflytprosedyre – " + procedure;
  doc.author = "boligflyt";
  doc.subject = "Avvik " + r.id + " fra " + procedure + ": " + r.title;
  doc.created_at = input.generated_at;

  PdfBlock fields;
  fields.kind = Kind::kFields;
  auto field = [&](const char* label, std::string value) {
    fields.rows.push_back({label, std::move(value)});
  };
  field("Avvik-ID", r.id);
  field("Tittel", r.title);
  field("Prosedyre", procedure);
  field("Prosedyreversjon", r.procedure_version);
  field("Trinn", step_text(input));
  field("Ansvarlig enhet", name_of(input.unit_name, r.responsible_unit));
  field("Meldende enhet", name_of(input.unit_name, r.reporting_unit));
  field("Meldt av", name_of(input.user_name, r.reporter));
  field("Deltakende enheter", participants_text(input));
  field("Kategori", input.category_label.empty()
                        ? deviation::label_of(deviation::categories(), r.category)
                        : input.category_label);
  field("Alvorlighetsgrad", deviation::label_of(deviation::severities(), r.severity));
  field("Status", status_words(r.status));
  field("Hendelsesdato", date_or(r.incident_date, "Ikke oppgitt"));
  field("Registrert", time_in_words(r.created_at));
  if (!r.received_at.empty()) field("Mottatt", time_in_words(r.received_at));
  if (!r.closed_at.empty()) field("Lukket", time_in_words(r.closed_at));
  field("Saksnummer", r.case_reference.empty() ? "Ikke oppgitt" : r.case_reference);
  field("Personopplysninger", r.personal_data ? "Ja" : "Nei");
  if (!r.resolved_in_version.empty()) field("Løst i prosedyreversjon", r.resolved_in_version);
  if (!r.linked_draft_version.empty()) field("Koblet utkast", "Versjon " + r.linked_draft_version);
  doc.blocks.push_back(heading("Opplysninger om avviket"));
  doc.blocks.push_back(std::move(fields));

  section(doc, "Beskrivelse", r.description);
  if (!r.cause_codes.empty()) {
    std::string causes;
    for (const auto& code : r.cause_codes) {
      if (!causes.empty()) causes += "; ";
      causes += input.cause_label ? input.cause_label(code) : code;
    }
    doc.blocks.push_back(heading("Årsakskoder"));
    doc.blocks.push_back(paragraph(causes));
  }
  section(doc, "Årsak", r.cause);
  section(doc, "Evaluering", r.evaluation);
  section(doc, "Begrunnelse for avvisning", r.rejection_reason);
  section(doc, "Begrunnelse for gjenåpning", r.reopen_reason);

  doc.blocks.push_back(heading("Korrigerende tiltak"));
  if (r.actions.empty()) {
    doc.blocks.push_back(paragraph("Ingen tiltak er registrert."));
  } else {
    auto actions = table({"Nr.", "Ansvarlig enhet", "Tiltak", "Frist", "Gjennomført"});
    for (const auto& a : r.actions) {
      actions.rows.push_back({std::to_string(a.action_no), name_of(input.unit_name, a.owner_unit),
                              a.description, date_or(a.due_date, "–"),
                              date_or(a.done_date, "Ikke gjennomført")});
    }
    doc.blocks.push_back(std::move(actions));
  }

  doc.blocks.push_back(heading("Historikk"));
  if (input.history.empty()) {
    doc.blocks.push_back(paragraph("Ingen historikk er registrert."));
  } else {
    auto history = table({"Tid", "Hvem", "Hva"});
    for (const auto& e : input.history) {
      history.rows.push_back(
          {time_in_words(e.at), name_of(input.user_name, e.actor), event_in_words(e, input)});
    }
    doc.blocks.push_back(std::move(history));
  }

  if (!r.comments.empty()) {
    doc.blocks.push_back(heading("Kommentarer"));
    auto comments = table({"Nr.", "Tid", "Hvem", "Kommentar"});
    for (const auto& c : r.comments) {
      comments.rows.push_back({std::to_string(c.comment_no), time_in_words(c.created_at),
                               name_of(input.user_name, c.author), c.text});
    }
    doc.blocks.push_back(std::move(comments));
  }

  doc.blocks.push_back(paragraph("Rapporten er laget av boligflyt " +
                                 time_in_words(input.generated_at) + " for arkivering."));
  return doc;
}

std::string deviation_xml(const DeviationReportInput& input) {
  pugi::xml_document xml;
  auto decl = xml.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = xml.append_child("avvik");
  root.append_attribute("xmlns") = kAvvikNamespace;
  if (input.record == nullptr) return {};
  const auto& r = *input.record;
  root.append_attribute("id") = r.id.c_str();
  root.append_attribute("generert") = input.generated_at.c_str();

  auto text = [](pugi::xml_node parent, const char* name, const std::string& value) {
    auto n = parent.append_child(name);
    // Free text stored before control characters were refused must still give valid XML.
    n.text().set(xml10_clean(value).c_str());
    return n;
  };
  auto coded = [&](pugi::xml_node parent, const char* name, const std::string& code,
                   const std::string& label) {
    auto n = text(parent, name, label);
    n.append_attribute("kode") = code.c_str();
    return n;
  };
  auto unit = [&](pugi::xml_node parent, const char* name, const std::string& id) {
    return coded(parent, name, id, name_of(input.unit_name, id));
  };

  text(root, "tittel", r.title);
  auto proc = text(root, "prosedyre", input.procedure_title);
  proc.append_attribute("id") = r.procedure_id.c_str();
  proc.append_attribute("versjon") = r.procedure_version.c_str();
  auto step = text(root, "trinn", input.step_title);
  step.append_attribute("id") = r.step_id.c_str();
  unit(root, "ansvarligEnhet", r.responsible_unit);
  unit(root, "meldendeEnhet", r.reporting_unit);
  coded(root, "meldtAv", r.reporter, name_of(input.user_name, r.reporter));
  auto participants = root.append_child("deltakendeEnheter");
  for (const auto& p : r.participants) unit(participants, "enhet", p);
  coded(root, "kategori", r.category,
        input.category_label.empty() ? deviation::label_of(deviation::categories(), r.category)
                                     : input.category_label);
  coded(root, "alvorlighetsgrad", r.severity,
        deviation::label_of(deviation::severities(), r.severity));
  coded(root, "status", r.status, status_words(r.status));
  text(root, "hendelsesdato", r.incident_date);
  text(root, "registrert", r.created_at);
  if (!r.received_at.empty()) text(root, "mottatt", r.received_at);
  if (!r.closed_at.empty()) text(root, "lukket", r.closed_at);
  if (!r.case_reference.empty()) text(root, "saksnummer", r.case_reference);
  text(root, "personopplysninger", r.personal_data ? "true" : "false");
  text(root, "beskrivelse", r.description);
  if (!r.cause_codes.empty()) {
    auto causes = root.append_child("aarsakskoder");
    for (const auto& code : r.cause_codes) {
      coded(causes, "aarsakskode", code, input.cause_label ? input.cause_label(code) : code);
    }
  }
  if (!r.cause.empty()) text(root, "aarsak", r.cause);
  if (!r.evaluation.empty()) text(root, "evaluering", r.evaluation);
  if (!r.rejection_reason.empty()) text(root, "avvisningsgrunn", r.rejection_reason);
  if (!r.reopen_reason.empty()) text(root, "gjenaapningsgrunn", r.reopen_reason);
  if (!r.resolved_in_version.empty()) text(root, "loestIVersjon", r.resolved_in_version);
  if (!r.linked_draft_version.empty()) text(root, "kobletUtkast", r.linked_draft_version);

  auto actions = root.append_child("tiltak");
  for (const auto& a : r.actions) {
    auto n = actions.append_child("tiltak");
    n.append_attribute("nr") = static_cast<long long>(a.action_no);
    unit(n, "ansvarligEnhet", a.owner_unit);
    text(n, "beskrivelse", a.description);
    text(n, "frist", a.due_date);
    if (!a.done_date.empty()) text(n, "gjennomfoert", a.done_date);
  }
  auto history = root.append_child("historikk");
  for (const auto& e : input.history) {
    auto n = history.append_child("hendelse");
    n.append_attribute("nr") = static_cast<long long>(e.seq);
    n.append_attribute("type") = e.kind.c_str();
    text(n, "tid", e.at);
    coded(n, "hvem", e.actor, name_of(input.user_name, e.actor));
    text(n, "hva", event_in_words(e, input));
    if (!e.hash.empty()) text(n, "sha256", e.hash);
  }
  auto comments = root.append_child("kommentarer");
  for (const auto& c : r.comments) {
    auto n = comments.append_child("kommentar");
    n.append_attribute("nr") = static_cast<long long>(c.comment_no);
    text(n, "tid", c.created_at);
    coded(n, "hvem", c.author, name_of(input.user_name, c.author));
    text(n, "tekst", c.text);
  }

  std::ostringstream out;
  xml.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

PdfDocument procedure_report(const procedure::Procedure& procedure,
                             const procedure::UnitRegistry& units,
                             const std::string& generated_at) {
  using render::capitalized;
  using render::date_in_words;
  PdfDocument doc;
  doc.title = procedure.title;
  doc.subtitle =
      "Versjon " + procedure.version.str() + " – " + render::status_in_words(procedure.status);
  doc.author = "boligflyt";
  doc.subject = procedure.title + ", versjon " + procedure.version.str();
  doc.created_at = generated_at;

  PdfBlock facts;
  facts.kind = Kind::kFields;
  auto fact = [&](const char* label, std::string value) {
    facts.rows.push_back({label, std::move(value)});
  };
  fact("Prosedyre", procedure.title + " (" + procedure.id + ")");
  fact("Versjon", procedure.version.str());
  fact("Status", capitalized(render::status_in_words(procedure.status)));
  if (!procedure.owner_unit.empty()) {
    fact("Prosedyreeier", render::unit_name(units, procedure.owner_unit));
  }
  if (!procedure.author.empty()) fact("Forfatter", procedure.author);
  fact("Godkjent av", procedure.approver.empty() ? "Ikke godkjent ennå"
                      : procedure.approver_body.empty()
                          ? procedure.approver
                          : procedure.approver + ", " + procedure.approver_body);
  fact("Godkjent dato", date_or(procedure.approval_date, "Ikke godkjent ennå"));
  fact("Gjelder fra", date_or(procedure.effective_from, "Ikke fastsatt"));
  if (procedure.supersedes) fact("Erstatter", "Versjon " + procedure.supersedes->str());
  if (!procedure.review_interval.empty()) {
    fact("Gjennomgås", capitalized(render::recurrence_in_words("R/" + procedure.review_interval)));
  }
  doc.blocks.push_back(heading("Om prosedyren"));
  doc.blocks.push_back(std::move(facts));
  section(doc, "Formål", procedure.purpose);

  if (!procedure.legal_basis.empty()) {
    doc.blocks.push_back(heading("Rettsgrunnlag"));
    auto legal = table({"Kilde", "Bestemmelse", "Innhold"});
    for (const auto& source : procedure.legal_basis) {
      const std::string name = source.short_title.empty() ? source.title : source.short_title;
      if (source.provisions.empty()) legal.rows.push_back({name, "", source.title});
      for (const auto& [ref, text] : source.provisions) legal.rows.push_back({name, ref, text});
    }
    doc.blocks.push_back(std::move(legal));
  }

  const auto numbers = render::step_numbers(procedure);
  std::size_t phase_no = 0;
  for (const auto& phase : procedure.phases) {
    ++phase_no;
    doc.blocks.push_back(heading("Fase " + std::to_string(phase_no) + ": " + phase.title));
    if (!phase.description.empty()) doc.blocks.push_back(paragraph(phase.description));
    auto steps = table({"Nr.", "Trinn", "Ansvarlig enhet", "Deltar", "Frister"});
    for (const auto& id : phase.step_ids) {
      const procedure::Step* s = procedure.find_step(id);
      if (s == nullptr) continue;
      std::string participants;
      for (const auto& p : s->participants) {
        if (!participants.empty()) participants += "\n";
        participants += render::unit_name(units, p.unit);
        if (!p.note.empty()) participants += " – " + p.note;
      }
      std::string deadlines;
      for (const auto& d : s->deadlines) {
        if (!deadlines.empty()) deadlines += "\n";
        deadlines += capitalized(render::deadline_in_words(d, procedure)) + ".";
        if (!d.text.empty()) deadlines += " " + d.text;
      }
      if (!s->recurrence.empty()) {
        if (!deadlines.empty()) deadlines += "\n";
        deadlines += "Gjentas " + render::recurrence_in_words(s->recurrence) + ".";
      }
      const auto number = numbers.find(s->id);
      std::string title = s->title;
      if (!s->description.empty()) title += "\n" + s->description;
      steps.rows.push_back({number == numbers.end() ? std::string() : number->second, title,
                            render::unit_name(units, s->responsible.unit),
                            participants.empty() ? "–" : participants,
                            deadlines.empty() ? "–" : deadlines});
    }
    doc.blocks.push_back(std::move(steps));
  }

  if (!procedure.changelog.empty()) {
    doc.blocks.push_back(heading("Endringslogg"));
    for (const auto& entry : procedure.changelog) {
      std::string line = "Versjon " + entry.version;
      if (!entry.date.empty()) line += " – " + date_in_words(entry.date);
      if (!entry.summary.empty()) line += ": " + entry.summary;
      doc.blocks.push_back(paragraph(line));
      if (!entry.changes.empty()) {
        auto changes = table({"Endring", "Trinn", "Beskrivelse"});
        for (const auto& [kind, step_id, text] : entry.changes) {
          const procedure::Step* s = procedure.find_step(step_id);
          changes.rows.push_back(
              {render::change_kind_in_words(kind), s != nullptr ? s->title : step_id, text});
        }
        doc.blocks.push_back(std::move(changes));
      }
    }
  }
  doc.blocks.push_back(paragraph("Dokumentet er laget av boligflyt " + time_in_words(generated_at) +
                                 " for arkivering."));
  return doc;
}

}  // namespace boligflyt::archive

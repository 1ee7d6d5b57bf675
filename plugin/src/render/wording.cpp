#include "render/wording.h"

#include <array>
#include <charconv>

#include "procedure/iso_duration.h"

namespace boligflyt::render {

using procedure::Deadline;
using procedure::Procedure;

std::string status_in_words(std::string_view status) {
  if (status == "draft") return "utkast";
  if (status == "consultation") return "på høring";
  if (status == "approved") return "godkjent";
  if (status == "published") return "publisert";
  if (status == "superseded") return "erstattet";
  if (status == "retired") return "trukket tilbake";
  return std::string(status);
}

std::string step_kind_in_words(std::string_view kind) {
  if (kind == "decision") return "beslutning";
  if (kind == "meeting") return "møte";
  if (kind == "event") return "hendelse";
  return "oppgave";
}

std::string date_in_words(std::string_view iso_date) {
  static constexpr std::array<const char*, 12> kMonths = {
      "januar", "februar", "mars",      "april",   "mai",      "juni",
      "juli",   "august",  "september", "oktober", "november", "desember"};
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-') {
    return std::string(iso_date);
  }
  int year = 0, month = 0, day = 0;
  const char* b = iso_date.data();
  if (std::from_chars(b, b + 4, year).ec != std::errc() ||
      std::from_chars(b + 5, b + 7, month).ec != std::errc() ||
      std::from_chars(b + 8, b + 10, day).ec != std::errc() || month < 1 || month > 12 || day < 1 ||
      day > 31) {
    return std::string(iso_date);
  }
  return std::to_string(day) + ". " + kMonths[static_cast<std::size_t>(month - 1)] + " " +
         std::to_string(year);
}

std::string duration_in_words(std::string_view iso_duration) {
  const auto d = procedure::parse_iso_duration(iso_duration);
  return d ? d->in_words() : std::string(iso_duration);
}

std::string recurrence_in_words(std::string_view iso_recurrence) {
  const auto r = procedure::parse_iso_recurrence(iso_recurrence);
  return r ? r->in_words() : std::string(iso_recurrence);
}

namespace {

std::string step_title(const Procedure& p, const std::string& id) {
  const auto* s = p.find_step(id);
  return "«" + (s ? s->title : id) + "»";
}

// What the deadline is counted from, as the rest of a sentence after the duration.
std::string anchor_phrase(const Deadline& d, const Procedure& p) {
  const bool before = d.relation == "before";
  const std::string& a = d.relative_to;
  if (a == "stepStart") return before ? "før trinnet starter" : "etter at trinnet er startet";
  if (a == "stepCompleted") {
    return (before ? "før trinnet " : "etter at trinnet ") + step_title(p, d.step) + " er fullført";
  }
  if (a == "applicationReceived") {
    return before ? "før søknaden er mottatt" : "etter at søknaden er mottatt";
  }
  if (a == "decisionReceived") {
    return before ? "før vedtaket er mottatt" : "etter at vedtaket er mottatt";
  }
  if (a == "appealReceived") return before ? "før klagen er mottatt" : "etter at klagen er mottatt";
  if (a == "leaseStart") {
    return before ? "før leieforholdet starter" : "etter at leieforholdet har startet";
  }
  if (a == "leaseEnd")
    return before ? "før leieperioden utløper" : "etter at leieperioden er utløpt";
  if (a == "bofaStart") return before ? "før BOFA starter" : "etter at BOFA har startet";
  if (a == "bofaEnd") return before ? "før BOFA utløper" : "etter at BOFA er utløpt";
  if (a == "rentDue") return before ? "før husleien forfaller" : "etter forfall av husleien";
  if (a == "eventKnown") {
    return before ? "før hendelsen er kjent" : "etter at hendelsen er kjent";
  }
  return (before ? "før «" : "etter «") + a + "»";
}

}  // namespace

std::string deadline_in_words(const Deadline& d, const Procedure& p) {
  const bool earliest = d.kind == "earliest";
  const bool before = d.relation == "before";
  const char* lead = earliest ? "tidligst " : before ? "senest " : "innen ";
  return lead + duration_in_words(d.duration) + " " + anchor_phrase(d, p);
}

std::string deadline_brief(const Deadline& d) {
  const std::string words = duration_in_words(d.duration);
  if (d.relation != "before") return (d.kind == "earliest" ? "Tidligst etter " : "Frist ") + words;
  if (d.relative_to == "leaseEnd" || d.relative_to == "bofaEnd") return words + " før utløp";
  if (d.relative_to == "leaseStart") return words + " før innflytting";
  return words + " før";
}

std::string change_kind_in_words(std::string_view kind) {
  if (kind == "added") return "Nytt trinn";
  if (kind == "removed") return "Fjernet trinn";
  if (kind == "renamed") return "Nytt navn";
  if (kind == "moved") return "Flyttet til annen fase";
  if (kind == "responsibleUnitChanged") return "Ny ansvarlig enhet";
  if (kind == "participantsChanged") return "Endrede deltakere";
  if (kind == "deadlineChanged") return "Endret frist";
  if (kind == "textChanged") return "Endret beskrivelse";
  if (kind == "flowChanged") return "Endret flyt";
  if (kind == "documentsChanged") return "Endrede dokumenter";
  if (kind == "legalBasisChanged") return "Endret rettsgrunnlag";
  return "Annen endring";
}

std::string without_final_period(std::string_view text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

std::string capitalized(std::string_view text) {
  std::string out(text);
  if (out.empty()) return out;
  if (out[0] >= 'a' && out[0] <= 'z') {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  } else if (out.size() >= 2 && static_cast<unsigned char>(out[0]) == 0xc3) {
    // æ ø å (U+00E6, U+00F8, U+00E5) → Æ Ø Å: the same lead byte, 0x20 lower trail byte.
    const auto trail = static_cast<unsigned char>(out[1]);
    if (trail == 0xa6 || trail == 0xb8 || trail == 0xa5) out[1] = static_cast<char>(trail - 0x20);
  }
  return out;
}

std::string unit_name(const procedure::UnitRegistry& units, std::string_view id) {
  const auto* unit = units.find(id);
  return unit && !unit->name.empty() ? unit->name : std::string(id);
}

std::string document_title(const Procedure& p, std::string_view id) {
  for (const auto& doc : p.documents) {
    if (doc.id == id) return doc.title.empty() ? doc.id : doc.title;
  }
  return std::string(id);
}

std::map<std::string, std::string> step_numbers(const Procedure& p) {
  std::map<std::string, std::string> numbers;
  for (std::size_t pi = 0; pi < p.phases.size(); ++pi) {
    const auto& ids = p.phases[pi].step_ids;
    for (std::size_t si = 0; si < ids.size(); ++si) {
      numbers.emplace(ids[si], std::to_string(pi + 1) + "." + std::to_string(si + 1));
    }
  }
  return numbers;
}

}  // namespace boligflyt::render

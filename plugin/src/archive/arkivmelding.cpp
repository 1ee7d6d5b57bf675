#include "archive/arkivmelding.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "core/saksnummer.h"
#include "util/sha256.h"
#include "util/utf8.h"

namespace boligflyt::archive {
namespace {

constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

const CodeValue* find_code(std::span<const CodeValue> list, std::string_view kode) {
  for (const auto& value : list) {
    if (value.kode == kode) return &value;
  }
  return nullptr;
}

Error invalid(std::string slug, std::string title, std::string detail, std::string field) {
  std::string log = "arkivmelding: " + slug + " at " + field;
  return make_error(ErrorKind::kInvalid, std::move(slug), std::move(title), std::move(detail),
                    std::move(field), std::move(log));
}

// Decodes one UTF-8 sequence at `i`; returns the code point and advances `i`, or nullopt
// (and advances by one byte) when the bytes there are not valid UTF-8.
std::optional<std::uint32_t> next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07u;
  } else {
    ++i;
    return std::nullopt;
  }
  if (i + length > text.size()) {
    ++i;
    return std::nullopt;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0u) != 0x80u) {
      ++i;
      return std::nullopt;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += length;
  return cp;
}

bool xml10_char(std::uint32_t cp) {
  if (cp < 0x20) return cp == 0x9 || cp == 0xA || cp == 0xD;
  return cp != 0xFFFE && cp != 0xFFFF;
}

std::string code_point_name(std::uint32_t cp) {
  std::array<char, 16> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), cp, 16);
  std::string hex(buffer.data(), end);
  for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  while (hex.size() < 4) hex.insert(hex.begin(), '0');
  return "U+" + hex;
}

// Checks one free text: XML 1.0 characters only, not empty when required, at most `limit`
// characters. The detail names positions, never the text (it may carry personal data).
std::optional<Error> check_text(std::string_view text, const std::string& field, std::size_t limit,
                                bool required) {
  std::size_t i = 0;
  std::size_t position = 0;
  while (i < text.size()) {
    ++position;
    const auto cp = next_code_point(text, i);
    if (!cp) {
      return invalid("invalid-utf8", "Ugyldig tegnkoding",
                     "Teksten er ikke gyldig UTF-8 (tegn nr. " + std::to_string(position) + ").",
                     field);
    }
    if (!xml10_char(*cp)) {
      return invalid("invalid-xml-character", "Ulovlig tegn i teksten",
                     "Teksten inneholder tegnet " + code_point_name(*cp) + " (tegn nr. " +
                         std::to_string(position) +
                         "), som ikke kan brukes i XML 1.0. Fjern tegnet og prøv igjen.",
                     field);
    }
  }
  if (required && text.empty()) {
    return invalid("missing-text", "Tekst mangler", "Feltet må fylles ut.", field);
  }
  if (position > limit) {
    return invalid("text-too-long", "For lang tekst",
                   "Teksten er på " + std::to_string(position) + " tegn; grensen er " +
                       std::to_string(limit) + " tegn.",
                   field);
  }
  return std::nullopt;
}

std::optional<Error> check_code(std::string_view element, std::string_view kode,
                                const std::string& field) {
  for (const auto& list : embedded_code_lists()) {
    if (list.element != element) continue;
    if (find_code(list.values, kode)) return std::nullopt;
    std::string allowed;
    for (const auto& value : list.values) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(value.kode);
    }
    return invalid(
        "invalid-archive-code", "Ukjent arkivkode",
        "Koden er ikke gyldig for " + std::string(element) + ". Tillatte verdier: " + allowed + ".",
        field);
  }
  return invalid("invalid-archive-code", "Ukjent arkivkode",
                 "Kodelisten " + std::string(element) + " er ikke kjent.", field);
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// xs:date as we write it: YYYY-MM-DD with a real month and day (no time zone).
bool valid_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!all_digits(text.substr(0, 4)) || !all_digits(text.substr(5, 2)) ||
      !all_digits(text.substr(8, 2))) {
    return false;
  }
  const int year = std::stoi(std::string(text.substr(0, 4)));
  const int month = std::stoi(std::string(text.substr(5, 2)));
  const int day = std::stoi(std::string(text.substr(8, 2)));
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  constexpr std::array<int, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[static_cast<std::size_t>(month - 1)]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day <= 28 || leap;
}

std::optional<Error> check_date(std::string_view text, const std::string& field) {
  if (text.empty() || valid_date(text)) return std::nullopt;
  return invalid("invalid-date", "Ugyldig dato", "Datoen må skrives ÅÅÅÅ-MM-DD.", field);
}

// PRONOM ids: "fmt/477", "x-fmt/111".
bool valid_pronom(std::string_view id) {
  std::string_view number;
  if (id.starts_with("fmt/")) {
    number = id.substr(4);
  } else if (id.starts_with("x-fmt/")) {
    number = id.substr(6);
  } else {
    return false;
  }
  return all_digits(number) && number.size() <= 6;
}

// A file name inside the message folder: no path, no control characters.
bool safe_file_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

// Stored numbers are canonical with four-digit years, so no clock decides how they read.
std::optional<Saksnummer> split_case_number(std::string_view text) {
  if (!is_canonical_saksnummer(text)) return std::nullopt;
  return parse_saksnummer(text, 0);
}

std::optional<Saksnummer> split_reference(std::string_view text) {
  auto n = parse_archive_number(text, 0, true).value;
  if (!n || n->canonical() != text) return std::nullopt;
  return n;
}

// --- validation of the whole message -----------------------------------------------------

std::optional<Error> check_key(const ExternalKey& key, const std::string& field) {
  if (auto e = check_text(key.fagsystem, field + ".fagsystem", kMaxShortTextLength, true)) return e;
  return check_text(key.key, field + ".key", kMaxShortTextLength, true);
}

std::optional<Error> check_skjerming(const Skjerming& skjerming, const std::string& field) {
  if (auto e = check_code("tilgangsrestriksjon", skjerming.tilgangsrestriksjon,
                          field + ".tilgangsrestriksjon")) {
    return e;
  }
  return check_text(skjerming.skjermingshjemmel, field + ".skjermingshjemmel", kMaxShortTextLength,
                    true);
}

std::optional<Error> check_case(const Saksmappe& mappe) {
  const std::string f = "new_case";
  if (auto e = check_key(mappe.key, f + ".key")) return e;
  if (auto e = check_text(mappe.tittel, f + ".tittel", kMaxTitleLength, true)) return e;
  if (auto e =
          check_text(mappe.offentlig_tittel, f + ".offentlig_tittel", kMaxTitleLength, false)) {
    return e;
  }
  if (auto e = check_text(mappe.administrativ_enhet, f + ".administrativ_enhet",
                          kMaxShortTextLength, false)) {
    return e;
  }
  if (auto e = check_text(mappe.saksansvarlig, f + ".saksansvarlig", kMaxShortTextLength, false)) {
    return e;
  }
  if (auto e = check_date(mappe.saksdato, f + ".saksdato")) return e;
  if (mappe.klassifikasjon) {
    const auto& k = *mappe.klassifikasjon;
    if (auto e = check_text(k.klassifikasjonssystem, f + ".klassifikasjon.klassifikasjonssystem",
                            kMaxShortTextLength, false)) {
      return e;
    }
    if (auto e =
            check_text(k.klasse_id, f + ".klassifikasjon.klasse_id", kMaxShortTextLength, true)) {
      return e;
    }
    if (auto e = check_text(k.tittel, f + ".klassifikasjon.tittel", kMaxTitleLength, false)) {
      return e;
    }
  }
  if (mappe.skjerming) return check_skjerming(*mappe.skjerming, f + ".skjerming");
  return std::nullopt;
}

std::optional<Error> check_variant(const DocumentVariant& variant, const std::string& f,
                                   std::set<std::string>& names) {
  if (auto e = check_code("variantformat", variant.variantformat, f + ".variantformat")) return e;
  if (auto e = check_text(variant.file.name, f + ".file.name", kMaxShortTextLength, true)) return e;
  if (!safe_file_name(variant.file.name)) {
    return invalid("invalid-file-name", "Ugyldig filnavn",
                   "Filnavnet kan ikke inneholde mappeskille eller kontrolltegn.",
                   f + ".file.name");
  }
  if (variant.file.name == "arkivmelding.xml" || !names.insert(variant.file.name).second) {
    return invalid("duplicate-file-name", "Filnavnet er brukt før",
                   "Hver fil i en arkivmelding må ha sitt eget filnavn.", f + ".file.name");
  }
  if (!valid_pronom(variant.file.pronom)) {
    return invalid("invalid-file-format", "Ukjent filformat",
                   "Formatet må være en PRONOM-id, for eksempel fmt/477.", f + ".file.pronom");
  }
  if (auto e = check_text(variant.file.mime, f + ".file.mime", kMaxShortTextLength, false))
    return e;
  // filstoerrelse is xs:int.
  if (variant.file.bytes.size() >
      static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return invalid("file-too-large", "Filen er for stor",
                   "Arkivmeldingen kan ikke beskrive filer større enn 2 GiB.", f + ".file.bytes");
  }
  return std::nullopt;
}

std::optional<Error> check_journalpost(const Journalpost& jp) {
  const std::string f = "journalpost";
  if (auto e = check_key(jp.key, f + ".key")) return e;
  if (auto e = check_text(jp.tittel, f + ".tittel", kMaxTitleLength, true)) return e;
  if (auto e = check_text(jp.offentlig_tittel, f + ".offentlig_tittel", kMaxTitleLength, false)) {
    return e;
  }
  if (auto e = check_code("journalposttype", jp.journalposttype, f + ".journalposttype")) return e;
  if (auto e = check_code("journalstatus", jp.journalstatus, f + ".journalstatus")) return e;
  if (auto e = check_date(jp.dokumentdato, f + ".dokumentdato")) return e;
  if (auto e = check_text(jp.administrativ_enhet, f + ".administrativ_enhet", kMaxShortTextLength,
                          false)) {
    return e;
  }
  if (auto e = check_text(jp.saksbehandler, f + ".saksbehandler", kMaxShortTextLength, false)) {
    return e;
  }
  if (jp.skjerming) {
    if (auto e = check_skjerming(*jp.skjerming, f + ".skjerming")) return e;
  }
  for (std::size_t i = 0; i < jp.references.size(); ++i) {
    if (!split_reference(jp.references[i])) {
      return invalid("invalid-reference", "Ugyldig journalpostreferanse",
                     "Referansen må skrives ÅÅÅÅ/N eller ÅÅÅÅ/N-D, for eksempel 2026/4185-3.",
                     f + ".references[" + std::to_string(i) + "]");
    }
  }
  if (jp.documents.empty()) {
    return invalid("missing-documents", "Dokument mangler",
                   "En journalpost må ha minst ett dokument.", f + ".documents");
  }
  std::set<std::string> names;
  for (std::size_t d = 0; d < jp.documents.size(); ++d) {
    const auto& doc = jp.documents[d];
    const std::string df = f + ".documents[" + std::to_string(d) + "]";
    if (auto e = check_key(doc.key, df + ".key")) return e;
    if (auto e = check_text(doc.title, df + ".title", kMaxTitleLength, true)) return e;
    if (auto e = check_code("dokumentstatus", doc.dokumentstatus, df + ".dokumentstatus")) return e;
    if (!doc.dokumenttype.empty()) {
      if (auto e = check_code("dokumenttype", doc.dokumenttype, df + ".dokumenttype")) return e;
    }
    if (auto e =
            check_code("tilknyttetRegistreringSom", doc.tilknyttet_som, df + ".tilknyttet_som")) {
      return e;
    }
    if (doc.skjerming) {
      if (auto e = check_skjerming(*doc.skjerming, df + ".skjerming")) return e;
    }
    if (doc.dokumentnummer < 1) {
      return invalid("invalid-document-number", "Ugyldig dokumentnummer",
                     "Dokumentnummeret må være 1 eller høyere.", df + ".dokumentnummer");
    }
    if (doc.variants.empty()) {
      return invalid("missing-variants", "Fil mangler",
                     "Hvert dokument må ha minst én fil (variant).", df + ".variants");
    }
    for (std::size_t v = 0; v < doc.variants.size(); ++v) {
      if (auto e =
              check_variant(doc.variants[v], df + ".variants[" + std::to_string(v) + "]", names)) {
        return e;
      }
    }
  }
  return std::nullopt;
}

std::optional<Error> check_message(const ArchiveMessage& m) {
  if (auto e = check_text(m.system, "system", kMaxShortTextLength, true)) return e;
  if (m.new_case.has_value() == m.existing_case_number.has_value()) {
    return invalid("invalid-case-target", "Saksmappe mangler eller er tvetydig",
                   "Oppgi enten en ny saksmappe eller et eksisterende saksnummer, ikke begge.",
                   m.new_case ? "existing_case_number" : "new_case");
  }
  if (m.existing_case_number && !valid_case_number(*m.existing_case_number)) {
    return invalid("invalid-case-number", "Ugyldig saksnummer",
                   "Saksnummeret må skrives ÅÅÅÅ/N uten innledende nuller, for eksempel 2026/4185.",
                   "existing_case_number");
  }
  if (m.new_case) {
    if (auto e = check_case(*m.new_case)) return e;
  }
  return check_journalpost(m.journalpost);
}

// --- writing ------------------------------------------------------------------------------
// metadatakatalog.xsd is elementFormDefault="qualified": the children of its types (kode,
// fagsystem, saksnummer, navn, ...) are in its namespace, written with the prefix "mdk".

void text_child(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(std::string(value).c_str());
}

void optional_text_child(pugi::xml_node parent, const char* name, std::string_view value) {
  if (!value.empty()) text_child(parent, name, value);
}

void code_child(pugi::xml_node parent, const char* name, std::string_view element,
                std::string_view kode) {
  auto node = parent.append_child(name);
  text_child(node, "mdk:kode", kode);
  for (const auto& list : embedded_code_lists()) {
    if (list.element != element) continue;
    if (const auto* value = find_code(list.values, kode); value && !value->beskrivelse.empty()) {
      text_child(node, "mdk:beskrivelse", value->beskrivelse);
    }
  }
}

void key_child(pugi::xml_node parent, const char* name, const ExternalKey& key) {
  auto node = parent.append_child(name);
  text_child(node, "mdk:fagsystem", key.fagsystem);
  text_child(node, "mdk:noekkel", key.key);
}

void skjerming_child(pugi::xml_node parent, const Skjerming& skjerming) {
  auto node = parent.append_child("skjerming");
  code_child(node, "tilgangsrestriksjon", "tilgangsrestriksjon", skjerming.tilgangsrestriksjon);
  text_child(node, "skjermingshjemmel", skjerming.skjermingshjemmel);
}

void identifikator_child(pugi::xml_node parent, const char* name, std::string_view navn) {
  if (navn.empty()) return;
  text_child(parent.append_child(name), "mdk:navn", navn);
}

void write_mappe(pugi::xml_node root, const Saksmappe& mappe) {
  auto node = root.append_child("mappe");
  node.append_attribute("xsi:type").set_value("saksmappe");
  text_child(node, "tittel", mappe.tittel);
  optional_text_child(node, "offentligTittel", mappe.offentlig_tittel);
  if (mappe.skjerming) skjerming_child(node, *mappe.skjerming);
  if (mappe.klassifikasjon) {
    auto k = node.append_child("klassifikasjon");
    optional_text_child(k, "klassifikasjonssystemID", mappe.klassifikasjon->klassifikasjonssystem);
    text_child(k, "klasseID", mappe.klassifikasjon->klasse_id);
    optional_text_child(k, "tittel", mappe.klassifikasjon->tittel);
  }
  key_child(node, "referanseEksternNoekkel", mappe.key);
  // saksmappe's own elements follow mappe's.
  optional_text_child(node, "saksdato", mappe.saksdato);
  identifikator_child(node, "administrativEnhet", mappe.administrativ_enhet);
  identifikator_child(node, "saksansvarlig", mappe.saksansvarlig);
}

void write_document(pugi::xml_node registrering, const Document& doc,
                    const std::optional<Skjerming>& skjerming) {
  auto node = registrering.append_child("dokumentbeskrivelse");
  if (!doc.dokumenttype.empty()) {
    code_child(node, "dokumenttype", "dokumenttype", doc.dokumenttype);
  }
  code_child(node, "dokumentstatus", "dokumentstatus", doc.dokumentstatus);
  text_child(node, "tittel", doc.title);
  code_child(node, "tilknyttetRegistreringSom", "tilknyttetRegistreringSom", doc.tilknyttet_som);
  text_child(node, "dokumentnummer", std::to_string(doc.dokumentnummer));
  if (skjerming) {
    skjerming_child(node, *skjerming);
  } else if (doc.skjerming) {
    skjerming_child(node, *doc.skjerming);
  }
  for (const auto& variant : doc.variants) {
    auto object = node.append_child("dokumentobjekt");
    text_child(object, "versjonsnummer", "1");
    code_child(object, "variantformat", "variantformat", variant.variantformat);
    auto format = object.append_child("format");
    text_child(format, "mdk:kode", variant.file.pronom);
    optional_text_child(object, "mimeType", variant.file.mime);
    text_child(object, "filnavn", variant.file.name);
    text_child(object, "referanseDokumentfil", variant.file.name);
    text_child(object, "sjekksum", util::sha256_hex(variant.file.bytes));
    text_child(object, "sjekksumAlgoritme", "SHA256");
    text_child(object, "filstoerrelse", std::to_string(variant.file.bytes.size()));
  }
  key_child(node, "referanseEksternNoekkel", doc.key);
}

void write_journalpost(pugi::xml_node root, const ArchiveMessage& m) {
  const auto& jp = m.journalpost;
  auto node = root.append_child("registrering");
  node.append_attribute("xsi:type").set_value("journalpost");
  auto parent = node.append_child("referanseForelderMappe");
  if (m.new_case) {
    key_child(parent, "mdk:referanseEksternNoekkel", m.new_case->key);
  } else {
    const auto number = split_case_number(*m.existing_case_number);
    auto saksnummer = parent.append_child("mdk:saksnummer");
    text_child(saksnummer, "mdk:saksaar", std::to_string(number->year));
    text_child(saksnummer, "mdk:sakssekvensnummer", std::to_string(number->sequence));
  }
  if (jp.skjerming) skjerming_child(node, *jp.skjerming);
  for (const auto& doc : jp.documents) write_document(node, doc, jp.skjerming);
  text_child(node, "tittel", jp.tittel);
  optional_text_child(node, "offentligTittel", jp.offentlig_tittel);
  for (const auto& reference : jp.references) {
    const auto n = split_reference(reference);
    auto target = node.append_child("kryssreferanse").append_child("referanseTilRegistrering");
    if (n->document == 0) {
      auto number = target.append_child("mdk:journalnummer");
      text_child(number, "mdk:journalaar", std::to_string(n->year));
      text_child(number, "mdk:journalsekvensnummer", std::to_string(n->sequence));
    } else {
      auto number = target.append_child("mdk:saksJournalpostnummer");
      text_child(number, "mdk:saksaar", std::to_string(n->year));
      text_child(number, "mdk:sakssekvensnummer", std::to_string(n->sequence));
      text_child(number, "mdk:journalpostnummer", std::to_string(n->document));
    }
  }
  if (!jp.administrativ_enhet.empty() || !jp.saksbehandler.empty()) {
    auto part = node.append_child("korrespondansepart");
    code_child(part, "korrespondanseparttype", "korrespondanseparttype", "IA");
    text_child(part, "korrespondansepartNavn",
               jp.saksbehandler.empty() ? jp.administrativ_enhet : jp.saksbehandler);
    identifikator_child(part, "administrativEnhet", jp.administrativ_enhet);
    identifikator_child(part, "saksbehandler", jp.saksbehandler);
  }
  key_child(node, "referanseEksternNoekkel", jp.key);
  // journalpost's own elements follow registrering's.
  code_child(node, "journalposttype", "journalposttype", jp.journalposttype);
  code_child(node, "journalstatus", "journalstatus", jp.journalstatus);
  optional_text_child(node, "dokumentetsDato", jp.dokumentdato);
}

}  // namespace

std::optional<Protocol> parse_protocol(std::string_view text) {
  if (text == "v1") return Protocol::kV1;
  if (text == "v2") return Protocol::kV2;
  return std::nullopt;
}

std::string_view protocol_name(Protocol protocol) {
  return protocol == Protocol::kV1 ? "v1" : "v2";
}

std::string_view arkivmelding_namespace(Protocol protocol) {
  return protocol == Protocol::kV1 ? "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/"
                                     "arkivmelding/opprett/v1"
                                   : "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/"
                                     "arkivmelding/opprett/v2";
}

std::string_view metadatakatalog_namespace(Protocol protocol) {
  return protocol == Protocol::kV1
             ? "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
             : "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v2";
}

bool valid_case_number(std::string_view text) { return is_canonical_saksnummer(text); }

std::string xml10_clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const auto cp = next_code_point(text, i);
    if (cp && xml10_char(*cp)) out.append(text.substr(start, i - start));
  }
  return out;
}

Result<std::string> build_arkivmelding(const ArchiveMessage& message) {
  if (auto e = check_message(message)) return std::move(*e);

  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");
  auto root = doc.append_child("arkivmelding");
  root.append_attribute("xmlns").set_value(
      std::string(arkivmelding_namespace(message.protocol)).c_str());
  root.append_attribute("xmlns:mdk")
      .set_value(std::string(metadatakatalog_namespace(message.protocol)).c_str());
  root.append_attribute("xmlns:xsi").set_value(std::string(kXsiNamespace).c_str());

  std::size_t files = 0;
  for (const auto& d : message.journalpost.documents) files += d.variants.size();

  text_child(root, "system", message.system);
  text_child(root, "antallFiler", std::to_string(files));
  if (message.new_case) write_mappe(root, *message.new_case);
  write_journalpost(root, message);

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace boligflyt::archive

#pragma once
// KS Fiks Arkiv arkivmelding (opprett) messages, V1 (released) and V2 (work in progress
// upstream), and the receipts the archive answers with. Pure functions: no I/O. The model
// holds only what boligflyt sends; the builder writes it in the schema's element order and
// checks code values against the KS code lists (the XSDs do not enforce them).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ports/archive_transport.h"

namespace boligflyt::archive {

enum class Protocol { kV1, kV2 };

/// "v1" | "v2" → Protocol; nullopt otherwise.
std::optional<Protocol> parse_protocol(std::string_view text);
std::string_view protocol_name(Protocol protocol);  // "v1" | "v2"
/// The arkivmelding (opprett) namespace, e.g.
/// "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1".
std::string_view arkivmelding_namespace(Protocol protocol);
/// The metadatakatalog namespace of the same version (prefix "mdk" in what we write): the
/// children of its types (kode, fagsystem/noekkel, saksnummer, navn) live there.
std::string_view metadatakatalog_namespace(Protocol protocol);

/// referanseEksternNoekkel: fagsystem + a stable key, so a re-delivery is the same record.
struct ExternalKey {
  std::string fagsystem;  // "boligflyt"
  std::string key;        // e.g. "AVVIK-2026-0001/journalpost/3"
};

/// A file of the message, written beside arkivmelding.xml under `name`.
using ArchiveFile = ports::ArchiveFile;

/// skjerming for avvik that involve personal data. Written on the mappe, or on the journalpost
/// and every one of its dokumentbeskrivelser. tilgangsrestriksjon is checked against the
/// embedded codes; KS publishes no list for it (each archive defines its own, "13" is the
/// usual code for offl. § 13), so it is written without beskrivelse. skjerming_metadata is not
/// written: the opprett schema's `skjerming` has no skjermingMetadata element (V1 and V2).
struct Skjerming {
  std::string tilgangsrestriksjon = "13";
  std::string skjermingshjemmel = "Offl. § 13 jf. fvl. § 13";
  std::vector<std::string> skjerming_metadata = {"tittel", "korrespondansepart"};  // codes
};

/// One dokumentobjekt: a variant of a document. sjekksum (SHA-256 hex of `file.bytes`) and
/// filstoerrelse are computed by the builder from the bytes themselves.
struct DocumentVariant {
  std::string variantformat = "A";  // KS code list: A = arkivformat, P = produksjonsformat
  ArchiveFile file;
};

struct Document {
  ExternalKey key;
  std::string title;                 // tittel
  std::string dokumentstatus = "F";  // F = ferdigstilt
  std::string dokumenttype = "";     // optional code
  std::string tilknyttet_som = "H";  // tilknyttetRegistreringSom: H hoveddokument, V vedlegg
  int dokumentnummer = 1;
  std::vector<DocumentVariant> variants;  // the PDF/A first, then the XML original
  /// Screening of this document alone (an attached file), written when the journalpost has
  /// none of its own; the journalpost's covers every document.
  std::optional<Skjerming> skjerming;
};

struct Klassifikasjon {
  std::string klassifikasjonssystem;  // e.g. "ORD" or "FE" (arkivplan); from configuration
  std::string klasse_id;              // e.g. "614"
  std::string tittel;                 // optional
};

/// The journalpost's administrativ_enhet and saksbehandler are written as a korrespondansepart
/// of type IA (intern avsender): the journalpost type of the schema has no fields of its own for
/// them. dokumentdato → dokumentetsDato.
struct Journalpost {
  ExternalKey key;
  std::string tittel;
  std::string offentlig_tittel;  // never carries personal data
  // KS code list: N = organinternt dokument for oppfølging, X = organinternt dokument uten
  // oppfølging.
  std::string journalposttype = "N";
  std::string journalstatus = "J";  // J = journalført (KS code list)
  std::string dokumentdato;         // YYYY-MM-DD
  std::string administrativ_enhet;  // unit name (or id) responsible
  std::string saksbehandler;        // leader's name
  std::optional<Skjerming> skjerming;
  std::vector<Document> documents;
  /// Other registreringer in the archive this one refers to, canonical "YYYY/N" (journalnummer:
  /// journalår/journalsekvensnummer) or "YYYY/N-D" (saksJournalpostnummer): each a
  /// kryssreferanse/referanseTilRegistrering.
  std::vector<std::string> references;
};

struct Saksmappe {
  ExternalKey key;
  std::string tittel;
  std::string offentlig_tittel;
  std::string administrativ_enhet;
  std::string saksansvarlig;
  std::string saksdato;  // YYYY-MM-DD
  std::optional<Klassifikasjon> klassifikasjon;
  std::optional<Skjerming> skjerming;
};

/// One arkivmelding: a journalpost either in a new saksmappe of our own (`new_case`) or in
/// the existing saksmappe named by `existing_case_number` ("2026/4185" →
/// referanseForelderMappe/saksnummer). Exactly one of the two is set.
struct ArchiveMessage {
  Protocol protocol = Protocol::kV1;
  std::string system = "boligflyt";  // arkivmelding/system
  std::optional<Saksmappe> new_case;
  std::optional<std::string> existing_case_number;
  Journalpost journalpost;
};

/// The arkivmelding.xml bytes (UTF-8, XML declaration). The schema puts `mappe` and
/// `registrering` side by side under `arkivmelding`; for a new case the registrering points to
/// the mappe with referanseForelderMappe/referanseEksternNoekkel (the mappe's key). Each
/// variant's file is both filnavn and referanseDokumentfil; file names must be unique in a
/// message. Titles are limited to kMaxTitleLength characters, other texts to
/// kMaxShortTextLength. Errors (kInvalid, Norwegian text,
/// `field` names the offending part): a code outside the KS code list, text with characters
/// XML 1.0 cannot carry, an over-long text, a saksnummer not of the canonical form YYYY/N (or a
/// reference not YYYY/N[-D]), neither or both of new_case / existing_case_number, a document
/// without variants.
Result<std::string> build_arkivmelding(const ArchiveMessage& message);

/// No limit in the Fiks Arkiv metadatakatalog (tittel is xs:string, minLength 1); chosen so a
/// title stays readable in an archive's journal lists while no real title is refused.
inline constexpr std::size_t kMaxTitleLength = 1000;  // characters (code points)
/// Names, keys, file names, skjermingshjemmel, klasse: short texts in every archive we know.
inline constexpr std::size_t kMaxShortTextLength = 255;  // characters (code points)

/// A code value with KS's description, as written in `kode` + `beskrivelse`.
struct CodeValue {
  std::string_view kode;
  std::string_view beskrivelse;  // empty when KS publishes no list (tilgangsrestriksjon)
};
/// The codes the builder accepts for one code list. `ks_list` is the KS code list name
/// ("journalposttype" → kodelister/no.ks.fiks.arkiv.v1.kodelister.journalposttype.json), or
/// empty when KS publishes no list for it.
struct EmbeddedCodeList {
  std::string_view element;  // the XML element, e.g. "journalposttype"
  std::string_view ks_list;
  std::span<const CodeValue> values;
};
/// Every embedded code list (the product cannot read the KS files at run time; a test proves
/// each value exists in the KS list with the same description).
std::span<const EmbeddedCodeList> embedded_code_lists();

/// True when `text` is a stored (canonical) saksnummer by the one rule (core/saksnummer.h).
bool valid_case_number(std::string_view text);

/// Drops characters XML 1.0 cannot carry (C0 controls except TAB, LF, CR; U+FFFE/U+FFFF;
/// unpaired surrogates cannot occur in valid UTF-8), and bytes that are not valid UTF-8. Used
/// to clean free text before building: build_arkivmelding refuses such text instead.
std::string xml10_clean(std::string_view text);

// Receipts ------------------------------------------------------------------------------

/// What the archive answered for one message.
struct Receipt {
  enum class Kind { kKvittering, kFeilmelding } kind = Kind::kKvittering;
  Protocol protocol = Protocol::kV1;
  // kvittering (arkivmelding.opprett.kvittering): the registrering's (or mappe's) key and
  // what the archive assigned.
  ExternalKey key;
  std::string system_id;           // the registrering's systemID
  std::string case_number;         // saksnummer "YYYY/N" of the mappe, if reported
  std::string journalpost_number;  // "YYYY/N" (journalaar/journalsekvensnummer), if reported
  // feilmelding (ugyldigforespoersel | serverfeil | ikkefunnet): the archive's reason.
  std::string error_type;      // "ugyldigforespoersel" | "serverfeil" | "ikkefunnet"
  std::string error_message;   // feilmelding text
  std::string correlation_id;  // korrelasjonsid, if any: the XML has none (it travels in the
                               // Fiks IO headers), so parse_receipt leaves it empty
  std::string error_id;        // feilId of a feilmelding (the archive's reference)
};

/// Parses a receipt XML: an arkivmeldingKvittering (V1/V2) or a feilmelding
/// (ugyldigforespoersel | serverfeil | ikkefunnet). A kvittering with mappeFeilet or
/// registreringFeilet is returned as kFeilmelding with error_type "mappeFeilet" /
/// "registreringFeilet" (and what the archive did create, e.g. case_number). When `schemas_dir` is
/// set (the folder holding the official fiks-arkiv-v1/ and fiks-arkiv-v2/ folders), the document is
/// validated against the XSD of its root element's namespace first; a document that does not
/// validate, an unknown root, or a kvittering without an external key is kInvalid with a Norwegian
/// message. Compiled schemas are cached per file and shared between threads. The V2 ikkefunnet XSD
/// does not compile as published (it imports a V1 namespace); validating against it is kInternal.
Result<Receipt> parse_receipt(std::string_view xml, const std::optional<std::string>& schemas_dir);

}  // namespace boligflyt::archive

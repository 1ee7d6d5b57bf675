// arkivmelding (opprett) V1 and V2: every message built here is validated against the official
// KS Fiks Arkiv XSD (read from BOLIGFLYT_OFFICIAL_SCHEMAS, never copied), and every embedded
// code is checked against the official KS code lists.
#include "archive/arkivmelding.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <pugixml.hpp>
#include <sstream>

#include "support/official_schemas.h"
#include "util/sha256.h"

namespace boligflyt::archive {
namespace {

const std::string kSchemas = test_support::official_schemas_dir();

std::string version_dir(Protocol p) {
  return kSchemas + "/fiks-arkiv-" + std::string(protocol_name(p));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Validates `xml` against an XSD with libxml2, independently of the product's code. Returns
// the errors, one per line; empty when valid.
std::string xsd_errors(const std::string& xml, const std::string& xsd_path) {
  static std::mutex mutex;
  static std::map<std::string, xmlSchemaPtr> schemas;
  xmlSchemaPtr schema = nullptr;
  {
    const std::lock_guard lock(mutex);
    auto& cached = schemas[xsd_path];
    if (!cached) {
      xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd_path.c_str());
      cached = xmlSchemaParse(parser);
      xmlSchemaFreeParserCtxt(parser);
    }
    schema = cached;
  }
  if (!schema) return "schema does not compile: " + xsd_path;
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "arkivmelding.xml",
                                nullptr, XML_PARSE_NONET);
  if (!doc) return "not well-formed";
  std::string errors;
  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(
      context,
      [](void* user, xmlErrorPtr error) {
        auto* out = static_cast<std::string*>(user);
        *out +=
            "line " + std::to_string(error->line) + ": " + (error->message ? error->message : "");
      },
      &errors);
  const int rc = xmlSchemaValidateDoc(context, doc);
  xmlSchemaFreeValidCtxt(context);
  xmlFreeDoc(doc);
  if (rc != 0 && errors.empty()) errors = "invalid (rc " + std::to_string(rc) + ")";
  return errors;
}

std::string opprett_xsd(Protocol p) {
  const std::string v(protocol_name(p));
  return version_dir(p) + "/no.ks.fiks.arkiv." + v + ".arkivering.arkivmelding.opprett.xsd";
}

ArchiveFile file(std::string name, std::string bytes, std::string pronom, std::string mime) {
  return {std::move(name), std::move(bytes), std::move(pronom), std::move(mime)};
}

// An avvik with a report (PDF/A + XML original) and an attachment, in a new saksmappe.
ArchiveMessage sample(Protocol protocol) {
  ArchiveMessage m;
  m.protocol = protocol;
  Saksmappe mappe;
  mappe.key = {"boligflyt", "AVVIK-2026-0001/saksmappe"};
  mappe.tittel = "Avvik AVVIK-2026-0001 – brann i fellesareal";
  mappe.offentlig_tittel = "Avvik AVVIK-2026-0001";
  mappe.administrativ_enhet = "Boligtjenesten";
  mappe.saksansvarlig = "Kari Nordmann";
  mappe.saksdato = "2026-04-20";
  mappe.klassifikasjon = Klassifikasjon{"ORD", "614", "Boligforvaltning"};
  m.new_case = mappe;

  Journalpost& jp = m.journalpost;
  jp.key = {"boligflyt", "AVVIK-2026-0001/journalpost/1"};
  jp.tittel = "Avviksrapport AVVIK-2026-0001";
  jp.offentlig_tittel = "Avviksrapport";
  jp.dokumentdato = "2026-04-20";
  jp.administrativ_enhet = "Boligtjenesten";
  jp.saksbehandler = "Kari Nordmann";

  Document report;
  report.key = {"boligflyt", "AVVIK-2026-0001/journalpost/1/dokument/1"};
  report.title = "Avviksrapport";
  report.dokumenttype = "RAPPORT";
  report.variants = {
      {"A", file("avvik-rapport.pdf", std::string("%PDF-1.7\n\0\xff binary", 19), "fmt/477",
                 "application/pdf")},
      {"P",
       file("avvik-rapport.xml", "<avvik id=\"AVVIK-2026-0001\"/>", "fmt/101", "application/xml")},
  };
  Document attachment;
  attachment.key = {"boligflyt", "AVVIK-2026-0001/journalpost/1/dokument/2"};
  attachment.title = "Hendelseslogg";
  attachment.tilknyttet_som = "V";
  attachment.dokumentnummer = 2;
  attachment.variants = {{"A", file("hendelseslogg.txt", "abc", "x-fmt/111", "text/plain")}};
  jp.documents = {report, attachment};
  return m;
}

ArchiveMessage existing_case_sample(Protocol protocol) {
  auto m = sample(protocol);
  m.new_case.reset();
  m.existing_case_number = "2026/4185";
  return m;
}

Skjerming skjerming() { return Skjerming{}; }

std::string build_ok(const ArchiveMessage& m) {
  auto xml = build_arkivmelding(m);
  EXPECT_TRUE(xml.ok()) << (xml.ok() ? "" : xml.error().slug + " " + xml.error().field);
  return xml.ok() ? *xml : std::string();
}

pugi::xml_document parse(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return doc;
}

std::string text_at(const pugi::xml_node& node, const char* xpath) {
  return node.select_node(xpath).node().text().get();
}

// --- valid messages --------------------------------------------------------------------

class ArkivmeldingProtocols : public ::testing::TestWithParam<Protocol> {};

TEST_P(ArkivmeldingProtocols, NewCaseValidatesAgainstOfficialXsd) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto xml = build_ok(sample(GetParam()));
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(GetParam())), "") << xml;
}

TEST_P(ArkivmeldingProtocols, NewCaseWithSkjermingValidates) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  auto m = sample(GetParam());
  m.new_case->skjerming = skjerming();
  m.journalpost.skjerming = skjerming();
  const auto xml = build_ok(m);
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(GetParam())), "") << xml;
}

TEST_P(ArkivmeldingProtocols, ExistingCaseValidatesAgainstOfficialXsd) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  auto m = existing_case_sample(GetParam());
  m.journalpost.skjerming = skjerming();
  const auto xml = build_ok(m);
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(GetParam())), "") << xml;
}

TEST_P(ArkivmeldingProtocols, MinimalMessageValidates) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  // Only what is required: no optional texts, dates, klassifikasjon or korrespondansepart.
  ArchiveMessage m;
  m.protocol = GetParam();
  m.existing_case_number = "2026/1";
  m.journalpost.key = {"boligflyt", "k"};
  m.journalpost.tittel = "T";
  Document d;
  d.key = {"boligflyt", "k/d"};
  d.title = "D";
  d.variants = {{"A", file("a.pdf", "", "fmt/477", "")}};
  m.journalpost.documents = {d};
  const auto xml = build_ok(m);
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(GetParam())), "") << xml;
}

// The validation helper is not vacuous: the same message with two elements swapped, with a
// child in the wrong namespace, or in the other version's namespace, fails.
TEST_P(ArkivmeldingProtocols, XsdHelperRejectsBrokenMessages) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto p = GetParam();
  const auto xml = build_ok(sample(p));
  auto swapped = xml;
  const auto a = swapped.find("<system>");
  const auto b = swapped.find("<antallFiler>");
  const auto b_end = swapped.find("</antallFiler>") + std::string("</antallFiler>").size();
  const std::string files = swapped.substr(b, b_end - b);
  swapped.erase(b, b_end - b);
  swapped.insert(a, files);
  EXPECT_NE(xsd_errors(swapped, opprett_xsd(p)), "");
  auto unqualified = xml;
  unqualified.replace(unqualified.find("<mdk:fagsystem>"), 15, "<fagsystem>");
  unqualified.replace(unqualified.find("</mdk:fagsystem>"), 16, "</fagsystem>");
  EXPECT_NE(xsd_errors(unqualified, opprett_xsd(p)), "");
  EXPECT_NE(xsd_errors(xml, opprett_xsd(p == Protocol::kV1 ? Protocol::kV2 : Protocol::kV1)), "");
}

TEST_P(ArkivmeldingProtocols, NamespacesAndStructure) {
  const auto p = GetParam();
  const auto xml = build_ok(sample(p));
  ASSERT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  const auto doc = parse(xml);
  const auto root = doc.document_element();
  EXPECT_STREQ(root.name(), "arkivmelding");
  EXPECT_EQ(root.attribute("xmlns").value(), arkivmelding_namespace(p));
  EXPECT_EQ(root.attribute("xmlns:mdk").value(), metadatakatalog_namespace(p));
  EXPECT_EQ(text_at(root, "system"), "boligflyt");
  EXPECT_EQ(text_at(root, "antallFiler"), "3");

  const auto mappe = root.child("mappe");
  EXPECT_STREQ(mappe.attribute("xsi:type").value(), "saksmappe");
  EXPECT_EQ(text_at(mappe, "klassifikasjon/klassifikasjonssystemID"), "ORD");
  EXPECT_EQ(text_at(mappe, "klassifikasjon/klasseID"), "614");
  EXPECT_EQ(text_at(mappe, "saksansvarlig/mdk:navn"), "Kari Nordmann");

  const auto registrering = root.child("registrering");
  EXPECT_STREQ(registrering.attribute("xsi:type").value(), "journalpost");
  // The journalpost is tied to the new mappe by the mappe's external key.
  EXPECT_EQ(text_at(registrering, "referanseForelderMappe/mdk:referanseEksternNoekkel/mdk:noekkel"),
            "AVVIK-2026-0001/saksmappe");
  EXPECT_EQ(text_at(registrering, "journalposttype/mdk:kode"), "N");
  EXPECT_EQ(text_at(registrering, "journalposttype/mdk:beskrivelse"),
            "Organinternt dokument for oppfølging");
  EXPECT_EQ(text_at(registrering, "journalstatus/mdk:kode"), "J");
  EXPECT_EQ(text_at(registrering, "dokumentetsDato"), "2026-04-20");
  EXPECT_EQ(text_at(registrering, "korrespondansepart/korrespondanseparttype/mdk:kode"), "IA");
  EXPECT_EQ(text_at(registrering, "korrespondansepart/saksbehandler/mdk:navn"), "Kari Nordmann");

  // referanseEksternNoekkel on mappe, registrering and every dokumentbeskrivelse.
  EXPECT_EQ(text_at(mappe, "referanseEksternNoekkel/mdk:fagsystem"), "boligflyt");
  EXPECT_EQ(text_at(mappe, "referanseEksternNoekkel/mdk:noekkel"), "AVVIK-2026-0001/saksmappe");
  EXPECT_EQ(text_at(registrering, "referanseEksternNoekkel/mdk:noekkel"),
            "AVVIK-2026-0001/journalpost/1");
  const auto documents = registrering.select_nodes("dokumentbeskrivelse");
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(text_at(documents[0].node(), "referanseEksternNoekkel/mdk:noekkel"),
            "AVVIK-2026-0001/journalpost/1/dokument/1");
  EXPECT_EQ(text_at(documents[1].node(), "referanseEksternNoekkel/mdk:noekkel"),
            "AVVIK-2026-0001/journalpost/1/dokument/2");
  EXPECT_EQ(text_at(documents[0].node(), "tilknyttetRegistreringSom/mdk:kode"), "H");
  EXPECT_EQ(text_at(documents[0].node(), "tilknyttetRegistreringSom/mdk:beskrivelse"),
            "Hoveddokument");
  EXPECT_EQ(text_at(documents[0].node(), "dokumenttype/mdk:kode"), "RAPPORT");
  EXPECT_EQ(text_at(documents[1].node(), "tilknyttetRegistreringSom/mdk:kode"), "V");
  EXPECT_EQ(text_at(documents[1].node(), "dokumentnummer"), "2");
}

TEST_P(ArkivmeldingProtocols, ChecksumSizeFormatAndFileNamePerVariant) {
  const auto m = sample(GetParam());
  const auto doc = parse(build_ok(m));
  std::map<std::string, const ArchiveFile*> files;
  for (const auto& d : m.journalpost.documents) {
    for (const auto& v : d.variants) files[v.file.name] = &v.file;
  }
  const auto objects = doc.select_nodes("//dokumentobjekt");
  ASSERT_EQ(objects.size(), 3u);
  for (const auto& o : objects) {
    const auto node = o.node();
    const auto name = text_at(node, "referanseDokumentfil");
    ASSERT_TRUE(files.count(name)) << name;
    const auto& f = *files[name];
    EXPECT_EQ(text_at(node, "filnavn"), name);
    EXPECT_EQ(text_at(node, "sjekksum"), util::sha256_hex(f.bytes));
    EXPECT_EQ(text_at(node, "sjekksumAlgoritme"), "SHA256");
    EXPECT_EQ(text_at(node, "filstoerrelse"), std::to_string(f.bytes.size()));
    EXPECT_EQ(text_at(node, "format/mdk:kode"), f.pronom);
    EXPECT_EQ(text_at(node, "mimeType"), f.mime);
  }
  // Independent of util::sha256_hex: the FIPS 180-2 test vector for "abc".
  EXPECT_EQ(text_at(doc, "//dokumentobjekt[referanseDokumentfil='hendelseslogg.txt']/sjekksum"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The PDF bytes hold a NUL: the size counts every byte.
  EXPECT_EQ(
      text_at(doc, "//dokumentobjekt[referanseDokumentfil='avvik-rapport.pdf']/filstoerrelse"),
      "19");
  EXPECT_EQ(text_at(doc,
                    "//dokumentobjekt[referanseDokumentfil='avvik-rapport.pdf']/variantformat/"
                    "mdk:beskrivelse"),
            "Arkivformat");
}

TEST_P(ArkivmeldingProtocols, SkjermingPresentExactlyWhenSet) {
  const auto p = GetParam();
  {
    const auto doc = parse(build_ok(sample(p)));
    EXPECT_TRUE(doc.select_nodes("//skjerming").empty());
  }
  auto m = sample(p);
  m.new_case->skjerming = skjerming();
  m.journalpost.skjerming = skjerming();
  const auto doc = parse(build_ok(m));
  EXPECT_EQ(doc.select_nodes("//skjerming").size(), 4u);  // mappe, journalpost, 2 documents
  for (const char* path : {"/arkivmelding/mappe/skjerming", "/arkivmelding/registrering/skjerming",
                           "/arkivmelding/registrering/dokumentbeskrivelse[1]/skjerming",
                           "/arkivmelding/registrering/dokumentbeskrivelse[2]/skjerming"}) {
    const auto s = doc.select_node(path).node();
    ASSERT_TRUE(s) << path;
    EXPECT_EQ(text_at(s, "tilgangsrestriksjon/mdk:kode"), "13") << path;
    EXPECT_EQ(text_at(s, "skjermingshjemmel"), "Offl. § 13 jf. fvl. § 13") << path;
  }
  // Only the mappe screened: nothing on the journalpost or its documents.
  m.journalpost.skjerming.reset();
  const auto only_mappe = parse(build_ok(m));
  EXPECT_EQ(only_mappe.select_nodes("//skjerming").size(), 1u);
  EXPECT_TRUE(only_mappe.select_node("/arkivmelding/mappe/skjerming"));
}

TEST_P(ArkivmeldingProtocols, ExistingCaseIsATopLevelRegistreringWithSaksnummer) {
  const auto doc = parse(build_ok(existing_case_sample(GetParam())));
  const auto root = doc.document_element();
  EXPECT_FALSE(root.child("mappe"));
  const auto parent = root.child("registrering").child("referanseForelderMappe");
  EXPECT_EQ(text_at(parent, "mdk:saksnummer/mdk:saksaar"), "2026");
  EXPECT_EQ(text_at(parent, "mdk:saksnummer/mdk:sakssekvensnummer"), "4185");
  EXPECT_FALSE(parent.child("mdk:referanseEksternNoekkel"));
}

TEST_P(ArkivmeldingProtocols, TextIsEscapedAndKeptExactly) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  auto m = sample(GetParam());
  m.journalpost.tittel = "Lekkasje <kjeller> & \"loft\" – æøå ÆØÅ\tmed tab";
  const auto xml = build_ok(m);
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(GetParam())), "");
  EXPECT_EQ(text_at(parse(xml), "/arkivmelding/registrering/tittel"), m.journalpost.tittel);
}

INSTANTIATE_TEST_SUITE_P(Arkivmelding, ArkivmeldingProtocols,
                         ::testing::Values(Protocol::kV1, Protocol::kV2),
                         [](const auto& info) { return std::string(protocol_name(info.param)); });

// --- bad input -------------------------------------------------------------------------

void expect_error(const ArchiveMessage& m, const std::string& slug, const std::string& field) {
  const auto result = build_arkivmelding(m);
  ASSERT_FALSE(result.ok()) << "expected " << slug << " at " << field;
  const auto& e = result.error();
  EXPECT_EQ(e.kind, ErrorKind::kInvalid);
  EXPECT_EQ(e.slug, slug);
  EXPECT_EQ(e.field, field);
  EXPECT_FALSE(e.title.empty());
  EXPECT_FALSE(e.detail.empty());
}

TEST(ArkivmeldingErrors, UnknownCodes) {
  auto m = sample(Protocol::kV1);
  m.journalpost.journalposttype = "I";  // valid in KS's list, but not one boligflyt sends
  expect_error(m, "invalid-archive-code", "journalpost.journalposttype");
  m = sample(Protocol::kV1);
  m.journalpost.journalstatus = "Q";
  expect_error(m, "invalid-archive-code", "journalpost.journalstatus");
  m = sample(Protocol::kV1);
  m.journalpost.documents[0].variants[1].variantformat = "Z";
  expect_error(m, "invalid-archive-code", "journalpost.documents[0].variants[1].variantformat");
  m = sample(Protocol::kV1);
  m.journalpost.documents[1].dokumentstatus = "X";
  expect_error(m, "invalid-archive-code", "journalpost.documents[1].dokumentstatus");
  m = sample(Protocol::kV1);
  m.journalpost.documents[1].tilknyttet_som = "h";
  expect_error(m, "invalid-archive-code", "journalpost.documents[1].tilknyttet_som");
  m = sample(Protocol::kV1);
  m.journalpost.documents[0].dokumenttype = "FOO";
  expect_error(m, "invalid-archive-code", "journalpost.documents[0].dokumenttype");
  m = sample(Protocol::kV1);
  m.new_case->skjerming = skjerming();
  m.new_case->skjerming->tilgangsrestriksjon = "26";
  expect_error(m, "invalid-archive-code", "new_case.skjerming.tilgangsrestriksjon");

  const auto detail = build_arkivmelding(m).error().detail;
  EXPECT_NE(detail.find("Tillatte verdier: 13"), std::string::npos) << detail;
}

TEST(ArkivmeldingErrors, CharactersXml10CannotCarry) {
  auto m = sample(Protocol::kV2);
  m.journalpost.tittel = "Avvik\x07";
  expect_error(m, "invalid-xml-character", "journalpost.tittel");
  const auto detail = build_arkivmelding(m).error().detail;
  EXPECT_NE(detail.find("U+0007"), std::string::npos) << detail;
  EXPECT_NE(detail.find("tegn nr. 6"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("Avvik"), std::string::npos) << "the detail must not echo the text";

  m = sample(Protocol::kV2);
  m.journalpost.documents[1].title = "Logg \xEF\xBF\xBF";  // U+FFFF
  expect_error(m, "invalid-xml-character", "journalpost.documents[1].title");
  m = sample(Protocol::kV2);
  m.new_case->offentlig_tittel = std::string("a\0b", 3);
  expect_error(m, "invalid-xml-character", "new_case.offentlig_tittel");
  m = sample(Protocol::kV2);
  m.new_case->saksansvarlig = "Kari \xC3";  // truncated UTF-8
  expect_error(m, "invalid-utf8", "new_case.saksansvarlig");
  m = sample(Protocol::kV2);
  m.journalpost.key.key = "k\xED\xA0\x80";  // an encoded surrogate is not UTF-8
  expect_error(m, "invalid-utf8", "journalpost.key.key");
}

TEST(ArkivmeldingErrors, XmlCleanMakesTextBuildable) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  EXPECT_EQ(xml10_clean("a\x01\x07\tb\nc\rd\x1F"), "a\tb\nc\rd");
  EXPECT_EQ(xml10_clean("æ\xEF\xBF\xBE\xEF\xBF\xBFø"), "æø");  // U+FFFE, U+FFFF
  EXPECT_EQ(xml10_clean("\xC3"), "");                          // truncated
  EXPECT_EQ(xml10_clean("\xED\xA0\x80x"), "x");                // surrogate
  EXPECT_EQ(xml10_clean("\xF0\x9F\x98\x80 \xEF\xBF\xBD"), "\xF0\x9F\x98\x80 \xEF\xBF\xBD");
  auto m = sample(Protocol::kV1);
  m.journalpost.tittel = xml10_clean("Avvik\x07 \xC3 ok");
  const auto xml = build_ok(m);
  EXPECT_EQ(xsd_errors(xml, opprett_xsd(Protocol::kV1)), "");
}

TEST(ArkivmeldingErrors, OverLongAndEmptyTexts) {
  auto m = sample(Protocol::kV1);
  std::string title;
  for (std::size_t i = 0; i < kMaxTitleLength; ++i) title += "æ";  // 2 bytes, 1 character
  m.journalpost.tittel = title;
  EXPECT_TRUE(build_arkivmelding(m).ok()) << "exactly the limit is allowed";
  m.journalpost.tittel += "x";
  expect_error(m, "text-too-long", "journalpost.tittel");
  EXPECT_NE(build_arkivmelding(m).error().detail.find("1001 tegn"), std::string::npos);

  m = sample(Protocol::kV1);
  m.new_case->tittel = std::string(kMaxTitleLength + 1, 'a');
  expect_error(m, "text-too-long", "new_case.tittel");
  m = sample(Protocol::kV1);
  m.journalpost.saksbehandler = std::string(kMaxShortTextLength + 1, 'a');
  expect_error(m, "text-too-long", "journalpost.saksbehandler");
  m = sample(Protocol::kV1);
  m.journalpost.tittel.clear();
  expect_error(m, "missing-text", "journalpost.tittel");
  m = sample(Protocol::kV1);
  m.journalpost.documents[0].key.fagsystem.clear();
  expect_error(m, "missing-text", "journalpost.documents[0].key.fagsystem");
  m = sample(Protocol::kV1);
  m.new_case->key.key.clear();
  expect_error(m, "missing-text", "new_case.key.key");
}

TEST(ArkivmeldingErrors, CaseTarget) {
  auto m = sample(Protocol::kV1);
  m.existing_case_number = "2026/4185";
  expect_error(m, "invalid-case-target", "existing_case_number");
  m.new_case.reset();
  m.existing_case_number.reset();
  expect_error(m, "invalid-case-target", "new_case");
  for (const char* bad : {"2026-4185", "26/4185", "2026/", "/4185", "2026/0042", "2026/12a",
                          "2026/1234567890", " 2026/1", "0999/1", "2026/0"}) {
    m.existing_case_number = bad;
    expect_error(m, "invalid-case-number", "existing_case_number");
  }
}

TEST(ArkivmeldingErrors, DocumentsAndVariants) {
  auto m = sample(Protocol::kV1);
  m.journalpost.documents.clear();
  expect_error(m, "missing-documents", "journalpost.documents");
  m = sample(Protocol::kV1);
  m.journalpost.documents[1].variants.clear();
  expect_error(m, "missing-variants", "journalpost.documents[1].variants");
  m = sample(Protocol::kV1);
  m.journalpost.documents[1].variants[0].file.name = "avvik-rapport.pdf";
  expect_error(m, "duplicate-file-name", "journalpost.documents[1].variants[0].file.name");
  m = sample(Protocol::kV1);
  m.journalpost.documents[1].variants[0].file.name = "../etc/passwd";
  expect_error(m, "invalid-file-name", "journalpost.documents[1].variants[0].file.name");
  m = sample(Protocol::kV1);
  m.journalpost.documents[0].variants[0].file.pronom = "application/pdf";
  expect_error(m, "invalid-file-format", "journalpost.documents[0].variants[0].file.pronom");
  m = sample(Protocol::kV1);
  m.journalpost.documents[0].dokumentnummer = 0;
  expect_error(m, "invalid-document-number", "journalpost.documents[0].dokumentnummer");
}

TEST(ArkivmeldingErrors, Dates) {
  auto m = sample(Protocol::kV1);
  m.journalpost.dokumentdato = "20.04.2026";
  expect_error(m, "invalid-date", "journalpost.dokumentdato");
  m = sample(Protocol::kV1);
  m.new_case->saksdato = "2026-02-30";
  expect_error(m, "invalid-date", "new_case.saksdato");
  m.new_case->saksdato = "2024-02-29";
  EXPECT_TRUE(build_arkivmelding(m).ok());
}

TEST(ArkivmeldingHelpers, CaseNumbersAndProtocols) {
  EXPECT_TRUE(valid_case_number("2026/4185"));
  EXPECT_TRUE(valid_case_number("2026/1"));
  EXPECT_TRUE(valid_case_number("2026/999999999"));
  EXPECT_FALSE(valid_case_number("2026/4185 "));
  EXPECT_FALSE(valid_case_number(""));
  EXPECT_EQ(parse_protocol("v1"), Protocol::kV1);
  EXPECT_EQ(parse_protocol("v2"), Protocol::kV2);
  EXPECT_EQ(parse_protocol("V1"), std::nullopt);
  EXPECT_EQ(protocol_name(Protocol::kV2), "v2");
  EXPECT_EQ(arkivmelding_namespace(Protocol::kV1),
            "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1");
}

// --- code lists ------------------------------------------------------------------------

// Every embedded code is in the official KS code list (V1 and V2) with the same description.
TEST(ArkivmeldingCodeLists, EmbeddedValuesExistInKsLists) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  for (const auto p : {Protocol::kV1, Protocol::kV2}) {
    const std::string v(protocol_name(p));
    for (const auto& list : embedded_code_lists()) {
      ASSERT_FALSE(list.values.empty()) << list.element;
      if (list.ks_list.empty()) continue;
      const auto path = version_dir(p) + "/kodelister/no.ks.fiks.arkiv." + v + ".kodelister." +
                        std::string(list.ks_list) + ".json";
      const auto json = boost::json::parse(read_file(path));
      ASSERT_EQ(json.at("navn").as_string(), list.ks_list) << path;
      std::map<std::string, std::string> official;
      for (const auto& entry : json.at("kodeliste").as_array()) {
        official[std::string(entry.at("kodeverdi").as_string())] =
            std::string(entry.at("kodebeskrivelse").as_string());
      }
      for (const auto& value : list.values) {
        const auto it = official.find(std::string(value.kode));
        ASSERT_NE(it, official.end()) << v << " " << list.ks_list << ": " << value.kode;
        EXPECT_EQ(it->second, value.beskrivelse) << v << " " << list.ks_list << ": " << value.kode;
      }
    }
  }
}

// tilgangsrestriksjon is a code list KS names (kodelister.xsd) but does not publish: each
// archive defines its own. If KS ever publishes one, this fails and the embedded "13" must be
// checked against it.
TEST(ArkivmeldingCodeLists, ListsWithoutKsFileAreArchiveDefined) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  for (const auto p : {Protocol::kV1, Protocol::kV2}) {
    const std::string v(protocol_name(p));
    const auto kodelister = read_file(version_dir(p) + "/kodelister.xsd");
    for (const auto& list : embedded_code_lists()) {
      if (!list.ks_list.empty()) continue;
      std::string lower(list.element);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_NE(kodelister.find("<xs:enumeration value=\"" + lower + "\"/>"), std::string::npos)
          << lower;
      EXPECT_FALSE(std::filesystem::exists(version_dir(p) + "/kodelister/no.ks.fiks.arkiv." + v +
                                           ".kodelister." + lower + ".json"))
          << lower;
    }
  }
}

// Every element the builder writes a code into is a code type (kode + beskrivelse) in the
// official metadatakatalog, so `beskrivelse` is allowed there.
TEST(ArkivmeldingCodeLists, EmbeddedListsAreCodeTypesInTheSchema) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto katalog = read_file(version_dir(Protocol::kV2) + "/metadatakatalog.xsd");
  for (const auto& list : embedded_code_lists()) {
    const auto at = katalog.find("<xs:complexType name=\"" + std::string(list.element) + "\">");
    ASSERT_NE(at, std::string::npos) << list.element;
    const auto end = katalog.find("</xs:complexType>", at);
    EXPECT_NE(katalog.substr(at, end - at).find("<xs:extension base=\"kode\"/>"), std::string::npos)
        << list.element;
  }
}

}  // namespace
}  // namespace boligflyt::archive

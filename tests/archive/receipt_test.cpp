// Receipts from the archive: the samples in receipts/ are checked against the official
// kvittering/feilmelding XSDs here first (so they are realistic), then parsed.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "archive/arkivmelding.h"
#include "support/official_schemas.h"

namespace boligflyt::archive {
namespace {

const std::string kSchemas = test_support::official_schemas_dir();

std::string sample(const std::string& name) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "receipts" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string xsd(const std::string& version, const std::string& stem) {
  return kSchemas + "/fiks-arkiv-" + version + "/no.ks.fiks.arkiv." + version + "." + stem + ".xsd";
}

// libxml2 directly, not the product's code: proves the samples themselves are valid.
bool validates(const std::string& xml, const std::string& xsd_path) {
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd_path.c_str());
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (!schema) return false;
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "receipt.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  bool ok = false;
  if (doc) {
    xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidStructuredErrors(
        context, [](void*, xmlErrorPtr) {}, nullptr);
    ok = xmlSchemaValidateDoc(context, doc) == 0;
    xmlSchemaFreeValidCtxt(context);
    xmlFreeDoc(doc);
  }
  xmlSchemaFree(schema);
  return ok;
}

const std::optional<std::string> kValidate = kSchemas;
const std::optional<std::string> kNoValidation = std::nullopt;

Receipt parse_ok(const std::string& xml, const std::optional<std::string>& schemas) {
  auto r = parse_receipt(xml, schemas);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().slug + ": " + r.error().detail);
  return r.ok() ? *r : Receipt{};
}

void expect_refused(const std::string& xml, const std::optional<std::string>& schemas,
                    const std::string& slug) {
  const auto r = parse_receipt(xml, schemas);
  ASSERT_FALSE(r.ok()) << "expected " << slug;
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(r.error().slug, slug) << r.error().detail;
  EXPECT_EQ(r.error().field, "receipt");
  EXPECT_FALSE(r.error().detail.empty());
}

TEST(ReceiptSamples, ValidOnesValidateAgainstOfficialXsd) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto kvittering = "arkivering.arkivmelding.opprett.kvittering";
  EXPECT_TRUE(validates(sample("kvittering-v1.xml"), xsd("v1", kvittering)));
  EXPECT_TRUE(validates(sample("registrering-feilet-v1.xml"), xsd("v1", kvittering)));
  EXPECT_TRUE(validates(sample("kvittering-v2.xml"), xsd("v2", kvittering)));
  EXPECT_TRUE(validates(sample("ugyldigforespoersel-v1.xml"),
                        xsd("v1", "feilmelding.ugyldigforespoersel")));
  EXPECT_TRUE(validates(sample("serverfeil-v2.xml"), xsd("v2", "feilmelding.serverfeil")));
  EXPECT_FALSE(validates(sample("kvittering-invalid-v1.xml"), xsd("v1", kvittering)));
}

TEST(ReceiptParse, KvitteringV1NewCase) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  for (const auto& schemas : {kValidate, kNoValidation}) {
    const auto r = parse_ok(sample("kvittering-v1.xml"), schemas);
    EXPECT_EQ(r.kind, Receipt::Kind::kKvittering);
    EXPECT_EQ(r.protocol, Protocol::kV1);
    EXPECT_EQ(r.key.fagsystem, "boligflyt");
    EXPECT_EQ(r.key.key, "AVVIK-2026-0001/journalpost/1");
    EXPECT_EQ(r.system_id, "9c4e2d17-0b8a-4f63-a5d2-71e0c3b9f4a6");
    EXPECT_EQ(r.case_number, "2026/4185");
    EXPECT_EQ(r.journalpost_number, "2026/12873");
    EXPECT_TRUE(r.error_type.empty());
  }
}

TEST(ReceiptParse, KvitteringV2WithPrefixesExistingCase) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  for (const auto& schemas : {kValidate, kNoValidation}) {
    const auto r = parse_ok(sample("kvittering-v2.xml"), schemas);
    EXPECT_EQ(r.kind, Receipt::Kind::kKvittering);
    EXPECT_EQ(r.protocol, Protocol::kV2);
    EXPECT_EQ(r.key.key, "AVVIK-2026-0002/journalpost/1");
    EXPECT_EQ(r.system_id, "0d6f1a3b-8e2c-4b7d-9f05-c4a2e7b1d3f8");
    EXPECT_EQ(r.case_number, "");  // no mappeKvittering: the case existed
    EXPECT_EQ(r.journalpost_number, "2026/13002");
  }
}

TEST(ReceiptParse, Feilmeldinger) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  auto r = parse_ok(sample("ugyldigforespoersel-v1.xml"), kValidate);
  EXPECT_EQ(r.kind, Receipt::Kind::kFeilmelding);
  EXPECT_EQ(r.protocol, Protocol::kV1);
  EXPECT_EQ(r.error_type, "ugyldigforespoersel");
  EXPECT_EQ(r.error_id, "6e0c1b9a-44f2-4d3e-8a71-0f5b2c9d3e84");
  EXPECT_EQ(r.error_message, "Klassifikasjon 614 finnes ikke i klassifikasjonssystem ORD");

  r = parse_ok(sample("serverfeil-v2.xml"), kValidate);
  EXPECT_EQ(r.kind, Receipt::Kind::kFeilmelding);
  EXPECT_EQ(r.protocol, Protocol::kV2);
  EXPECT_EQ(r.error_type, "serverfeil");
  EXPECT_EQ(r.error_message, "Arkivdatabasen svarer ikke. Prøv igjen senere.");

  const std::string ikkefunnet =
      "<ikkefunnet xmlns='https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/"
      "ikkefunnet/v1' xmlns:fm='https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/"
      "feilmelding/v1'><fm:feilId>1</fm:feilId><fm:feilmelding>Finnes ikke</fm:feilmelding>"
      "</ikkefunnet>";
  r = parse_ok(ikkefunnet, kValidate);
  EXPECT_EQ(r.error_type, "ikkefunnet");
  EXPECT_EQ(r.error_message, "Finnes ikke");
}

TEST(ReceiptParse, RegistreringFeiletIsAFeilmeldingThatKeepsTheCase) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto r = parse_ok(sample("registrering-feilet-v1.xml"), kValidate);
  EXPECT_EQ(r.kind, Receipt::Kind::kFeilmelding);
  EXPECT_EQ(r.error_type, "registreringFeilet");
  EXPECT_EQ(r.error_id, "RF-881");
  EXPECT_EQ(r.error_message, "Journalposttype N er ikke tillatt i arkivdel BOLIG");
  EXPECT_EQ(r.case_number, "2026/4190");
  EXPECT_EQ(r.key.key, "AVVIK-2026-0003/saksmappe");
}

TEST(ReceiptParse, KvitteringThatDoesNotValidateIsRefused) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto xml = sample("kvittering-invalid-v1.xml");
  expect_refused(xml, kValidate, "receipt-schema-violation");
  const auto detail = parse_receipt(xml, kValidate).error().detail;
  // Names the line and what is wrong (systemID is on line 5 of the sample).
  EXPECT_NE(detail.find("Linje 5"), std::string::npos) << detail;
  EXPECT_NE(detail.find("systemID"), std::string::npos) << detail;
}

TEST(ReceiptParse, KvitteringWithoutExternalKeyIsRefused) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const std::string xml =
      "<arkivmeldingKvittering xmlns='https://ks-no.github.io/standarder/fiks-protokoll/"
      "fiks-arkiv/arkivmelding/opprett/kvittering/v2'><registreringKvittering>"
      "<systemID>0d6f1a3b-8e2c-4b7d-9f05-c4a2e7b1d3f8</systemID>"
      "<opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>"
      "</registreringKvittering></arkivmeldingKvittering>";
  EXPECT_TRUE(validates(xml, xsd("v2", "arkivering.arkivmelding.opprett.kvittering")));
  expect_refused(xml, kValidate, "receipt-missing-key");
  expect_refused(xml, kNoValidation, "receipt-missing-key");
}

TEST(ReceiptParse, UnknownRootsAreRefused) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  expect_refused(
      "<arkivmelding xmlns='https://ks-no.github.io/standarder/fiks-protokoll/"
      "fiks-arkiv/arkivmelding/opprett/v1'/>",
      kValidate, "unknown-receipt");
  expect_refused(
      "<arkivmeldingKvittering xmlns='https://ks-no.github.io/standarder/"
      "fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v3'/>",
      kNoValidation, "unknown-receipt");
  expect_refused("<arkivmeldingKvittering/>", kNoValidation, "unknown-receipt");
  expect_refused("<serverfeil xmlns='urn:other'/>", kNoValidation, "unknown-receipt");
}

TEST(ReceiptParse, GarbageIsRefused) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  expect_refused("", kValidate, "invalid-xml");
  expect_refused("kvittering: ok", kValidate, "invalid-xml");
  expect_refused("<arkivmeldingKvittering>", kNoValidation, "invalid-xml");
  expect_refused(std::string("\xff\xfe<\0a\0>\0", 7), kNoValidation, "invalid-xml");
  expect_refused(
      "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
      "<a>&e;</a>",
      kValidate, "invalid-xml");
  expect_refused(std::string(2 * 1024 * 1024, ' '), kValidate, "receipt-too-large");
}

// Must not crash on arbitrary input: every truncation and many random byte changes of a real
// kvittering give either a receipt or an error.
TEST(ReceiptParse, SurvivesTruncationAndMutation) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto xml = sample("kvittering-v1.xml");
  for (std::size_t n = 0; n < xml.size(); ++n) {
    const auto r = parse_receipt(xml.substr(0, n), kNoValidation);
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    }
  }
  std::mt19937 random(20260420);
  std::uniform_int_distribution<std::size_t> position(0, xml.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 300; ++i) {
    auto mutated = xml;
    for (int k = 0; k < 3; ++k) mutated[position(random)] = static_cast<char>(byte(random));
    const auto r = parse_receipt(mutated, i % 10 == 0 ? kValidate : kNoValidation);
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kInvalid) << r.error().log_message;
    }
  }
}

TEST(ReceiptParse, ConcurrentValidationSharesCompiledSchemas) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const auto v1 = sample("kvittering-v1.xml");
  const auto v2 = sample("kvittering-v2.xml");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (parse_receipt(t % 2 ? v1 : v2, kValidate).ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

// The V2 ikkefunnet XSD does not compile as published (it imports a V1 namespace): that is
// reported as an internal error, not as a bad message from the archive.
TEST(ReceiptParse, UncompilableOfficialSchemaIsInternal) {
  BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS();
  const std::string xml =
      "<ikkefunnet xmlns='https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/"
      "ikkefunnet/v2'><feilId>1</feilId><feilmelding>x</feilmelding></ikkefunnet>";
  const auto r = parse_receipt(xml, kValidate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  const auto unvalidated = parse_ok(xml, kNoValidation);
  EXPECT_EQ(unvalidated.error_type, "ikkefunnet");
  EXPECT_EQ(unvalidated.protocol, Protocol::kV2);
}

TEST(ReceiptParse, MissingSchemaFolderIsInternal) {
  const auto r = parse_receipt(sample("kvittering-v1.xml"), std::string("/nonexistent"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace boligflyt::archive

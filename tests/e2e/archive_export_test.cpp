// Archive export over the real host and plugin: closing an avvik (and publishing a procedure
// version) drops a complete Fiks Arkiv arkivmelding message into the drop folder — validated
// here against the official XSD with xmllint, its PDF/A-2b report checked with qpdf, pdffonts
// and pdftotext, its checksums and sizes against the files — and the archive's receipts flow
// back from the inbox folder onto the avvik. A refused export is kept and can be retried; a
// crash leaves exactly one complete message per key.

#include <pugixml.hpp>
#include <string>

#include "support/archive_test.h"

namespace boligflyt::e2e {
namespace {

constexpr const char* kV1Namespace =
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1";

std::string kvittering_v1(const std::string& case_key, const std::string& journalpost_key) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1" xmlns:n5mdk="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>6c1b7a4e-2d0f-4d55-9a43-1e1f3c9b0a11</systemID>
    <referanseEksternNoekkel><n5mdk:fagsystem>boligflyt</n5mdk:fagsystem><n5mdk:noekkel>)" +
         case_key + R"(</n5mdk:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <saksaar>2026</saksaar><sakssekvensnummer>4185</sakssekvensnummer>
  </mappeKvittering>
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>0f9e8d7c-6b5a-4c3d-8e2f-1a2b3c4d5e6f</systemID>
    <referanseEksternNoekkel><n5mdk:fagsystem>boligflyt</n5mdk:fagsystem><n5mdk:noekkel>)" +
         journalpost_key + R"(</n5mdk:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <journalaar>2026</journalaar><journalsekvensnummer>1234</journalsekvensnummer>
  </registreringKvittering>
</arkivmeldingKvittering>
)";
}

constexpr const char* kFeilmeldingV1 = R"(<?xml version="1.0" encoding="UTF-8"?>
<ugyldigforespoersel xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1" xmlns:f="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">
  <f:feilId>b2c3d4e5-0000-4000-8000-000000000001</f:feilId>
  <f:feilmelding>Klassifikasjon mangler for arkivdelen.</f:feilmelding>
</ugyldigforespoersel>
)";

TEST_F(ArchiveExportTest, ClosedAvvikBecomesAValidArkivmeldingAndTheReceiptComesBack) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  const std::string id = closed_avvik(true);
  ASSERT_FALSE(id.empty());

  const auto folder = wait_for_message(id);
  ASSERT_TRUE(folder) << host_->stderr_text();
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v1_arkivmelding_xsd(), doc));
  EXPECT_STREQ(doc.document_element().attribute("xmlns").value(), kV1Namespace);

  // Its own saksmappe (no saksnummer given), keyed so that a re-delivery is the same record.
  const auto keys = doc.select_nodes("//*[local-name()='referanseEksternNoekkel']");
  std::set<std::string> key_values;
  for (const auto& k : keys) {
    key_values.insert(k.node().select_node("*[local-name()='noekkel']").node().text().as_string());
  }
  EXPECT_TRUE(key_values.count(id)) << "the saksmappe's key";
  const std::string journalpost_key = id + "/lukket/r7";
  EXPECT_TRUE(key_values.count(journalpost_key)) << "the journalpost's key";
  EXPECT_TRUE(key_values.count(journalpost_key + "/rapport")) << "the document's key";

  // Personal data involved: skjermet, and the public title says only where it happened.
  const std::string text = read_file(*folder / "arkivmelding.xml");
  EXPECT_NE(text.find("Offl. § 13 jf. fvl. § 13"), std::string::npos);
  const auto public_titles = doc.select_nodes("//*[local-name()='offentligTittel']");
  ASSERT_GT(public_titles.size(), 0u);
  for (const auto& t : public_titles) {
    EXPECT_EQ(std::string(t.node().text().as_string()).find("avlyst"), std::string::npos)
        << t.node().text().as_string();
  }

  // The report reads as what it is, æøå intact.
  const auto report = run({"pdftotext", "-layout", (*folder / "avviksrapport.pdf").string(), "-"});
  EXPECT_NE(report.out.find(id), std::string::npos);
  EXPECT_NE(report.out.find("Boligflytprosedyre"), std::string::npos);
  EXPECT_NE(report.out.find("Tildelingsmøtet"), std::string::npos);
  EXPECT_NE(report.out.find("De tre neste møtene ble holdt som planlagt."), std::string::npos);
  // The cause chosen at closing, by its label from the catalogue the service closes with.
  EXPECT_NE(report.out.find("Årsakskoder"), std::string::npos);
  EXPECT_NE(report.out.find("Rutinen mangler eller er uklar"), std::string::npos) << report.out;

  // The folder is visible a moment before the delivery is recorded.
  EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
  EXPECT_EQ(call("leder-nav", "GET", "/api/v1/archive/exports").status, 403u);

  // The archive's kvittering: the saksnummer and journalpostnummer land on the avvik.
  const std::string receipt = kvittering_v1(id, journalpost_key);
  write_file(temp_.path() / "kvittering.xml", receipt);
  ASSERT_EQ(run({"xmllint", "--nonet", "--noout", "--schema",
                 official("fiks-arkiv-v1/"
                          "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"),
                 (temp_.path() / "kvittering.xml").string()})
                .exit_code,
            0)
      << "the test's own kvittering must be valid";
  drop_receipt(folder->filename().string() + ".kvittering.xml", receipt);
  ASSERT_TRUE(wait_until([&] {
    const auto avvik = call("leder-boligkontor", "GET", "/api/v1/deviations/" + id);
    return json_at(avvik.body, "/archive/0/case_number") == "2026/4185";
  })) << call("kvalitetsleder", "GET", "/api/v1/archive/exports").body;
  const auto avvik = call("leder-boligkontor", "GET", "/api/v1/deviations/" + id);
  EXPECT_EQ(json_at(avvik.body, "/archive/0/journalpost_number"), "2026/1234");
  EXPECT_EQ(json_at(avvik.body, "/archive/0/system_id"), "0f9e8d7c-6b5a-4c3d-8e2f-1a2b3c4d5e6f");
  EXPECT_EQ(export_state("deviation:" + id), "arkivert");
  EXPECT_TRUE(
      fs::exists(inbox_dir() / "behandlet" / (folder->filename().string() + ".kvittering.xml")));

  // The one-off export from the command line gives the same message for the same avvik.
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();
  const fs::path out = temp_.path() / "engangs";
  const auto cli = run({cli_binary(), "archive", "export", "--deviation", id, "--out", out.string(),
                        "--data", data_dir().string()});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const fs::path one_off = out / folder->filename();
  ASSERT_TRUE(fs::exists(one_off)) << cli.out;
  pugi::xml_document again;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(one_off, v1_arkivmelding_xsd(), again));
}

// One saksnummer rule (core/saksnummer.h) at registration and at export: every form that
// registration accepts — both centuries of saksår, sekvensnummer of one to nine digits — is
// exported as a journalpost in that saksmappe, valid against the official XSD; what the
// archive could not carry back unchanged (leading zeros) is refused where it comes in.
TEST_F(ArchiveExportTest, RefusedExportIsKeptRetriedAndBadReceiptsAreSetAside) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host("v2"));
  const std::string id = closed_avvik(false);
  const auto folder = wait_for_message(id);
  ASSERT_TRUE(folder) << host_->stderr_text();
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v2_arkivmelding_xsd(), doc));
  EXPECT_EQ(std::string(read_file(*folder / "arkivmelding.xml")).find("Offl. § 13"),
            std::string::npos)
      << "no skjerming without personal data";

  // A receipt that is not one, and a kvittering for a key we never sent: set aside, with why.
  drop_receipt("rot.xml", "<ikke-en-kvittering/>");
  drop_receipt("fremmed.xml", kvittering_v1("ANNET-1", "ANNET-1/lukket/r2"));
  ASSERT_TRUE(wait_until([&] {
    return fs::exists(inbox_dir() / "avvist" / "rot.xml.txt") &&
           fs::exists(inbox_dir() / "avvist" / "fremmed.xml.txt");
  }));
  EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));

  // The archive refuses the message: kept, shown as failed with the archive's reason.
  drop_receipt(folder->filename().string() + ".feilmelding.xml", kFeilmeldingV1);
  ASSERT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "feilet"; }));
  const auto list = call("kvalitetsleder", "GET", "/api/v1/archive/exports?state=feilet");
  EXPECT_NE(json_at(list.body, "/items/0/last_error")
                .value_or("")
                .find("Klassifikasjon mangler for arkivdelen."),
            std::string::npos)
      << list.body;
  const auto metrics = get("/metrics", bearer(token("kvalitetsleder")));
  EXPECT_NE(metrics.body.find(R"(boligflyt_outbox_messages{topic="archive",status="dead"} 1)"),
            std::string::npos)
      << metrics.body;

  // The client took the refused message away; a retry writes it again, same keys.
  const std::string export_id = json_at(list.body, "/items/0/id").value_or("");
  fs::remove_all(*folder);
  EXPECT_EQ(
      call("leder-boligkontor", "POST", "/api/v1/archive/exports/" + export_id + "/retry").status,
      403u);
  const auto retried =
      call("kvalitetsleder", "POST", "/api/v1/archive/exports/" + export_id + "/retry");
  ASSERT_EQ(retried.status, 202u) << retried.body;
  ASSERT_TRUE(wait_until([&] { return fs::exists(*folder / "arkivmelding.xml"); }));
  EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
  // Retrying what is not failed is refused.
  EXPECT_EQ(
      call("kvalitetsleder", "POST", "/api/v1/archive/exports/" + export_id + "/retry").status,
      409u);
  EXPECT_EQ(call("kvalitetsleder", "GET", "/api/v1/archive/exports/999999").status, 404u);
  EXPECT_EQ(call("kvalitetsleder", "GET", "/api/v1/archive/exports?state=ukjent").status, 400u);
}

TEST_F(ArchiveExportTest, CrashLeavesExactlyOneCompleteMessagePerKey) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  const std::string id = closed_avvik(false);
  // Killed without warning, wherever the export was: before, during or after writing.
  host_->process().send_signal(SIGKILL);
  host_->process().wait(deadline_in(10s));
  // What a crash in the middle of writing leaves: a temporary folder with part of a message.
  fs::create_directories(drop_dir() / (".tmp-" + id + "-halvskrevet"));
  write_file(drop_dir() / (".tmp-" + id + "-halvskrevet") / "avviksrapport.pdf", "%PDF-1.7 halv");

  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  const auto folder = wait_for_message(id);
  ASSERT_TRUE(folder) << host_->stderr_text();
  ASSERT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
  std::size_t for_this_avvik = 0;
  for (const auto& m : messages()) {
    if (m.filename().string().find(id) != std::string::npos) ++for_this_avvik;
  }
  EXPECT_EQ(for_this_avvik, 1u);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(drop_dir(), ec)) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".tmp-")) << e.path();
  }
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v1_arkivmelding_xsd(), doc));

  // Delivering the same key again (a crash after the rename, before it was recorded) adds
  // nothing: the exported message stays the one complete message.
  const auto list =
      call("kvalitetsleder", "GET", "/api/v1/archive/exports?subject=deviation:" + id);
  EXPECT_EQ(json_array_size(list.body, "/items"), 1u) << list.body;
}

TEST_F(ArchiveExportTest, DropFolderThatCannotBeWrittenKeepsTheExportUntilItCan) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  // The drop folder is gone and a file stands in its place (no folder can be made there,
  // not even by root).
  fs::remove_all(drop_dir());
  write_file(drop_dir(), "ikke en mappe");
  const std::string id = closed_avvik(false);
  ASSERT_TRUE(wait_until([&] {
    const auto list =
        call("kvalitetsleder", "GET", "/api/v1/archive/exports?subject=deviation:" + id);
    return json_at(list.body, "/items/0/state") == "venter" &&
           json_at(list.body, "/items/0/attempts").value_or("0") != "0" &&
           json_at(list.body, "/items/0/last_error").value_or("").find("utboksen") !=
               std::string::npos;
  })) << call("kvalitetsleder", "GET", "/api/v1/archive/exports").body;

  fs::remove(drop_dir());
  fs::create_directories(drop_dir());
  const auto folder = wait_for_message(id);
  ASSERT_TRUE(folder) << host_->stderr_text();
  EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v1_arkivmelding_xsd(), doc));
  EXPECT_EQ(messages().size(), 1u);
}

TEST_F(ArchiveExportTest, UnitWithoutALeaderHoldsTheExportWithAClearReason) {
  // The directory has no leader for Boligkontoret, so no saksansvarlig can be named; and
  // registrations are exported too (archive.export_on_register).
  boost::json::value config = boost::json::parse(default_config_json());
  auto& users = config.at("users").as_array();
  users.erase(std::remove_if(users.begin(), users.end(),
                             [](const boost::json::value& u) {
                               return u.at("id").as_string() == "leder-boligkontor";
                             }),
              users.end());
  config.as_object()["plugin"] = boost::json::parse(
      R"({"maintenance_interval_ms":200,"archive":{"export_on_register":true,"schemas_dir":)" +
      json_quote(test_support::official_schemas_dir()) + "}}");
  ASSERT_NO_FATAL_FAILURE(start_host(write_config(boost::json::serialize(config))));

  const auto created =
      call("leder-nav", "POST", "/api/v1/deviations",
           R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
           R"("incident_date":"2025-03-10","category":"uklart_ansvar","severity":"lav",)"
           R"("title":"Uklart hvem som kaller inn","description":"Ingen innkalling kom."})");
  ASSERT_EQ(created.status, 201u) << created.body;
  ASSERT_EQ(json_at(created.body, "/responsible_unit"), "boligkontor");
  const std::string id = json_at(created.body, "/id").value_or("");
  ASSERT_TRUE(wait_until([&] {
    const auto list =
        call("kvalitetsleder", "GET", "/api/v1/archive/exports?subject=deviation:" + id);
    return json_at(list.body, "/items/0/journalpost_key") == id + "/registrert" &&
           json_at(list.body, "/items/0/state") == "venter" &&
           json_at(list.body, "/items/0/last_error").value_or("").find("ingen leder") !=
               std::string::npos;
  })) << call("kvalitetsleder", "GET", "/api/v1/archive/exports").body;
  EXPECT_TRUE(messages().empty()) << "no message without a saksansvarlig";
}

TEST_F(ArchiveExportTest, AsicePackagingDropsOneContainerPerMessage) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host("v1", "asice"));
  const std::string id = closed_avvik(false);
  std::optional<fs::path> container;
  ASSERT_TRUE(wait_until(
      [&] {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(drop_dir(), ec)) {
          const std::string name = e.path().filename().string();
          if (e.is_regular_file() && name.find(id) != std::string::npos &&
              name.ends_with(".asice")) {
            container = e.path();
          }
        }
        return container.has_value();
      },
      60s))
      << host_->stderr_text();
  const std::string bytes = read_file(*container);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(bytes.substr(30, 8 + 31), "mimetypeapplication/vnd.etsi.asic-e+zip");
  EXPECT_NE(bytes.find("arkivmelding.xml"), std::string::npos);
  EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
  EXPECT_TRUE(messages().empty()) << "no folders in asice mode";
}

TEST_F(ArchiveExportTest, PublishedVersionIsArchivedWithItsDocumentAndXmlOriginal) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  const std::string base = "/api/v1/procedures/boligflytprosedyre/versions";
  const auto upload =
      call("prosedyreeier", "POST", base, boligflyt::testing::draft_revision(), "application/xml");
  ASSERT_EQ(upload.status, 201u) << upload.body;
  Headers if_match = bearer(token("prosedyreeier"));
  if_match.emplace_back("Content-Type", "application/json");
  if_match.emplace_back("If-Match", upload.header("ETag"));
  ASSERT_EQ(http_request(host_->port(), "POST", base + "/4.1/consultation", if_match,
                         R"({"deadline":"2099-12-31"})")
                .status,
            200u);
  for (const char* unit : {"nav", "boligkontor"}) {
    ASSERT_EQ(call(std::string("leder-") + unit, "PUT", base + "/4.1/consultation/answers/" + unit,
                   R"({"answer":"agree"})")
                  .status,
              200u);
  }
  ASSERT_EQ(call("godkjenner", "POST", base + "/4.1/approval").status, 200u);
  const auto published =
      call("godkjenner", "POST", base + "/4.1/publication",
           std::string(R"({"effective_from":")") + boligflyt::testing::kDraftEffectiveFrom + "\"}");
  ASSERT_EQ(published.status, 200u) << published.body;

  const auto folder = wait_for_message("prosedyre-boligflytprosedyre-4.1");
  ASSERT_TRUE(folder) << host_->stderr_text();
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v1_arkivmelding_xsd(), doc));
  // The XML original is the published version itself.
  const std::string original = read_file(*folder / "prosedyre.xml");
  EXPECT_NE(original.find("version=\"4.1\""), std::string::npos);
  const auto text = run({"pdftotext", (*folder / "prosedyre.pdf").string(), "-"});
  EXPECT_NE(text.out.find("Boligflytprosedyre"), std::string::npos) << text.out.substr(0, 400);
  EXPECT_TRUE(
      wait_until([&] { return export_state("procedure:boligflytprosedyre:4.1") == "sendt"; }));
}

}  // namespace
}  // namespace boligflyt::e2e

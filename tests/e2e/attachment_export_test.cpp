// Saksnummer in every form Norwegian sak/arkiv systems print, and attachments of an avvik, over
// the real host and plugin: what registration accepts is stored in one canonical form and
// always exported (the arkivmelding valid against the official V1 and V2 schemas); a PDF
// attached to an avvik travels into the Fiks Arkiv message as a screened vedlegg with its
// PRONOM format, SHA-256 and size; journalpost references become kryssreferanser; bad files
// are refused with a Norwegian problem naming the field, and nothing of them is stored.

#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/archive_test.h"

namespace boligflyt::e2e {
namespace {

const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00"
    "\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\xda\x63"
    "\x64\x60\xf8\x5f\x0f\x00\x02\x87\x01\x80\xeb\x47\xba\x92\x00\x00\x00\x00\x49\x45\x4e\x44"
    "\xae\x42\x60\x82",
    70);

class AttachmentExportTest : public ArchiveExportTest {
 protected:
  HttpResult attach(const std::string& user, const std::string& id, const std::string& bytes,
                    const std::string& content_type, const std::string& file_name,
                    const std::string& idempotency_key = {}) {
    Headers headers = bearer(token(user));
    headers.emplace_back("Content-Type", content_type);
    headers.emplace_back("X-Filename", file_name);
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return http_request(host_->port(), "POST", "/api/v1/deviations/" + id + "/attachments", headers,
                        bytes);
  }

  void expect_every_form_exported(const std::string& protocol, const std::string& xsd) {
    ASSERT_NO_FATAL_FAILURE(start_archiving_host(protocol));
    const int year = std::stoi(today().substr(0, 4));
    const std::string yy = today().substr(2, 2);
    // As typed → as stored and written (saksaar/sakssekvensnummer).
    const std::vector<std::pair<std::string, std::string>> accepted = {
        {"2026/4185", "2026/4185"},
        {"26/04185", "2026/4185"},
        {"2026/004185", "2026/4185"},
        {" 2025/77 ", "2025/77"},
        {yy + "/00001", std::to_string(year) + "/1"},
        {"98/01234", "1998/1234"},
        {"2099/999999999", "2099/999999999"},
    };
    std::vector<std::pair<std::string, std::string>> registered;  // id, canonical
    for (const auto& [typed, canonical] : accepted) {
      SCOPED_TRACE(typed);
      const std::string id = closed_avvik(false, typed, [&](const std::string& new_id) {
        const auto avvik = call("leder-boligkontor", "GET", "/api/v1/deviations/" + new_id);
        EXPECT_EQ(json_at(avvik.body, "/case_reference"), canonical);
      });
      ASSERT_FALSE(id.empty());
      registered.emplace_back(id, canonical);
    }
    for (const auto& [id, canonical] : registered) {
      SCOPED_TRACE(canonical);
      const auto folder = wait_for_message(id, 90s);
      ASSERT_TRUE(folder) << host_->stderr_text();
      pugi::xml_document doc;
      ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, xsd, doc));
      const auto slash = canonical.find('/');
      EXPECT_EQ(std::string(doc.select_node("//*[local-name()='saksaar']").node().text().get()),
                canonical.substr(0, slash));
      EXPECT_EQ(
          std::string(doc.select_node("//*[local-name()='sakssekvensnummer']").node().text().get()),
          canonical.substr(slash + 1));
      EXPECT_TRUE(wait_until([&] { return export_state("deviation:" + id) == "sendt"; }));
    }
    for (const std::string refused : {"2026/0", "2026/0000", "0000/5", "00000/5", "2100/1",
                                      "1899/5", "2026/1234567890", "2026/00000000001", "2026-4185",
                                      "2026/4185-3", "26/4185/1", "2026/41a5", "/4185", "2026/"}) {
      const std::string body =
          R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
          R"("incident_date":"2025-03-10","category":"annet","severity":"lav",)"
          R"("title":"Saksnummer","description":"Saksnummer i feil form.","case_reference":)" +
          json_quote(refused) + "}";
      const auto r = call("leder-boligkontor", "POST", "/api/v1/deviations", body);
      EXPECT_EQ(r.status, 422u) << refused << ": " << r.body;
      EXPECT_EQ(json_at(r.body, "/field"), "case_reference") << refused;
      EXPECT_NE(r.body.find("saksnummer"), std::string::npos) << r.body;
    }
  }
};

TEST_F(AttachmentExportTest, EverySaksnummerFormRegistrationAcceptsIsExportedValidV1) {
  expect_every_form_exported("v1", v1_arkivmelding_xsd());
}

TEST_F(AttachmentExportTest, EverySaksnummerFormRegistrationAcceptsIsExportedValidV2) {
  expect_every_form_exported("v2", v2_arkivmelding_xsd());
}

TEST_F(AttachmentExportTest, PdfAttachmentTravelsIntoTheArkivmeldingWithItsChecksum) {
  ASSERT_NO_FATAL_FAILURE(start_archiving_host());
  // A real PDF/A-2b to attach: the report of a first archived avvik.
  const std::string first = closed_avvik(false);
  const auto first_folder = wait_for_message(first);
  ASSERT_TRUE(first_folder) << host_->stderr_text();
  const std::string pdf = read_file(*first_folder / "avviksrapport.pdf");
  ASSERT_GT(pdf.size(), 1000u);
  const std::string pdf_sha =
      run({"sha256sum", (*first_folder / "avviksrapport.pdf").string()}).out.substr(0, 64);

  std::string third_party_body;
  const std::string id = closed_avvik(false, "26/04185", [&](const std::string& avvik) {
    const auto added = attach("leder-boligkontor", avvik, pdf, "application/pdf",
                              "Rapport%20fra%20m%C3%B8tet.pdf", "vedlegg-1");
    ASSERT_EQ(added.status, 201u) << added.body;
    EXPECT_EQ(json_at(added.body, "/sha256"), pdf_sha);
    EXPECT_EQ(json_at(added.body, "/file_name"), "Rapport fra møtet.pdf");
    // The same request again is the same attachment.
    const auto replay = attach("leder-boligkontor", avvik, pdf, "application/pdf",
                               "Rapport%20fra%20m%C3%B8tet.pdf", "vedlegg-1");
    EXPECT_EQ(replay.status, 200u) << replay.body;
    EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
    EXPECT_EQ(attach("leder-boligkontor", avvik, kPng, "image/png", "bilde.png").status, 201u);
    const auto reference =
        call("leder-boligkontor", "POST", "/api/v1/deviations/" + avvik + "/attachments",
             R"({"reference":"26/04185-2","description":"Vedtaket"})");
    EXPECT_EQ(reference.status, 201u) << reference.body;
    EXPECT_EQ(json_at(reference.body, "/reference"), "2026/4185-2");

    // Download: the bytes, as a download, not sniffed, to those who see the avvik only.
    const auto download =
        call("leder-boligkontor", "GET", "/api/v1/deviations/" + avvik + "/attachments/1");
    EXPECT_EQ(download.status, 200u);
    EXPECT_EQ(download.body, pdf);
    EXPECT_EQ(download.header("Content-Type"), "application/pdf");
    EXPECT_EQ(download.header("X-Content-Type-Options"), "nosniff");
    EXPECT_TRUE(download.header("Content-Disposition").starts_with("attachment;"))
        << download.header("Content-Disposition");
    const auto avvik_json = call("leder-boligkontor", "GET", "/api/v1/deviations/" + avvik);
    ASSERT_NE(json_at(avvik_json.body, "/responsible_unit"), "klageutvalget");
    third_party_body =
        call("leder-klageutvalget", "GET", "/api/v1/deviations/" + avvik + "/attachments/1").body;
    EXPECT_EQ(
        call("leder-klageutvalget", "GET", "/api/v1/deviations/" + avvik + "/attachments").status,
        404u)
        << "who does not see the avvik is told it does not exist";
    const auto list =
        call("leder-boligkontor", "GET", "/api/v1/deviations/" + avvik + "/attachments");
    EXPECT_EQ(json_array_size(list.body, "/items"), 3u) << list.body;
  });
  EXPECT_EQ(third_party_body.find("%PDF"), std::string::npos) << "a stranger got the file";

  const auto folder = wait_for_message(id);
  ASSERT_TRUE(folder) << host_->stderr_text();
  pugi::xml_document doc;
  ASSERT_NO_FATAL_FAILURE(expect_complete_message(*folder, v1_arkivmelding_xsd(), doc));
  EXPECT_EQ(read_file(*folder / "vedlegg-1.pdf"), pdf);
  // Closed and exported: a later file would never reach the archive, so it is refused.
  const auto late = attach("leder-boligkontor", id, kPng, "image/png", "sent.png");
  EXPECT_EQ(late.status, 409u) << late.body;
  // The PDF: a vedlegg, screened, PDF/A-2b (fmt/477), with the checksum of its bytes.
  pugi::xml_node pdf_doc;
  for (const auto& d : doc.select_nodes("//*[local-name()='dokumentbeskrivelse']")) {
    const auto file = d.node().select_node(".//*[local-name()='filnavn']").node().text().get();
    if (std::string(file) == "vedlegg-1.pdf") pdf_doc = d.node();
  }
  ASSERT_TRUE(pdf_doc) << read_file(*folder / "arkivmelding.xml");
  const auto text = [&](const char* path) {
    return std::string(pdf_doc.select_node(path).node().text().get());
  };
  EXPECT_EQ(text("*[local-name()='tilknyttetRegistreringSom']/*[local-name()='kode']"), "V");
  EXPECT_EQ(text(".//*[local-name()='sjekksum']"), pdf_sha);
  EXPECT_EQ(text(".//*[local-name()='sjekksumAlgoritme']"), "SHA256");
  EXPECT_EQ(text(".//*[local-name()='filstoerrelse']"), std::to_string(pdf.size()));
  EXPECT_EQ(text(".//*[local-name()='format']/*[local-name()='kode']"), "fmt/477");
  EXPECT_EQ(text("*[local-name()='skjerming']/*[local-name()='skjermingshjemmel']"),
            "Offl. § 13 jf. fvl. § 13");
  EXPECT_EQ(read_file(*folder / "vedlegg-2.png"), kPng);
  // The journalpost reference: a kryssreferanse to saksnummer 2026/4185, journalpost 2.
  const auto ref = doc.select_node(
                          "//*[local-name()='kryssreferanse']//"
                          "*[local-name()='saksJournalpostnummer']")
                       .node();
  ASSERT_TRUE(ref);
  EXPECT_EQ(std::string(ref.select_node("*[local-name()='saksaar']").node().text().get()), "2026");
  EXPECT_EQ(std::string(ref.select_node("*[local-name()='journalpostnummer']").node().text().get()),
            "2");
}

TEST_F(AttachmentExportTest, BadFilesAreRefusedByContentAndNothingIsHalfStored) {
  const std::string plugin = R"({"maintenance_interval_ms":200,)"
                             R"("attachments":{"max_file_bytes":4096}})";
  ASSERT_NO_FATAL_FAILURE(
      start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  const std::string body = R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
                           R"("incident_date":"2025-03-10","category":"annet","severity":"lav",)"
                           R"("title":"Vedlegg","description":"Vedlegg som ikke er det de sier."})";
  const auto created = call("leder-boligkontor", "POST", "/api/v1/deviations", body);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json_at(created.body, "/id").value_or("");
  const auto history_size = [&] {
    return json_array_size(
        call("leder-boligkontor", "GET", "/api/v1/deviations/" + id + "/history").body, "/items");
  };
  const auto before = history_size();

  struct Case {
    std::string bytes, type, name;
    unsigned status;
    std::string problem;
  };
  std::string truncated_pdf = "%PDF-1.7\n1 0 obj <<>> endobj\n" + std::string(200, 'x');
  const std::vector<Case> cases = {
      {kPng, "image/jpeg", "bilde.jpg", 422, "file-content-mismatch"},
      {kPng, "application/pdf", "bilde.pdf", 422, "file-content-mismatch"},
      {"Hei, dette er tekst.", "application/pdf", "notat.pdf", 422, "file-content-mismatch"},
      {truncated_pdf, "application/pdf", "avkuttet.pdf", 422, "file-content-mismatch"},
      {kPng.substr(0, 50), "image/png", "avkuttet.png", 422, "file-content-mismatch"},
      {"\xff\xd8\xff\xe0 not really", "image/jpeg", "falsk.jpg", 422, "file-content-mismatch"},
      {"Hei", "text/plain", "notat.txt", 415, "file-type-not-allowed"},
      {std::string(5000, 'a'), "image/png", "stor.png", 413, "file-too-large"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = attach("leder-boligkontor", id, c.bytes, c.type, c.name);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(json_at(r.body, "/field"), "file");
    EXPECT_NE(json_at(r.body, "/type").value_or("").find(c.problem), std::string::npos) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  }
  const auto bad_reference =
      call("leder-boligkontor", "POST", "/api/v1/deviations/" + id + "/attachments",
           R"({"reference":"2026/0"})");
  EXPECT_EQ(bad_reference.status, 422u);
  EXPECT_EQ(json_at(bad_reference.body, "/field"), "reference");

  const auto list = call("leder-boligkontor", "GET", "/api/v1/deviations/" + id + "/attachments");
  EXPECT_EQ(json_array_size(list.body, "/items"), 0u) << list.body;
  EXPECT_EQ(history_size(), before);
  // And a good one is taken.
  EXPECT_EQ(attach("leder-boligkontor", id, kPng, "image/png", "ok.png").status, 201u);
  EXPECT_EQ(history_size(), *before + 1);
}

}  // namespace
}  // namespace boligflyt::e2e

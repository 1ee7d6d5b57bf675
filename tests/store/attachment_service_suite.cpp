// Attachments (issue 12) in the avvik service on every store engine: files recognised by their
// bytes and kept with their checksum, bad files refused with the field and nothing stored,
// journalpost references normalised, and only those who see the avvik see its attachments.
// The store's own part (one transaction, idempotency, the lock) is in attachment_suite.cpp.

#include <chrono>

#include "deviation/attachments.h"
#include "deviation/service.h"
#include "store/service_fixture.h"
#include "store/store_suite.h"
#include "util/sha256.h"

namespace boligflyt::store::testing {
namespace {

using namespace std::chrono_literals;

// The smallest files the content check takes as what they say they are.
const std::string kPdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

class Attaching {
 public:
  explicit Attaching(Store& store)
      : procedures_(store, host_, logger_, BOLIGFLYT_SOURCE_DIR "/procedures",
                    BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd"),
        deviations_(store, procedures_, logger_, deviation::DeviationSettings{},
                    [] {
                      return std::chrono::system_clock::time_point(
                          std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 9h);
                    }),
        attachments_(store, deviations_, logger_,
                     deviation::AttachmentSettings{.max_file_bytes = 1024}) {}

  std::string avvik() {
    deviation::RegisterInput in;
    in.procedure_id = "boligflytprosedyre";
    in.step_id = "tildelingsmote";
    in.incident_date = "2026-03-01";
    in.category = "uklart_ansvar";
    in.severity = "middels";
    in.title = "Referatet manglet";
    in.description = "Referatet fra møtet ble ikke sendt.";
    auto created = deviations_.register_deviation(in, leader_of("nav"), "", "");
    EXPECT_TRUE(created) << created.error().detail;
    return created ? created->record.id : std::string();
  }

  deviation::AttachmentService& attachments() { return attachments_; }

 private:
  QuietHost host_;
  Logger logger_{[](LogLevel, std::string_view) {}};
  procedure::ProcedureService procedures_;
  deviation::DeviationService deviations_;
  deviation::AttachmentService attachments_;
};

TEST_P(StoreSuite, AFileIsKeptWithItsChecksumAndShownOnlyToThoseWhoSeeTheAvvik) {
  Attaching w(store());
  const auto id = w.avvik();
  deviation::FileInput file{kPdf, "application/pdf", "mappe/referat.pdf", "Referatet"};
  auto added = w.attachments().add_file(id, file, leader_of("boligkontor"), "", "");
  ASSERT_TRUE(added) << added.error().detail;
  EXPECT_EQ(added->attachment.file_name, "referat.pdf") << "a path is cut to its last part";
  EXPECT_EQ(added->attachment.sha256, util::sha256_hex(kPdf));
  EXPECT_EQ(added->attachment.size_bytes, static_cast<std::int64_t>(kPdf.size()));

  auto got = w.attachments().get(id, added->attachment.attachment_no, leader_of("nav"));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->content, kPdf) << "the very bytes";
  auto stranger = w.attachments().list(id, leader_of("okonomi"));
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().kind, ErrorKind::kNotFound) << "it does not exist for them";
}

TEST_P(StoreSuite, AFileThatIsNotWhatItSaysOrTooLargeIsRefusedAndNothingIsStored) {
  Attaching w(store());
  const auto id = w.avvik();
  const auto refused = [&](deviation::FileInput in, const std::string& code) {
    auto r = w.attachments().add_file(id, in, leader_of("boligkontor"), "", "");
    ASSERT_FALSE(r) << code;
    EXPECT_EQ(r.error().slug, code);
    EXPECT_EQ(r.error().field, "file") << code;
  };
  refused({kPdf, "image/png", "bilde.png", ""}, "file-content-mismatch");
  refused({"GIF89a....", "image/gif", "bilde.gif", ""}, "file-type-not-allowed");
  refused({kPdf + std::string(2000, ' '), "application/pdf", "stor.pdf", ""}, "file-too-large");
  auto list = w.attachments().list(id, leader_of("boligkontor"));
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty()) << "nothing half-stored";
}

TEST_P(StoreSuite, AJournalpostReferenceIsNormalisedOrRefusedWithTheField) {
  Attaching w(store());
  const auto id = w.avvik();
  auto added = w.attachments().add_reference(id, {"26/04185-2", "Vedtaket"},
                                             leader_of("boligkontor"), "", "");
  ASSERT_TRUE(added) << added.error().detail;
  EXPECT_EQ(added->attachment.reference, "2026/4185-2");
  auto bad = w.attachments().add_reference(id, {"2026/0", ""}, leader_of("boligkontor"), "", "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "reference");
  auto list = w.attachments().list(id, leader_of("nav"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
}

}  // namespace
}  // namespace boligflyt::store::testing

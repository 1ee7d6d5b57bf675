// Attachments of an avvik: the bytes, the history event, the outbox messages and the avvik's
// new revision land together; numbers run 1, 2, … per avvik; binary content comes back
// byte for byte (every byte value, NUL included); an Idempotency-Key replays and is not
// reused; an unknown avvik writes nothing.

#include <string>
#include <vector>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

std::string every_byte_value() {
  std::string bytes;
  for (int round = 0; round < 3; ++round) {
    for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  }
  return bytes + "\x89PNG";  // and a length that is not a multiple of three
}

DeviationAttachment file_attachment(const std::string& content, const std::string& name) {
  DeviationAttachment a;
  a.kind = "file";
  a.file_name = name;
  a.media_type = "image/png";
  a.size_bytes = static_cast<std::int64_t>(content.size());
  a.sha256 = "ab" + std::string(62, '0');
  a.content = content;
  a.description = "Skjermbilde av søknadslisten";
  a.added_by = "leder-nav";
  a.added_at = "2026-03-03T09:00:00.000Z";
  return a;
}

DeviationAttachment reference_attachment(const std::string& reference) {
  DeviationAttachment a;
  a.kind = "reference";
  a.reference = reference;
  a.description = "Vedtaket i saken";
  a.added_by = "leder-tildeling";
  a.added_at = "2026-03-03T10:00:00.000Z";
  return a;
}

TEST_P(StoreSuite, AttachmentIsStoredWithItsEventOutboxAndANewRevision) {
  const auto created = create_ok(store(), make_deviation());
  ASSERT_FALSE(created.id.empty());
  const std::string bytes = every_byte_value();
  auto first = store().add_deviation_attachment(
      created.id, file_attachment(bytes, "søknadsliste æøå.png"),
      make_event("attachment_added", "2026-03-03T09:00:00.000Z", "leder-nav", R"({"n":1})"), "", "",
      {make_message("attachment:" + created.id + ":1")});
  ASSERT_TRUE(first) << describe(first.error());
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->attachment.attachment_no, 1);
  EXPECT_EQ(first->attachment.content, bytes);

  auto second = store().add_deviation_attachment(
      created.id, reference_attachment("2026/4185-3"),
      make_event("attachment_added", "2026-03-03T10:00:00.000Z", "leder-tildeling"), "", "", {});
  ASSERT_TRUE(second) << describe(second.error());
  EXPECT_EQ(second->attachment.attachment_no, 2);

  reopen();
  auto listed = store().deviation_attachments(created.id, false);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].file_name, "søknadsliste æøå.png");
  EXPECT_EQ((*listed)[0].size_bytes, static_cast<std::int64_t>(bytes.size()));
  EXPECT_TRUE((*listed)[0].content.empty()) << "the list carries no bytes";
  EXPECT_EQ((*listed)[1].kind, "reference");
  EXPECT_EQ((*listed)[1].reference, "2026/4185-3");
  EXPECT_EQ((*listed)[1].description, "Vedtaket i saken");

  auto with_content = store().deviation_attachments(created.id, true);
  ASSERT_TRUE(with_content);
  EXPECT_EQ((*with_content)[0].content, bytes);
  auto one = store().deviation_attachment(created.id, 1);
  ASSERT_TRUE(one && one->has_value());
  EXPECT_EQ((*one)->content, bytes);
  EXPECT_EQ((*one)->media_type, "image/png");
  auto none = store().deviation_attachment(created.id, 3);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto history = store().deviation_history(created.id);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].kind, "attachment_added");
  expect_valid_chain(created.id, *history);
  EXPECT_TRUE(store().find_outbox("attachment:" + created.id + ":1").value().has_value());
  auto after = store().get_deviation(created.id);
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->revision, created.revision + 2);
}

TEST_P(StoreSuite, AttachmentIdempotencyKeyReplaysAndIsNotReused) {
  const auto created = create_ok(store(), make_deviation());
  const auto a = file_attachment("bytes one", "a.png");
  const auto event = make_event("attachment_added", a.added_at, a.added_by);
  auto first = store().add_deviation_attachment(created.id, a, event, "key-1", "sha-1", {});
  ASSERT_TRUE(first) << describe(first.error());
  auto again = store().add_deviation_attachment(created.id, a, event, "key-1", "sha-1", {});
  ASSERT_TRUE(again) << describe(again.error());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->attachment.attachment_no, first->attachment.attachment_no);
  EXPECT_EQ(again->attachment.content, "bytes one");
  auto reused = store().add_deviation_attachment(created.id, file_attachment("other", "b.png"),
                                                 event, "key-1", "sha-2", {});
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().slug, "idempotency-key-reused");
  EXPECT_EQ(store().deviation_attachments(created.id, false)->size(), 1u);
  EXPECT_EQ(store().deviation_history(created.id)->size(), 2u);
}

TEST_P(StoreSuite, AttachmentToAnUnknownAvvikWritesNothing) {
  auto added = store().add_deviation_attachment(
      "AVVIK-2026-9999", file_attachment("x", "x.png"),
      make_event("attachment_added", "2026-03-03T09:00:00.000Z", "leder-nav"), "", "",
      {make_message("attachment:orphan")});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(store().find_outbox("attachment:orphan").value().has_value());
  EXPECT_TRUE(store().deviation_attachments("AVVIK-2026-9999", false)->empty());
}

TEST_P(StoreSuite, AttachmentToAClosedAvvikIsRefusedUnderTheLock) {
  auto created = create_ok(store(), make_deviation());
  auto closed = created;
  closed.status = "lukket";
  closed.closed_at = "2026-03-04T08:00:00.000Z";
  closed.closed_epoch = epoch_of(2026, 3, 4, 8);
  auto updated = store().update_deviation(closed, created.revision, {}, {});
  ASSERT_TRUE(updated) << describe(updated.error());
  auto added = store().add_deviation_attachment(
      created.id, file_attachment("x", "x.png"),
      make_event("attachment_added", "2026-03-05T09:00:00.000Z", "leder-nav"), "", "",
      {make_message("attachment:late")});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(added.error().slug, "closed");
  EXPECT_TRUE(store().deviation_attachments(created.id, false)->empty());
  EXPECT_FALSE(store().find_outbox("attachment:late").value().has_value());
  EXPECT_EQ(store().get_deviation(created.id).value()->revision, updated->revision);
}

}  // namespace
}  // namespace boligflyt::store::testing

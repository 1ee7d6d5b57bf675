// Outbox messages by id and by dedupe key, and the archive's receipts: stored per export
// together with the outcome of the outbox message that carried the export, in one
// transaction.

#include <algorithm>
#include <string>
#include <vector>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

ArchiveReceiptRecord make_receipt(const std::string& export_key, const std::string& subject,
                                  const std::string& received_at,
                                  const std::string& outcome = "kvittering") {
  ArchiveReceiptRecord r;
  r.export_key = export_key;
  r.subject = subject;
  r.outcome = outcome;
  if (outcome == "kvittering") {
    r.system_id = "sys-" + export_key;
    r.case_number = "2026/4185";
    r.journalpost_number = "2026/77";
  } else {
    r.error_text = "Ukjent arkivdel";
  }
  r.received_at = received_at;
  return r;
}

std::vector<std::string> keys_of(const std::vector<ArchiveReceiptRecord>& receipts) {
  std::vector<std::string> keys;
  keys.reserve(receipts.size());
  for (const auto& r : receipts) keys.push_back(r.export_key);
  return keys;
}

void expect_same_receipt(const ArchiveReceiptRecord& expected, const ArchiveReceiptRecord& actual) {
  EXPECT_EQ(actual.export_key, expected.export_key);
  EXPECT_EQ(actual.subject, expected.subject);
  EXPECT_EQ(actual.outcome, expected.outcome);
  EXPECT_EQ(actual.system_id, expected.system_id);
  EXPECT_EQ(actual.case_number, expected.case_number);
  EXPECT_EQ(actual.journalpost_number, expected.journalpost_number);
  EXPECT_EQ(actual.error_text, expected.error_text);
  EXPECT_EQ(actual.received_at, expected.received_at);
}

/// Enqueues one archive message per key and returns them as stored (with ids), in key order.
std::vector<OutboxMessage> enqueue_archive(Store& store, const std::vector<std::string>& keys) {
  std::vector<OutboxMessage> messages;
  messages.reserve(keys.size());
  for (const auto& key : keys) messages.push_back(make_message(key, "archive"));
  EXPECT_TRUE(store.enqueue_outbox(messages));
  std::vector<OutboxMessage> stored;
  for (const auto& key : keys) {
    auto found = store.find_outbox(key);
    EXPECT_TRUE(found && found->has_value()) << key;
    if (found && found->has_value()) stored.push_back(**found);
  }
  return stored;
}

OutboxMessage delivered(OutboxMessage m, const std::string& at) {
  m.status = "delivered";
  m.attempts += 1;
  m.delivered_at = at;
  m.last_error.clear();
  return m;
}

TEST_P(StoreSuite, OutboxMessagesAreFoundByIdAndByDedupeKey) {
  auto first = make_message("n1");
  first.payload_json = R"({"v":1})";
  first.next_attempt_epoch = 1234;
  ASSERT_TRUE(store().enqueue_outbox({first, make_message("a1", "archive")}));

  auto by_key = store().find_outbox("n1");
  ASSERT_TRUE(by_key) << describe(by_key.error());
  ASSERT_TRUE(by_key->has_value());
  const OutboxMessage& m = **by_key;
  EXPECT_GT(m.id, 0);
  EXPECT_EQ(m.topic, "notification");
  EXPECT_EQ(m.dedupe_key, "n1");
  EXPECT_EQ(m.payload_json, R"({"v":1})");
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.next_attempt_epoch, 1234);
  EXPECT_TRUE(m.last_error.empty());
  EXPECT_FALSE(m.created_at.empty());
  EXPECT_TRUE(m.delivered_at.empty());

  auto by_id = store().get_outbox(m.id);
  ASSERT_TRUE(by_id) << describe(by_id.error());
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->id, m.id);
  EXPECT_EQ((*by_id)->dedupe_key, "n1");
  EXPECT_EQ((*by_id)->payload_json, R"({"v":1})");
  EXPECT_EQ((*by_id)->created_at, m.created_at);

  auto archive = store().find_outbox("a1");
  ASSERT_TRUE(archive);
  ASSERT_TRUE(archive->has_value());
  EXPECT_EQ((*archive)->topic, "archive");
  EXPECT_NE((*archive)->id, m.id);

  // The outcome of an attempt shows in both.
  auto done = delivered(m, "2026-03-02T08:00:01Z");
  ASSERT_TRUE(store().finish_outbox(done));
  auto after = store().get_outbox(m.id);
  ASSERT_TRUE(after);
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->status, "delivered");
  EXPECT_EQ((*after)->attempts, 1);
  EXPECT_EQ((*after)->delivered_at, "2026-03-02T08:00:01Z");
}

TEST_P(StoreSuite, UnknownOutboxMessagesAreNotFound) {
  auto none_by_id = store().get_outbox(987654321);
  ASSERT_TRUE(none_by_id) << describe(none_by_id.error());
  EXPECT_FALSE(none_by_id->has_value());
  auto none_by_key = store().find_outbox("ukjent");
  ASSERT_TRUE(none_by_key) << describe(none_by_key.error());
  EXPECT_FALSE(none_by_key->has_value());

  ASSERT_TRUE(store().enqueue_outbox({make_message("k1")}));
  auto still_none = store().find_outbox("k2");
  ASSERT_TRUE(still_none);
  EXPECT_FALSE(still_none->has_value());
  auto empty_key = store().find_outbox("");
  ASSERT_TRUE(empty_key);
  EXPECT_FALSE(empty_key->has_value());
  auto zero = store().get_outbox(0);
  ASSERT_TRUE(zero);
  EXPECT_FALSE(zero->has_value());
}

TEST_P(StoreSuite, RecordArchiveReceiptWritesReceiptAndOutcome) {
  const auto messages = enqueue_archive(store(), {"export-1", "export-2"});
  ASSERT_EQ(messages.size(), 2U);
  const auto receipt =
      make_receipt("export-1", "deviation:AVVIK-2026-0001", "2026-03-02T08:00:05.000Z");
  auto done = delivered(messages[0], "2026-03-02T08:00:05.000Z");
  auto recorded = store().record_archive_receipt(receipt, done);
  ASSERT_TRUE(recorded) << describe(recorded.error());

  auto stored = store().archive_receipt("export-1");
  ASSERT_TRUE(stored) << describe(stored.error());
  ASSERT_TRUE(stored->has_value());
  expect_same_receipt(receipt, **stored);

  auto message = store().get_outbox(messages[0].id);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ((*message)->status, "delivered");
  EXPECT_EQ((*message)->attempts, 1);
  EXPECT_EQ((*message)->delivered_at, "2026-03-02T08:00:05.000Z");
  EXPECT_EQ((*message)->payload_json, messages[0].payload_json) << "the payload is not touched";

  // The other message is untouched.
  auto other = store().get_outbox(messages[1].id);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->status, "pending");
  EXPECT_EQ((*other)->attempts, 0);

  // A feilmelding with a retry: every outcome field of the message is written.
  const auto failure = make_receipt("export-2", "procedure:boligflyt:3.0",
                                    "2026-03-02T08:00:06.000Z", "feilmelding");
  auto retry = messages[1];
  retry.attempts = 3;
  retry.next_attempt_epoch = 5000;
  retry.last_error = "Arkivet svarte med feilmelding";
  ASSERT_TRUE(store().record_archive_receipt(failure, retry));
  auto stored_failure = store().archive_receipt("export-2");
  ASSERT_TRUE(stored_failure);
  ASSERT_TRUE(stored_failure->has_value());
  expect_same_receipt(failure, **stored_failure);
  auto retried = store().find_outbox("export-2");
  ASSERT_TRUE(retried);
  ASSERT_TRUE(retried->has_value());
  EXPECT_EQ((*retried)->status, "pending");
  EXPECT_EQ((*retried)->attempts, 3);
  EXPECT_EQ((*retried)->next_attempt_epoch, 5000);
  EXPECT_EQ((*retried)->last_error, "Arkivet svarte med feilmelding");
  EXPECT_TRUE((*retried)->delivered_at.empty());

  auto counts = store().outbox_counts("archive");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->delivered, 1);

  // Durable: both are there after a restart.
  reopen();
  auto again = store().archive_receipt("export-1");
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->has_value());
  expect_same_receipt(receipt, **again);
  auto message_again = store().get_outbox(messages[0].id);
  ASSERT_TRUE(message_again);
  ASSERT_TRUE(message_again->has_value());
  EXPECT_EQ((*message_again)->status, "delivered");
}

TEST_P(StoreSuite, ALaterReceiptForTheSameExportReplacesTheEarlier) {
  const auto messages = enqueue_archive(store(), {"export-1"});
  ASSERT_EQ(messages.size(), 1U);
  const std::string subject = "deviation:AVVIK-2026-0001";
  auto failed = messages[0];
  failed.attempts = 1;
  failed.next_attempt_epoch = 2000;
  failed.last_error = "Arkivet svarte med feilmelding";
  ASSERT_TRUE(store().record_archive_receipt(
      make_receipt("export-1", subject, "2026-03-02T08:00:00.000Z", "feilmelding"), failed));

  const auto receipt = make_receipt("export-1", subject, "2026-03-02T09:00:00.000Z");
  ASSERT_TRUE(store().record_archive_receipt(receipt, delivered(failed, receipt.received_at)));

  auto stored = store().archive_receipt("export-1");
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  expect_same_receipt(receipt, **stored);
  EXPECT_TRUE((*stored)->error_text.empty()) << "nothing of the earlier receipt is left";
  auto all = store().archive_receipts(subject);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1U);
  expect_same_receipt(receipt, all->front());

  auto message = store().get_outbox(messages[0].id);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ((*message)->status, "delivered");
  EXPECT_EQ((*message)->attempts, 2);
  EXPECT_TRUE((*message)->last_error.empty());
}

TEST_P(StoreSuite, ReceiptForAnUnknownMessageWritesNothing) {
  const auto messages = enqueue_archive(store(), {"export-1"});
  ASSERT_EQ(messages.size(), 1U);
  auto ghost = delivered(make_message("ghost", "archive"), "2026-03-02T08:00:00.000Z");
  ghost.id = 987654321;
  const auto receipt = make_receipt("ghost", "deviation:AVVIK-2026-0001", ghost.delivered_at);

  auto missing = store().record_archive_receipt(receipt, ghost);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound) << describe(missing.error());
  EXPECT_EQ(missing.error().slug, "outbox-message-not-found");
  // The same error as finish_outbox's.
  auto finish = store().finish_outbox(ghost);
  ASSERT_FALSE(finish);
  EXPECT_EQ(finish.error().slug, missing.error().slug);
  EXPECT_EQ(finish.error().title, missing.error().title);
  EXPECT_EQ(finish.error().detail, missing.error().detail);

  auto none = store().archive_receipt("ghost");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto listed = store().archive_receipts("deviation:AVVIK-2026-0001");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());

  // An earlier receipt under the key stays as it was.
  const auto first =
      make_receipt("export-1", "deviation:AVVIK-2026-0001", "2026-03-02T08:00:00.000Z");
  ASSERT_TRUE(store().record_archive_receipt(first, delivered(messages[0], first.received_at)));
  auto replacement = make_receipt("export-1", "deviation:AVVIK-2026-0001",
                                  "2026-03-02T10:00:00.000Z", "feilmelding");
  auto wrong_id = messages[0];
  wrong_id.id = 987654321;
  auto refused = store().record_archive_receipt(replacement, wrong_id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kNotFound);
  auto kept = store().archive_receipt("export-1");
  ASSERT_TRUE(kept);
  ASSERT_TRUE(kept->has_value());
  expect_same_receipt(first, **kept);

  // A message status the outbox does not know is refused before anything is written.
  auto bad_status = messages[0];
  bad_status.status = "sent";
  auto invalid = store().record_archive_receipt(replacement, bad_status);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, ErrorKind::kInternal);
  auto unchanged = store().archive_receipt("export-1");
  ASSERT_TRUE(unchanged);
  ASSERT_TRUE(unchanged->has_value());
  expect_same_receipt(first, **unchanged);
}

TEST_P(StoreSuite, ReceiptsOfASubjectAreListedOldestFirst) {
  const auto messages = enqueue_archive(store(), {"e1", "e2", "e3", "e4", "e5", "other"});
  ASSERT_EQ(messages.size(), 6U);
  const std::string subject = "deviation:AVVIK-2026-0001";
  // Recorded out of order; e4 and e2 were received at the same time (recording order then).
  const std::vector<ArchiveReceiptRecord> receipts = {
      make_receipt("e3", subject, "2026-03-02T08:00:03.000Z"),
      make_receipt("e1", subject, "2026-03-02T08:00:01.000Z", "feilmelding"),
      make_receipt("e4", subject, "2026-03-02T08:00:02.000Z"),
      make_receipt("e2", subject, "2026-03-02T08:00:02.000Z"),
      make_receipt("other", "deviation:AVVIK-2026-0002", "2026-03-02T08:00:00.000Z"),
      make_receipt("e5", "procedure:boligflyt:3.0", "2026-03-02T07:00:00.000Z"),
  };
  for (const auto& receipt : receipts) {
    const auto it = std::find_if(messages.begin(), messages.end(), [&](const OutboxMessage& m) {
      return m.dedupe_key == receipt.export_key;
    });
    ASSERT_NE(it, messages.end());
    auto recorded = store().record_archive_receipt(receipt, delivered(*it, receipt.received_at));
    ASSERT_TRUE(recorded) << describe(recorded.error());
  }

  auto listed = store().archive_receipts(subject);
  ASSERT_TRUE(listed) << describe(listed.error());
  EXPECT_EQ(keys_of(*listed), (std::vector<std::string>{"e1", "e4", "e2", "e3"}));
  ASSERT_EQ(listed->size(), 4U);
  expect_same_receipt(receipts[1], listed->at(0));
  expect_same_receipt(receipts[0], listed->at(3));

  auto other = store().archive_receipts("deviation:AVVIK-2026-0002");
  ASSERT_TRUE(other);
  EXPECT_EQ(keys_of(*other), (std::vector<std::string>{"other"}));
  auto procedure = store().archive_receipts("procedure:boligflyt:3.0");
  ASSERT_TRUE(procedure);
  EXPECT_EQ(keys_of(*procedure), (std::vector<std::string>{"e5"}));
  auto none = store().archive_receipts("deviation:AVVIK-2026-9999");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto prefix = store().archive_receipts("deviation:");
  ASSERT_TRUE(prefix);
  EXPECT_TRUE(prefix->empty()) << "the subject is matched exactly";

  // A replacement counts as recorded anew: among equal times it now comes last.
  ASSERT_TRUE(
      store().record_archive_receipt(receipts[2], delivered(messages[3], receipts[2].received_at)));
  auto reordered = store().archive_receipts(subject);
  ASSERT_TRUE(reordered);
  EXPECT_EQ(keys_of(*reordered), (std::vector<std::string>{"e1", "e2", "e4", "e3"}));
}

TEST_P(StoreSuite, AMissingReceiptIsEmpty) {
  auto none = store().archive_receipt("export-1");
  ASSERT_TRUE(none) << describe(none.error());
  EXPECT_FALSE(none->has_value());
  auto listed = store().archive_receipts("deviation:AVVIK-2026-0001");
  ASSERT_TRUE(listed) << describe(listed.error());
  EXPECT_TRUE(listed->empty());

  const auto messages = enqueue_archive(store(), {"export-1"});
  ASSERT_EQ(messages.size(), 1U);
  ASSERT_TRUE(store().record_archive_receipt(
      make_receipt("export-1", "deviation:AVVIK-2026-0001", "2026-03-02T08:00:00.000Z"),
      delivered(messages[0], "2026-03-02T08:00:00.000Z")));
  auto other = store().archive_receipt("export-2");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
  auto empty = store().archive_receipt("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
}

}  // namespace
}  // namespace boligflyt::store::testing

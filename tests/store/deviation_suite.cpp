// Avvik in the store: ids, idempotency, optimistic concurrency, the hash-chained history,
// the outbox written with the change, concurrency and durability.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

std::size_t history_size(Store& store, const std::string& id) {
  auto history = store.deviation_history(id);
  EXPECT_TRUE(history);
  return history ? history->size() : 0;
}

std::int64_t pending_outbox(Store& store) {
  auto counts = store.outbox_counts("notification");
  EXPECT_TRUE(counts);
  return counts ? counts->pending : -1;
}

TEST_P(StoreSuite, CreateAssignsGaplessIdsPerYear) {
  for (int i = 1; i <= 3; ++i) {
    const auto created = create_ok(store(), make_deviation(epoch_of(2026, 3, i, 8)));
    EXPECT_EQ(created.id, "AVVIK-2026-000" + std::to_string(i));
    EXPECT_EQ(created.year, 2026);
    EXPECT_EQ(created.number, i);
    EXPECT_EQ(created.revision, 1);
  }
  // Another year has its own sequence, and does not disturb this one.
  EXPECT_EQ(create_ok(store(), make_deviation(epoch_of(2025, 12, 30))).id, "AVVIK-2025-0001");
  EXPECT_EQ(create_ok(store(), make_deviation(epoch_of(2025, 12, 31))).id, "AVVIK-2025-0002");
  EXPECT_EQ(create_ok(store(), make_deviation(epoch_of(2026, 3, 9))).id, "AVVIK-2026-0004");
  EXPECT_EQ(create_ok(store(), make_deviation(epoch_of(2027, 1, 1))).id, "AVVIK-2027-0001");
}

TEST_P(StoreSuite, CreateAndGetRoundTripEveryField) {
  auto r = make_deviation(epoch_of(2026, 3, 2, 8, 15, 30));
  r.id = "ignored";  // assigned by the store
  r.number = 77;     // assigned by the store
  r.procedure_version = "2.0";
  r.step_id = "husleierestanse-kontakt";
  r.incident_date = "2026-02-27";
  r.category = "informasjon";
  r.severity = "kritisk";
  r.title = "Varsel om restanse kom ikke fram – æøå ÆØÅ";
  r.description = "Linje 1\nLinje 2 med «anførsel» og 'apostrof' og \"sitat\"";
  r.reporting_unit = "eiendom";
  r.reporter = "leder-eiendom";
  r.responsible_unit = "boligkontor";
  r.case_reference = "2026/4185";
  r.personal_data = true;
  r.status = "mottatt";
  r.received_at = "2026-03-02T09:00:00Z";
  r.receive_due_epoch = 1772524800;
  r.close_due_epoch = 1774944000;
  r.cause = "årsak";
  r.evaluation = "vurdering";
  r.rejection_reason = "avvisning";
  r.reopen_reason = "gjenåpning";
  r.resolved_in_version = "4.0";
  r.linked_draft_version = "4.1";
  r.closed_at = "2026-03-03T10:00:00Z";
  r.closed_epoch = 1772532000;
  r.participants = {"nav", "helse", "eiendom"};
  r.actions = {
      {1, "boligkontor", "Rutine for varsel", "2026-03-20", "", "leder-boligkontor",
       "2026-03-02T09:05:00Z"},
      {2, "nav", "Opplæring", "2026-04-01", "2026-03-30", "leder-nav", "2026-03-02T09:06:00Z"}};
  r.comments = {{1, "leder-eiendom", "Første kommentar", "2026-03-02T08:16:00Z"},
                {2, "leder-boligkontor", "Andre", "2026-03-02T08:17:00Z"}};

  const auto created = create_ok(store(), r);
  ASSERT_EQ(created.id, "AVVIK-2026-0001");
  auto expected = r;
  expected.id = "AVVIK-2026-0001";
  expected.number = 1;
  expected.revision = 1;
  expect_same_deviation(expected, created);

  auto got = store().get_deviation("AVVIK-2026-0001");
  ASSERT_TRUE(got) << describe(got.error());
  ASSERT_TRUE(got->has_value());
  expect_same_deviation(expected, **got);

  auto missing = store().get_deviation("AVVIK-2026-0002");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreSuite, IdempotentReplayReturnsTheStoredAvvikAndWritesNothing) {
  const auto r = make_deviation();
  // A different dedupe key per call: a replay that wrote its messages would show.
  int outbox_calls = 0;
  auto outbox_for = [&]() {
    ++outbox_calls;
    return std::vector<OutboxMessage>{make_message(
        "registered:" + std::string(kAssignedDeviationId) + ":" + std::to_string(outbox_calls))};
  };
  auto first = store().create_deviation(r, registered_event(r), "key-1", "sha-a", outbox_for());
  ASSERT_TRUE(first) << describe(first.error());
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->record.id, "AVVIK-2026-0001");

  auto again = store().create_deviation(r, registered_event(r), "key-1", "sha-a", outbox_for());
  ASSERT_TRUE(again) << describe(again.error());
  EXPECT_TRUE(again->replayed);
  expect_same_deviation(first->record, again->record);
  EXPECT_EQ(history_size(store(), "AVVIK-2026-0001"), 1U);
  EXPECT_EQ(pending_outbox(store()), 1);

  // A different request under the same key is refused, and costs no number.
  auto changed = r;
  changed.title = "Noe helt annet";
  auto reused =
      store().create_deviation(changed, registered_event(changed), "key-1", "sha-b", outbox_for());
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(reused.error().slug, "idempotency-key-reused");
  EXPECT_FALSE(reused.error().detail.empty());
  EXPECT_EQ(pending_outbox(store()), 1);

  // The key belongs to the reporter: another reporter may use the same key.
  auto other = r;
  other.reporter = "leder-helse";
  auto theirs = store().create_deviation(other, registered_event(other), "key-1", "sha-b", {});
  ASSERT_TRUE(theirs) << describe(theirs.error());
  EXPECT_FALSE(theirs->replayed);
  EXPECT_EQ(theirs->record.id, "AVVIK-2026-0002");

  // A replay after a change returns the avvik as it is now.
  auto updated = first->record;
  updated.status = "mottatt";
  ASSERT_TRUE(store().update_deviation(updated, 1, {}, {}));
  auto later = store().create_deviation(r, registered_event(r), "key-1", "sha-a", outbox_for());
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->replayed);
  EXPECT_EQ(later->record.id, "AVVIK-2026-0001");
  EXPECT_EQ(later->record.status, "mottatt");
  EXPECT_EQ(later->record.revision, 2);
}

TEST_P(StoreSuite, AnEmptyIdempotencyKeyDisablesTheCheck) {
  const auto r = make_deviation();
  auto a = store().create_deviation(r, registered_event(r), "", "sha", {});
  auto b = store().create_deviation(r, registered_event(r), "", "sha", {});
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->replayed);
  EXPECT_EQ(a->record.id, "AVVIK-2026-0001");
  EXPECT_EQ(b->record.id, "AVVIK-2026-0002");
}

TEST_P(StoreSuite, AFailedCreateWritesNothingAndCostsNoNumber) {
  const auto r = make_deviation();
  // The messages are written last, in the same transaction; when the store refuses one (an
  // unknown status), everything is undone.
  auto refused = make_message("registered:" + std::string(kAssignedDeviationId));
  refused.status = "bogus";
  auto failed = store().create_deviation(r, registered_event(r), "key-x", "sha", {refused});
  ASSERT_FALSE(failed);
  auto missing = store().get_deviation("AVVIK-2026-0001");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  EXPECT_TRUE(store().deviation_history("AVVIK-2026-0001")->empty());
  EXPECT_TRUE(list_all(store(), {}).empty());

  // The key was not taken and the number was not used.
  auto retried = store().create_deviation(r, registered_event(r), "key-x", "sha", {});
  ASSERT_TRUE(retried) << describe(retried.error());
  EXPECT_FALSE(retried->replayed);
  EXPECT_EQ(retried->record.id, "AVVIK-2026-0001");
}

TEST_P(StoreSuite, UpdateWritesMutableFieldsAndChildren) {
  auto r = make_deviation();
  r.participants = {"nav"};
  r.actions = {
      {1, "tildeling", "Ny rutine", "2026-04-01", "", "leder-tildeling", "2026-03-02T09:00:00Z"}};
  r.comments = {{1, "leder-nav", "Første", "2026-03-02T08:01:00Z"}};
  const auto created = create_ok(store(), r);
  ASSERT_EQ(created.revision, 1);

  auto u = created;
  u.status = "tiltak";
  u.title = "Ny tittel";
  u.description = "Ny beskrivelse";
  u.severity = "hoy";
  u.category = "samarbeid";
  u.responsible_unit = "boligkontor";
  u.case_reference = "2026/77";
  u.personal_data = true;
  u.updated_at = "2026-03-04T10:00:00Z";
  u.received_at = "2026-03-03T08:00:00Z";
  u.close_due_epoch = created.close_due_epoch + 86400;
  u.cause = "Manglende rutine";
  u.linked_draft_version = "4.0";
  u.participants = {"helse", "eiendom"};
  u.actions = {
      {1, "tildeling", "Ny rutine", "2026-04-01", "2026-03-04", "leder-tildeling",
       "2026-03-02T09:00:00Z"},
      {2, "helse", "Opplæring", "2026-05-01", "", "leder-boligkontor", "2026-03-04T10:00:00Z"}};
  u.comments = {{1, "leder-nav", "Forsøk på å endre en lagret kommentar", "2026-03-02T08:01:00Z"},
                {2, "leder-boligkontor", "Andre", "2026-03-04T10:00:00Z"}};
  // Facts of the registration cannot be changed by an update.
  u.number = 99;
  u.year = 1999;
  u.reporter = "noen-andre";
  u.created_at = "1999-01-01T00:00:00Z";
  u.created_epoch = 1;

  auto updated = store().update_deviation(
      u, 1, {make_event("transition", u.updated_at, "leder-boligkontor")}, {});
  ASSERT_TRUE(updated) << describe(updated.error());
  auto expected = u;
  expected.revision = 2;
  expected.number = created.number;
  expected.year = created.year;
  expected.reporter = created.reporter;
  expected.created_at = created.created_at;
  expected.created_epoch = created.created_epoch;
  expected.comments[0].text = "Første";  // stored comments are never changed
  expect_same_deviation(expected, *updated);
  auto got = store().get_deviation(created.id);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  expect_same_deviation(expected, **got);

  // Participants and actions are replaced, not merged.
  auto fewer = **got;
  fewer.participants.clear();
  fewer.actions.clear();
  fewer.updated_at = "2026-03-05T10:00:00Z";
  auto cleared = store().update_deviation(fewer, 2, {}, {});
  ASSERT_TRUE(cleared);
  EXPECT_TRUE(cleared->participants.empty());
  EXPECT_TRUE(cleared->actions.empty());
  EXPECT_EQ(cleared->comments.size(), 2U);
  EXPECT_EQ(cleared->revision, 3);
  EXPECT_EQ(cleared->updated_at, "2026-03-05T10:00:00Z");
}

TEST_P(StoreSuite, UpdateWithAStaleRevisionIsRefusedAndWritesNothing) {
  const auto created = create_ok(store(), make_deviation(), {make_message("registered")});
  auto first = created;
  first.title = "Første endring";
  ASSERT_TRUE(store().update_deviation(
      first, 1, {make_event("edited", "2026-03-03T08:00:00Z", "a")}, {make_message("edited-1")}));

  auto second = created;  // still revision 1
  second.title = "Andre endring";
  second.status = "avvist";
  second.participants = {"helse"};
  second.comments = {{1, "b", "Kommentar som ikke skal lagres", "2026-03-03T09:00:00Z"}};
  auto refused =
      store().update_deviation(second, 1, {make_event("transition", "2026-03-03T09:00:00Z", "b")},
                               {make_message("edited-2")});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kPreconditionFailed);
  EXPECT_EQ(refused.error().slug, "precondition-failed");

  auto got = store().get_deviation(created.id);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->title, "Første endring");
  EXPECT_EQ((*got)->status, "registrert");
  EXPECT_EQ((*got)->revision, 2);
  EXPECT_TRUE((*got)->participants.empty());
  EXPECT_TRUE((*got)->comments.empty());
  EXPECT_EQ(history_size(store(), created.id), 2U);
  EXPECT_EQ(pending_outbox(store()), 2);
  auto outbox = store().list_outbox("notification", "", 10);
  ASSERT_TRUE(outbox);
  for (const auto& m : *outbox) EXPECT_NE(m.dedupe_key, "edited-2");

  // A revision from the future is just as stale.
  EXPECT_FALSE(store().update_deviation(first, 7, {}, {}));
}

TEST_P(StoreSuite, UpdatingAnUnknownAvvikIsNotFound) {
  auto ghost = make_deviation();
  ghost.id = "AVVIK-2026-0042";
  auto result = store().update_deviation(ghost, 1, {make_event("edited", "x", "y")}, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store().deviation_history("AVVIK-2026-0042")->empty());
}

TEST_P(StoreSuite, HistoryIsAnAppendOnlyHashChain) {
  const auto created = create_ok(store(), make_deviation());
  const auto other = create_ok(store(), make_deviation());
  std::vector<DeviationEvent> given = {registered_event(make_deviation())};
  auto current = created;
  const std::vector<std::vector<DeviationEvent>> batches = {
      {make_event("transition", "2026-03-03T08:00:00Z", "leder-tildeling",
                  R"({"before":{"status":"registrert"},"after":{"status":"mottatt"}})"),
       make_event("comment", "2026-03-03T08:00:00Z", "leder-tildeling", R"({"comment_no":1})")},
      {},
      {make_event("action_added", "2026-03-04T12:30:00Z", "leder-tildeling",
                  R"({"after":{"action_no":1,"description":"Ny rutine – «viktig»"}})")}};
  for (const auto& batch : batches) {
    auto updated = store().update_deviation(current, current.revision, batch, {});
    ASSERT_TRUE(updated) << describe(updated.error());
    current = *updated;
    given.insert(given.end(), batch.begin(), batch.end());
  }
  auto history = store().deviation_history(created.id);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), given.size());
  for (std::size_t i = 0; i < given.size(); ++i) {
    EXPECT_EQ(history->at(i).at, given[i].at);
    EXPECT_EQ(history->at(i).actor, given[i].actor);
    EXPECT_EQ(history->at(i).kind, given[i].kind);
    EXPECT_EQ(history->at(i).data_json, given[i].data_json);
  }
  expect_valid_chain(created.id, *history);
  EXPECT_NE(history->at(1).hash, history->at(2).hash) << "same content, different seq";

  // Each avvik has its own chain.
  auto theirs = store().deviation_history(other.id);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1U);
  expect_valid_chain(other.id, *theirs);
  EXPECT_NE(theirs->at(0).hash, history->at(0).hash) << "the id is part of the hash";
}

TEST_P(StoreSuite, OutboxMessagesAreWrittenWithTheChange) {
  auto r = make_deviation();
  // The messages name the id the store assigns through the placeholder, in the dedupe key
  // and in the payload (every occurrence).
  const std::string id(kAssignedDeviationId);
  auto message = make_message("registered:" + id);
  message.payload_json = R"({"id":")" + id + R"(","link":"/avvik/)" + id + R"("})";
  auto created = store().create_deviation(r, registered_event(r), "k", "s",
                                          {message, make_message("registered:" + id)});
  ASSERT_TRUE(created) << describe(created.error());
  EXPECT_EQ(created->record.id, "AVVIK-2026-0001");
  EXPECT_EQ(created->record.number, 1);
  EXPECT_EQ(created->record.revision, 1);
  EXPECT_EQ(pending_outbox(store()), 1) << "duplicate dedupe key in one batch";
  auto named = store().find_outbox("registered:AVVIK-2026-0001");
  ASSERT_TRUE(named);
  ASSERT_TRUE(named->has_value());
  EXPECT_EQ((*named)->payload_json, R"({"id":"AVVIK-2026-0001","link":"/avvik/AVVIK-2026-0001"})");
  EXPECT_FALSE(store().find_outbox("registered:" + id)->has_value());

  auto u = created->record;
  u.status = "mottatt";
  ASSERT_TRUE(store().update_deviation(
      u, 1, {},
      {make_message("received:" + u.id, "notification"), make_message("registered:" + u.id),
       make_message("archive:" + u.id, "archive")}));
  EXPECT_EQ(pending_outbox(store()), 2);
  auto list = store().list_outbox("notification", "", 10);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ(list->at(0).dedupe_key, "received:AVVIK-2026-0001");
  EXPECT_EQ(list->at(1).dedupe_key, "registered:AVVIK-2026-0001");
  EXPECT_EQ(list->at(1).payload_json,
            R"({"id":"AVVIK-2026-0001","link":"/avvik/AVVIK-2026-0001"})");
  EXPECT_EQ(list->at(1).status, "pending");
  EXPECT_EQ(list->at(1).attempts, 0);
  EXPECT_FALSE(list->at(1).created_at.empty());
  EXPECT_GT(list->at(0).id, list->at(1).id);
  auto archive = store().outbox_counts("archive");
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->pending, 1);
}

TEST_P(StoreSuite, ConcurrentCreatesGetUniqueGaplessNumbers) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::mutex mutex;
  std::vector<DeviationRecord> created;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = make_deviation(epoch_of(2026, 5, 1, t, i));
        r.reporter = "leder-" + std::to_string(t);
        auto result =
            store().create_deviation(r, registered_event(r), "k-" + std::to_string(i), "s", {});
        if (!result) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        created.push_back(result->record);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(created.size(), static_cast<std::size_t>(kThreads * kEach));
  std::set<std::string> ids;
  std::vector<std::int64_t> numbers;
  for (const auto& r : created) {
    ids.insert(r.id);
    numbers.push_back(r.number);
    char expected[32];
    std::snprintf(expected, sizeof expected, "AVVIK-2026-%04lld", static_cast<long long>(r.number));
    EXPECT_EQ(r.id, expected);
  }
  EXPECT_EQ(ids.size(), created.size());
  std::sort(numbers.begin(), numbers.end());
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    EXPECT_EQ(numbers[i], static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(list_all(store(), {}).size(), created.size());
}

TEST_P(StoreSuite, ConcurrentUpdatesLoseNothing) {
  const auto created = create_ok(store(), make_deviation());
  constexpr int kThreads = 8;
  constexpr int kCommentsEach = 5;
  std::atomic<int> failures{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int done = 0;
      for (int attempt = 0; done < kCommentsEach && attempt < 2000; ++attempt) {
        auto got = store().get_deviation(created.id);
        if (!got || !got->has_value()) {
          ++failures;
          continue;
        }
        auto r = **got;
        const std::string text = "tråd " + std::to_string(t) + " nr " + std::to_string(done);
        const auto no = static_cast<std::int64_t>(r.comments.size() + 1);
        r.comments.push_back({no, "leder-" + std::to_string(t), text, "2026-03-03T08:00:00Z"});
        auto updated = store().update_deviation(
            r, r.revision,
            {make_event("comment", "2026-03-03T08:00:00Z", "leder-" + std::to_string(t),
                        R"({"comment_no":)" + std::to_string(no) + "}")},
            {make_message("comment:" + std::to_string(no))});
        if (updated) {
          ++done;
        } else if (updated.error().kind == ErrorKind::kPreconditionFailed) {
          ++conflicts;
        } else {
          ++failures;
        }
      }
      if (done < kCommentsEach) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto got = store().get_deviation(created.id);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  const auto& final = **got;
  EXPECT_EQ(final.revision, 1 + kThreads * kCommentsEach);
  ASSERT_EQ(final.comments.size(), static_cast<std::size_t>(kThreads * kCommentsEach));
  std::set<std::string> texts;
  for (std::size_t i = 0; i < final.comments.size(); ++i) {
    EXPECT_EQ(final.comments[i].comment_no, static_cast<std::int64_t>(i + 1));
    texts.insert(final.comments[i].text);
  }
  EXPECT_EQ(texts.size(), final.comments.size()) << "every comment kept once";
  auto history = store().deviation_history(created.id);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), static_cast<std::size_t>(1 + kThreads * kCommentsEach));
  expect_valid_chain(created.id, *history);
  EXPECT_EQ(pending_outbox(store()), kThreads * kCommentsEach);
}

TEST_P(StoreSuite, EverythingSurvivesARestart) {
  auto r = make_deviation();
  r.participants = {"nav", "helse"};
  r.actions = {
      {1, "tildeling", "Tiltak", "2026-04-01", "", "leder-tildeling", "2026-03-02T09:00:00Z"}};
  r.comments = {{1, "leder-nav", "Kommentar", "2026-03-02T08:05:00Z"}};
  const auto a = create_ok(store(), r, {make_message("registered:1")});
  const auto b = create_ok(store(), make_deviation(epoch_of(2025, 11, 3)));
  auto u = a;
  u.status = "mottatt";
  u.updated_at = "2026-03-03T08:00:00Z";
  auto updated =
      store().update_deviation(u, 1, {make_event("transition", u.updated_at, "leder-tildeling")},
                               {make_message("received:1")});
  ASSERT_TRUE(updated);
  ASSERT_TRUE(store().enqueue_outbox({make_message("reminder:1", "notification", 5000)}));
  auto claimed = store().claim_outbox("notification", 100, 60, 1);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1U);
  auto history_before = store().deviation_history(a.id);
  ASSERT_TRUE(history_before);

  reopen();

  auto got_a = store().get_deviation(a.id);
  ASSERT_TRUE(got_a);
  ASSERT_TRUE(got_a->has_value());
  expect_same_deviation(*updated, **got_a);
  auto got_b = store().get_deviation(b.id);
  ASSERT_TRUE(got_b);
  ASSERT_TRUE(got_b->has_value());
  expect_same_deviation(b, **got_b);
  auto history_after = store().deviation_history(a.id);
  ASSERT_TRUE(history_after);
  ASSERT_EQ(history_after->size(), history_before->size());
  for (std::size_t i = 0; i < history_before->size(); ++i) {
    EXPECT_EQ(history_after->at(i).hash, history_before->at(i).hash);
  }
  expect_valid_chain(a.id, *history_after);
  EXPECT_EQ(list_all(store(), {}).size(), 2U);
  auto counts = store().outbox_counts("notification");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 3);
  // The lease survives the restart too.
  auto again = store().claim_outbox("notification", 100, 60, 10);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 1U);
  // Numbers go on where they stopped.
  EXPECT_EQ(create_ok(store(), make_deviation()).id, "AVVIK-2026-0002");
  EXPECT_EQ(create_ok(store(), make_deviation(epoch_of(2025, 12, 1))).id, "AVVIK-2025-0002");
  // And an idempotency key stays taken.
  auto k1 = store().create_deviation(r, registered_event(r), "restart-key", "s1", {});
  ASSERT_TRUE(k1);
  reopen();
  auto k2 = store().create_deviation(r, registered_event(r), "restart-key", "s1", {});
  ASSERT_TRUE(k2);
  EXPECT_TRUE(k2->replayed);
  EXPECT_EQ(k2->record.id, k1->record.id);
}

}  // namespace
}  // namespace boligflyt::store::testing

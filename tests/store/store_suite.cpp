// The store suite's fixture and helpers, and the tests of the parts of the port that predate
// the avvik: installation info, preferences, procedure versions, consultation, read
// confirmations, durability across a restart.

#include "store/store_suite.h"

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <thread>

namespace boligflyt::store::testing {

// Fixture and helpers -------------------------------------------------------------------

namespace {

/// A name for this test's database: lower-case letters, digits and '_', at most 48
/// characters, unique per test (a hash of the full name ends it).
std::string scratch_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string full = std::string(info->test_suite_name()) + "." + info->name();
  std::string out = "t_";
  for (const char c : std::string(info->name())) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    if (out.size() >= 38) break;
  }
  std::array<char, 12> hash{};
  std::snprintf(hash.data(), hash.size(), "_%08x",
                static_cast<unsigned>(std::hash<std::string>{}(full)&0xffffffffU));
  return out + hash.data();
}

}  // namespace

void StoreSuite::SetUp() {
  scratch_ = scratch_name();
  store_ = GetParam().open_fresh(scratch_);
  ASSERT_NE(store_, nullptr);
}

void StoreSuite::TearDown() { store_.reset(); }

void StoreSuite::reopen() {
  store_.reset();
  store_ = GetParam().reopen(scratch_);
  ASSERT_NE(store_, nullptr);
}

std::int64_t epoch_of(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  using namespace std::chrono;
  const sys_days date = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
  return date.time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 + second;
}

std::string iso_of(std::int64_t epoch) {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer.data();
}

void set_created(DeviationRecord& r, std::int64_t epoch) {
  r.created_epoch = epoch;
  r.created_at = iso_of(epoch);
  r.updated_at = r.created_at;
  r.year = std::stoi(r.created_at.substr(0, 4));
}

DeviationRecord make_deviation(std::int64_t created_epoch) {
  DeviationRecord r;
  set_created(r, created_epoch);
  r.procedure_id = "boligflyt";
  r.procedure_version = "3.0";
  r.step_id = "tildelingsmote";
  r.incident_date = r.created_at.substr(0, 10);
  r.category = "rutine_ikke_fulgt";
  r.severity = "middels";
  r.title = "Tildelingsmøtet ble avlyst uten varsel";
  r.description = "Møtet 2. mars ble avlyst, og søkerne fikk ikke beskjed om ny dato.";
  r.reporting_unit = "nav";
  r.reporter = "leder-nav";
  r.responsible_unit = "tildeling";
  r.status = "registrert";
  r.receive_due_epoch = created_epoch + 7 * 86400;
  r.close_due_epoch = created_epoch + 28 * 86400;
  return r;
}

DeviationEvent registered_event(const DeviationRecord& r) {
  return make_event("registered", r.created_at, r.reporter,
                    R"({"after":{"status":")" + r.status + R"("}})");
}

DeviationEvent make_event(const std::string& kind, const std::string& at, const std::string& actor,
                          const std::string& data_json) {
  DeviationEvent e;
  e.at = at;
  e.actor = actor;
  e.kind = kind;
  e.data_json = data_json;
  return e;
}

OutboxMessage make_message(const std::string& dedupe_key, const std::string& topic,
                           std::int64_t next_attempt_epoch) {
  OutboxMessage m;
  m.topic = topic;
  m.dedupe_key = dedupe_key;
  m.payload_json = R"({"key":")" + dedupe_key + R"("})";
  m.next_attempt_epoch = next_attempt_epoch;
  return m;
}

DeviationRecord create_ok(Store& store, const DeviationRecord& r,
                          const std::vector<OutboxMessage>& outbox) {
  auto created = store.create_deviation(r, registered_event(r), "", "", outbox);
  if (!created) {
    ADD_FAILURE() << "create_deviation: " << describe(created.error());
    return {};
  }
  EXPECT_FALSE(created->replayed);
  return created->record;
}

std::string describe(const Error& e) {
  return "kind " + std::to_string(static_cast<int>(e.kind)) + " slug '" + e.slug + "' (" + e.title +
         ": " + e.detail + ") log: " + e.log_message;
}

std::vector<std::string> ids_of(const std::vector<DeviationRecord>& records) {
  std::vector<std::string> ids;
  ids.reserve(records.size());
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

std::vector<DeviationRecord> list_all(Store& store, DeviationQuery query, int max_pages) {
  std::vector<DeviationRecord> all;
  query.after_sort_value.reset();
  query.after_id.clear();
  for (int page_no = 0; page_no < max_pages; ++page_no) {
    auto page = store.list_deviations(query);
    if (!page) {
      ADD_FAILURE() << "list_deviations: " << describe(page.error());
      return all;
    }
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (!page->more) return all;
    if (page->items.empty() || page->next_id != page->items.back().id) {
      ADD_FAILURE() << "page " << page_no << " says more but next_id '" << page->next_id
                    << "' is not its last item";
      return all;
    }
    query.after_sort_value = page->next_sort_value;
    query.after_id = page->next_id;
  }
  ADD_FAILURE() << "more than " << max_pages << " pages";
  return all;
}

void expect_same_deviation(const DeviationRecord& e, const DeviationRecord& a) {
  SCOPED_TRACE("avvik " + e.id);
  EXPECT_EQ(a.id, e.id);
  EXPECT_EQ(a.year, e.year);
  EXPECT_EQ(a.number, e.number);
  EXPECT_EQ(a.procedure_id, e.procedure_id);
  EXPECT_EQ(a.procedure_version, e.procedure_version);
  EXPECT_EQ(a.step_id, e.step_id);
  EXPECT_EQ(a.incident_date, e.incident_date);
  EXPECT_EQ(a.category, e.category);
  EXPECT_EQ(a.severity, e.severity);
  EXPECT_EQ(a.title, e.title);
  EXPECT_EQ(a.description, e.description);
  EXPECT_EQ(a.reporting_unit, e.reporting_unit);
  EXPECT_EQ(a.reporter, e.reporter);
  EXPECT_EQ(a.responsible_unit, e.responsible_unit);
  EXPECT_EQ(a.case_reference, e.case_reference);
  EXPECT_EQ(a.personal_data, e.personal_data);
  EXPECT_EQ(a.status, e.status);
  EXPECT_EQ(a.created_at, e.created_at);
  EXPECT_EQ(a.created_epoch, e.created_epoch);
  EXPECT_EQ(a.updated_at, e.updated_at);
  EXPECT_EQ(a.receive_due_epoch, e.receive_due_epoch);
  EXPECT_EQ(a.close_due_epoch, e.close_due_epoch);
  EXPECT_EQ(a.received_at, e.received_at);
  EXPECT_EQ(a.closed_at, e.closed_at);
  EXPECT_EQ(a.closed_epoch, e.closed_epoch);
  EXPECT_EQ(a.cause, e.cause);
  EXPECT_EQ(a.evaluation, e.evaluation);
  EXPECT_EQ(a.rejection_reason, e.rejection_reason);
  EXPECT_EQ(a.reopen_reason, e.reopen_reason);
  EXPECT_EQ(a.resolved_in_version, e.resolved_in_version);
  EXPECT_EQ(a.linked_draft_version, e.linked_draft_version);
  EXPECT_EQ(a.participants, e.participants);
  ASSERT_EQ(a.actions.size(), e.actions.size());
  for (std::size_t i = 0; i < e.actions.size(); ++i) {
    EXPECT_EQ(a.actions[i].action_no, e.actions[i].action_no);
    EXPECT_EQ(a.actions[i].owner_unit, e.actions[i].owner_unit);
    EXPECT_EQ(a.actions[i].description, e.actions[i].description);
    EXPECT_EQ(a.actions[i].due_date, e.actions[i].due_date);
    EXPECT_EQ(a.actions[i].done_date, e.actions[i].done_date);
    EXPECT_EQ(a.actions[i].created_by, e.actions[i].created_by);
    EXPECT_EQ(a.actions[i].created_at, e.actions[i].created_at);
  }
  ASSERT_EQ(a.comments.size(), e.comments.size());
  for (std::size_t i = 0; i < e.comments.size(); ++i) {
    EXPECT_EQ(a.comments[i].comment_no, e.comments[i].comment_no);
    EXPECT_EQ(a.comments[i].author, e.comments[i].author);
    EXPECT_EQ(a.comments[i].text, e.comments[i].text);
    EXPECT_EQ(a.comments[i].created_at, e.comments[i].created_at);
  }
  EXPECT_EQ(a.revision, e.revision);
}

void expect_valid_chain(const std::string& id, const std::vector<DeviationEvent>& history) {
  std::string prev(kGenesisHash);
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& event = history[i];
    SCOPED_TRACE(id + " event " + std::to_string(i + 1));
    EXPECT_EQ(event.seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(event.prev_hash, prev);
    EXPECT_EQ(event.hash.size(), 64U);
    EXPECT_EQ(event.hash, event_chain_hash(id, event));
    prev = event.hash;
  }
}

// Tests ---------------------------------------------------------------------------------

namespace {

ProcedureVersionRecord make_version(const std::string& procedure_id, const std::string& version,
                                    const std::string& status) {
  ProcedureVersionRecord r;
  r.procedure_id = procedure_id;
  r.version = version;
  r.status = status;
  r.xml = "<procedure id=\"" + procedure_id + "\" version=\"" + version + "\"/>";
  r.sha256 = "sha-" + version;
  r.author = "prosedyreeier";
  r.source = "api";
  return r;
}

TEST_P(StoreSuite, InfoNamesTheBackendAndPings) {
  auto info = store().info();
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->backend, GetParam().name);
  EXPECT_FALSE(info->installation_id.empty());
  EXPECT_FALSE(info->created_at.empty());
  EXPECT_GT(info->schema_version, 0);
  EXPECT_TRUE(store().ping());
}

TEST_P(StoreSuite, ReopeningKeepsDataAndInstallation) {
  auto before = store().info();
  ASSERT_TRUE(before);
  ASSERT_TRUE(store().put_preferences("u1", R"({"notify":"daily_digest"})", std::nullopt));
  ASSERT_TRUE(store().insert_procedure_version(make_version("p", "1.0", "draft")));
  reopen();
  auto after = store().info();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->installation_id, before->installation_id);
  EXPECT_EQ(after->created_at, before->created_at);
  EXPECT_EQ(after->schema_version, before->schema_version);
  auto prefs = store().get_preferences("u1");
  ASSERT_TRUE(prefs);
  ASSERT_TRUE(prefs->has_value());
  EXPECT_EQ((*prefs)->json, R"({"notify":"daily_digest"})");
  EXPECT_EQ((*prefs)->revision, 1);
  auto versions = store().list_procedure_versions();
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 1U);
  EXPECT_EQ(versions->at(0).xml, "<procedure id=\"p\" version=\"1.0\"/>");
}

TEST_P(StoreSuite, PreferencesOfAnUnknownUserAreEmpty) {
  auto prefs = store().get_preferences("ingen");
  ASSERT_TRUE(prefs);
  EXPECT_FALSE(prefs->has_value());
}

TEST_P(StoreSuite, PreferencesRefuseStaleRevisions) {
  auto first = store().put_preferences("u1", "{}", 0);  // 0: must not exist yet
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision, 1);
  EXPECT_FALSE(first->updated_at.empty());
  auto again = store().put_preferences("u1", "{}", 0);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kPreconditionFailed);
  EXPECT_EQ(again.error().slug, "precondition-failed");
  auto second = store().put_preferences("u1", R"({"x":1})", 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->revision, 2);
  EXPECT_FALSE(store().put_preferences("u1", "{}", 1));
  EXPECT_EQ((*store().get_preferences("u1"))->json, R"({"x":1})");
  auto unconditional = store().put_preferences("u1", R"({"x":2})", std::nullopt);
  ASSERT_TRUE(unconditional);
  EXPECT_EQ(unconditional->revision, 3);
}

TEST_P(StoreSuite, PreferencesConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kIncrementsEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      int attempts = 0;
      for (int i = 0; i < kIncrementsEach && attempts < 5000; ++attempts) {
        auto current = store().get_preferences("shared");
        if (!current) {
          ++failures;
          continue;
        }
        const std::int64_t rev = current->has_value() ? (*current)->revision : 0;
        auto put = store().put_preferences("shared", "{}", rev);
        if (put) {
          ++i;
        } else if (put.error().kind != ErrorKind::kPreconditionFailed) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store().get_preferences("shared"))->revision, kThreads * kIncrementsEach);
}

TEST_P(StoreSuite, ProcedureVersionsAreListedAndDuplicatesConflict) {
  ASSERT_TRUE(store().insert_procedure_version(make_version("p", "1.0", "published")));
  ASSERT_TRUE(store().insert_procedure_version(make_version("q", "1.0", "draft")));
  auto inserted = store().insert_procedure_version(make_version("p", "2.0", "draft"));
  ASSERT_TRUE(inserted);
  EXPECT_EQ(inserted->revision, 1);
  EXPECT_FALSE(inserted->created_at.empty());
  auto duplicate = store().insert_procedure_version(make_version("p", "2.0", "draft"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(duplicate.error().slug, "version-exists");

  auto versions = store().list_procedure_versions();
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 3U);
  EXPECT_EQ(versions->at(0).procedure_id + "/" + versions->at(0).version, "p/1.0");
  EXPECT_EQ(versions->at(1).procedure_id + "/" + versions->at(1).version, "p/2.0");
  EXPECT_EQ(versions->at(2).procedure_id + "/" + versions->at(2).version, "q/1.0");
  EXPECT_EQ(versions->at(1).sha256, "sha-2.0");
  EXPECT_EQ(versions->at(1).author, "prosedyreeier");
  EXPECT_EQ(versions->at(1).source, "api");
}

TEST_P(StoreSuite, PublishedProcedureBytesCannotChange) {
  auto inserted = store().insert_procedure_version(make_version("p", "1.0", "published"));
  ASSERT_TRUE(inserted);

  auto changed = *inserted;
  changed.xml = "<procedure>endret</procedure>";
  EXPECT_FALSE(store().update_procedure_version(changed, 1, {}, {}, {}));
  auto versions = store().list_procedure_versions();
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->at(0).xml, "<procedure id=\"p\" version=\"1.0\"/>");
  EXPECT_EQ(versions->at(0).revision, 1);

  // Status may still move on (published → superseded), bytes untouched.
  auto superseded = *inserted;
  superseded.status = "superseded";
  auto updated = store().update_procedure_version(superseded, 1, {}, {}, {});
  ASSERT_TRUE(updated) << describe(updated.error());
  EXPECT_EQ(updated->revision, 2);
  auto stale = store().update_procedure_version(superseded, 1, {}, {}, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().kind, ErrorKind::kPreconditionFailed);
}

TEST_P(StoreSuite, PublishingSupersedesTheVersionInForce) {
  ASSERT_TRUE(store().insert_procedure_version(make_version("p", "1.0", "published")));
  auto draft = store().insert_procedure_version(make_version("p", "2.0", "approved"));
  ASSERT_TRUE(draft);
  auto publish = *draft;
  publish.status = "published";
  publish.approver = "styringsgruppen";
  publish.effective_from = "2026-04-01";
  publish.published_at = "2026-03-20T10:00:00Z";
  OutboxMessage archive_export;
  archive_export.topic = "archive";
  archive_export.dedupe_key = "archive:prosedyre/p/2.0";
  archive_export.payload_json = R"({"kind":"procedure"})";
  // A stale publication writes nothing, its export neither.
  EXPECT_FALSE(store().update_procedure_version(publish, 7, {}, {"1.0"}, {archive_export}));
  ASSERT_TRUE(store().find_outbox(archive_export.dedupe_key));
  EXPECT_FALSE(store().find_outbox(archive_export.dedupe_key)->has_value());
  ASSERT_TRUE(store().update_procedure_version(publish, 1, {}, {"1.0"}, {archive_export}));
  // The export is enqueued with the publication, in the same transaction.
  auto queued = store().find_outbox(archive_export.dedupe_key);
  ASSERT_TRUE(queued);
  ASSERT_TRUE(queued->has_value());
  EXPECT_EQ((*queued)->topic, "archive");
  EXPECT_EQ((*queued)->status, "pending");
  auto versions = store().list_procedure_versions();
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2U);
  EXPECT_EQ(versions->at(0).status, "superseded");
  EXPECT_EQ(versions->at(0).revision, 2);
  EXPECT_EQ(versions->at(1).status, "published");
  EXPECT_EQ(versions->at(1).approver, "styringsgruppen");
  EXPECT_EQ(versions->at(1).effective_from, "2026-04-01");
  EXPECT_EQ(versions->at(1).published_at, "2026-03-20T10:00:00Z");
}

TEST_P(StoreSuite, ConsultationAnswersOnlyFromAskedUnits) {
  auto inserted = store().insert_procedure_version(make_version("p", "2.0", "draft"));
  ASSERT_TRUE(inserted);
  auto consulting = *inserted;
  consulting.status = "consultation";
  consulting.consultation_deadline = "2026-04-15";
  ASSERT_TRUE(store().update_procedure_version(consulting, 1, {"nav", "eiendom"}, {}, {}));
  auto answered =
      store().answer_consultation("p", "2.0", {"nav", "disagree", "Nei", "leder-nav", ""});
  ASSERT_TRUE(answered);
  EXPECT_FALSE(answered->answered_at.empty());
  auto refused = store().answer_consultation("p", "2.0", {"pro", "agree", "", "leder-pro", ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kNotFound);
  // Answering again replaces the answer.
  ASSERT_TRUE(store().answer_consultation("p", "2.0", {"nav", "agree", "Ja", "leder-nav", ""}));
  auto answers = store().list_consultation("p", "2.0");
  ASSERT_TRUE(answers);
  ASSERT_EQ(answers->size(), 2U);
  EXPECT_EQ(answers->at(0).unit_id, "eiendom");
  EXPECT_EQ(answers->at(0).answer, "");
  EXPECT_EQ(answers->at(1).unit_id, "nav");
  EXPECT_EQ(answers->at(1).answer, "agree");
  EXPECT_EQ(answers->at(1).comment, "Ja");
  EXPECT_EQ(answers->at(1).answered_by, "leder-nav");
}

TEST_P(StoreSuite, ReadConfirmationsKeepTheFirstTime) {
  ASSERT_TRUE(store().insert_procedure_version(make_version("p", "1.0", "published")));
  auto first = store().confirm_read("p", "1.0", {"ola", "nav", ""});
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->confirmed_at.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto again = store().confirm_read("p", "1.0", {"ola", "nav", ""});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->confirmed_at, first->confirmed_at);
  ASSERT_TRUE(store().confirm_read("p", "1.0", {"kari", "eiendom", ""}));
  auto list = store().list_read_confirmations("p", "1.0");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ(list->at(0).user_id, "ola");
  EXPECT_EQ(list->at(0).unit_id, "nav");
  EXPECT_EQ(list->at(1).user_id, "kari");
  auto other = store().list_read_confirmations("p", "2.0");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());
}

}  // namespace
}  // namespace boligflyt::store::testing

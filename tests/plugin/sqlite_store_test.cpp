#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace boligflyt::store {
namespace {

using boligflyt::testing::TempDir;

std::string query_one(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(SqliteStore, CreatesWalDatabaseWithAllMigrations) {
  TempDir dir;
  const auto path = (dir.path() / "b.sqlite3").string();
  auto store = open_sqlite_store(path);
  auto info = store->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->backend, "sqlite");
  EXPECT_EQ(info->schema_version, sqlite_latest_schema_version());
  EXPECT_EQ(info->installation_id.size(), 32u);
  EXPECT_EQ(query_one(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_one(path, "SELECT count(*) FROM schema_migrations"),
            std::to_string(sqlite_latest_schema_version()));
  EXPECT_TRUE(store->ping());
}

TEST(SqliteStore, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  TempDir dir;
  const auto path = (dir.path() / "b.sqlite3").string();
  std::string installation;
  {
    auto store = open_sqlite_store(path);
    installation = store->info()->installation_id;
    ASSERT_TRUE(store->put_preferences("u1", R"({"notify":"daily_digest"})", std::nullopt));
  }
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->info()->installation_id, installation);
  auto prefs = store->get_preferences("u1");
  ASSERT_TRUE(prefs);
  ASSERT_TRUE(prefs->has_value());
  EXPECT_EQ((*prefs)->json, R"({"notify":"daily_digest"})");
  EXPECT_EQ((*prefs)->revision, 1);
}

TEST(SqliteStore, RefusesADatabaseFromANewerBuild) {
  TempDir dir;
  const auto path = (dir.path() / "b.sqlite3").string();
  { auto store = open_sqlite_store(path); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999,'future','now')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    open_sqlite_store(path);
    FAIL() << "opened a newer database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(SqliteStore, OptimisticConcurrencyRefusesStaleRevisions) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "b.sqlite3").string());
  auto first = store->put_preferences("u1", "{}", 0);  // 0: must not exist yet
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision, 1);
  auto again = store->put_preferences("u1", "{}", 0);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kPreconditionFailed);
  auto second = store->put_preferences("u1", R"({"x":1})", 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->revision, 2);
  EXPECT_FALSE(store->put_preferences("u1", "{}", 1));
  EXPECT_EQ((*store->get_preferences("u1"))->json, R"({"x":1})");
}

TEST(SqliteStore, ConcurrentWritersLoseNoUpdate) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "b.sqlite3").string());
  constexpr int kThreads = 4;
  constexpr int kIncrementsEach = 50;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrementsEach;) {
        auto current = store->get_preferences("shared");
        const std::int64_t rev = current->has_value() ? (*current)->revision : 0;
        if (store->put_preferences("shared", "{}", rev)) ++i;
        else ++conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ((*store->get_preferences("shared"))->revision, kThreads * kIncrementsEach);
}

TEST(SqliteStore, OnlineBackupIsAConsistentCopy) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "b.sqlite3").string());
  ASSERT_TRUE(store->put_preferences("u1", R"({"notify":"weekly_digest"})", std::nullopt));
  const auto copy = (dir.path() / "backup.sqlite3").string();
  ASSERT_TRUE(store->backup_to(copy));
  auto restored = open_sqlite_store(copy);
  EXPECT_EQ(restored->info()->installation_id, store->info()->installation_id);
  EXPECT_EQ((*restored->get_preferences("u1"))->json, R"({"notify":"weekly_digest"})");
  EXPECT_FALSE(store->backup_to((dir.path() / "missing" / "x.sqlite3").string()));
}

TEST(SqliteStore, PublishedProcedureBytesCannotChange) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "b.sqlite3").string());
  ProcedureVersionRecord record;
  record.procedure_id = "p";
  record.version = "1.0";
  record.status = "published";
  record.xml = "<procedure/>";
  record.sha256 = "abc";
  record.author = "a";
  record.source = "test";
  auto inserted = store->insert_procedure_version(record);
  ASSERT_TRUE(inserted);
  EXPECT_EQ(inserted->revision, 1);
  EXPECT_EQ(store->insert_procedure_version(record).error().kind, ErrorKind::kConflict);

  auto changed = *inserted;
  changed.xml = "<procedure>endret</procedure>";
  EXPECT_FALSE(store->update_procedure_version(changed, 1, {}, {}));
  auto versions = store->list_procedure_versions();
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->at(0).xml, "<procedure/>");

  // Status may still move on (published → superseded), bytes untouched.
  auto superseded = *inserted;
  superseded.status = "superseded";
  EXPECT_TRUE(store->update_procedure_version(superseded, 1, {}, {}));
  EXPECT_FALSE(store->update_procedure_version(superseded, 1, {}, {})) << "stale revision";
}

TEST(SqliteStore, ConsultationAnswersOnlyFromAskedUnits) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "b.sqlite3").string());
  ProcedureVersionRecord record{"p", "2.0", "draft", "<x/>", "h", "a",   "",
                                "",  "",    "",      "",     "",  "api", 0};
  auto inserted = store->insert_procedure_version(record);
  ASSERT_TRUE(inserted);
  auto consulting = *inserted;
  consulting.status = "consultation";
  ASSERT_TRUE(store->update_procedure_version(consulting, 1, {"nav", "eiendom"}, {}));
  EXPECT_TRUE(store->answer_consultation("p", "2.0", {"nav", "agree", "", "leder-nav", ""}));
  auto refused = store->answer_consultation("p", "2.0", {"pro", "agree", "", "leder-pro", ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kNotFound);
  auto answers = store->list_consultation("p", "2.0");
  ASSERT_TRUE(answers);
  ASSERT_EQ(answers->size(), 2u);
  EXPECT_EQ(answers->at(1).unit_id, "nav");
  EXPECT_EQ(answers->at(1).answer, "agree");
  EXPECT_EQ(answers->at(0).answer, "");
}

TEST(SqliteStore, OpeningAnUnwritablePathThrowsWithTheReason) {
  EXPECT_THROW(open_sqlite_store("/proc/boligflyt/nope.sqlite3"), std::runtime_error);
}

}  // namespace
}  // namespace boligflyt::store

// The store suite on SQLite (a fresh database file per test in a temporary folder), and the
// tests only SQLite has: the file itself, the schema version, online backup, the triggers.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sql/migrations.h"
#include "store/store_suite.h"
#include "store_sqlite/sqlite_store.h"

namespace boligflyt::store::sql {
// Generated from adapters/store_sqlite/migrations/*.sql (migrations.cmake).
std::span<const Migration> sqlite_migrations();
}  // namespace boligflyt::store::sql

namespace boligflyt::store::testing {
namespace {

// "<highest version>:<versions applied more than once>". Migration numbers may have gaps (each
// change that needs one reserves its number), so the rows are not counted against the highest.
std::string applied_once(const std::string& table) {
  return "SELECT max(version) || ':' || (count(*) - count(DISTINCT version)) FROM " + table;
}

namespace fs = std::filesystem;

/// A temporary folder for this process, removed at exit.
class ScratchRoot {
 public:
  ScratchRoot() {
    std::string pattern = (fs::temp_directory_path() / "boligflyt-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchRoot() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path scratch_root() {
  static ScratchRoot root;
  return root.path();
}

std::string database_path(const std::string& scratch) {
  return (scratch_root() / (scratch + ".sqlite3")).string();
}

StoreBackend sqlite_backend() {
  return StoreBackend{
      "sqlite",
      [](const std::string& scratch) {
        const auto path = database_path(scratch);
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
        return open_sqlite_store(path);
      },
      [](const std::string& scratch) { return open_sqlite_store(database_path(scratch)); },
  };
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(sqlite_backend()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

// SQLite only ----------------------------------------------------------------------------

/// Runs `sql` on its own connection; the error message, or "" when it worked.
std::string exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  char* message = nullptr;
  std::string error;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    error = message ? message : "failed";
  }
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

std::string query_one(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

class SqliteOnly : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = database_path(std::string("only_") +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string path_;
};

TEST_F(SqliteOnly, CreatesAWalDatabaseWithAllMigrations) {
  auto store = open_sqlite_store(path_);
  auto info = store->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->backend, "sqlite");
  EXPECT_EQ(info->schema_version, sqlite_latest_schema_version());
  EXPECT_GE(sqlite_latest_schema_version(), 5);
  EXPECT_EQ(info->installation_id.size(), 32U);
  EXPECT_EQ(query_one(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_one(path_, applied_once("schema_migrations").c_str()),
            std::to_string(sqlite_latest_schema_version()) + ":0");
  // Reopening applies nothing twice.
  store.reset();
  store = open_sqlite_store(path_);
  EXPECT_EQ(query_one(path_, applied_once("schema_migrations").c_str()),
            std::to_string(sqlite_latest_schema_version()) + ":0");
}

TEST_F(SqliteOnly, BringsAVersion5DatabaseForward) {
  // A database as the last build without archive receipts left it: schema version 5, with an
  // archive message waiting in the outbox.
  {
    auto store = open_sqlite_store(path_);
    ASSERT_TRUE(store->enqueue_outbox({make_message("export-1", "archive")}));
  }
  // Tables of later migrations go too (7: cause codes; 8: personvernavvik and escalations;
  // 9: attachments; 10: the reporter's name; 11: the statistics' per-month counts), and the
  // index of migration 4 that migration 12 dropped comes back.
  ASSERT_EQ(exec(path_,
                 "CREATE INDEX deviations_severity ON deviations (severity); "
                 "DROP TABLE deviation_tallies; "
                 "DROP TABLE deviation_escalations; DROP TABLE deviation_privacy; "
                 "DROP TABLE deviation_cause_codes; DROP TABLE deviation_attachments; "
                 "DROP INDEX deviations_reporting_unit; "
                 "ALTER TABLE deviations DROP COLUMN reporter_name"),
            "");
  // 13: the closure index with the incident date, in place of version 4's.
  ASSERT_EQ(exec(path_,
                 "DROP INDEX deviations_closure_incident; CREATE INDEX deviations_closure ON "
                 "deviations (closure_seconds) WHERE closure_seconds IS NOT NULL"),
            "");
  ASSERT_EQ(
      exec(path_, "DROP TABLE archive_receipts; DELETE FROM schema_migrations WHERE version >= 6"),
      "");
  ASSERT_EQ(query_one(path_, "SELECT max(version) FROM schema_migrations"), "5");

  auto store = open_sqlite_store(path_);
  auto info = store->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->schema_version, sqlite_latest_schema_version());
  EXPECT_GE(sqlite_latest_schema_version(), 6);
  EXPECT_EQ(query_one(path_, "SELECT name FROM schema_migrations WHERE version = 6"),
            "archive_receipts");
  auto message = store->find_outbox("export-1");
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value()) << "the outbox is kept";
  ArchiveReceiptRecord receipt;
  receipt.export_key = "export-1";
  receipt.subject = "deviation:AVVIK-2026-0001";
  receipt.outcome = "kvittering";
  receipt.received_at = "2026-03-02T08:00:00.000Z";
  auto done = **message;
  done.status = "delivered";
  done.attempts = 1;
  ASSERT_TRUE(store->record_archive_receipt(receipt, done));
  auto stored = store->archive_receipt("export-1");
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->outcome, "kvittering");
  EXPECT_EQ((*stored)->system_id, "") << "columns not given are empty";
  // The table refuses outcomes other than the two the archive sends.
  EXPECT_NE(
      exec(path_, "INSERT INTO archive_receipts (export_key, outcome, seq) VALUES ('x', 'ok', 99)"),
      "");
}

TEST_F(SqliteOnly, RefusesADatabaseFromANewerBuild) {
  { auto store = open_sqlite_store(path_); }
  ASSERT_EQ(exec(path_, "INSERT INTO schema_migrations VALUES (999,'future','now')"), "");
  try {
    open_sqlite_store(path_);
    FAIL() << "opened a newer database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteOnly, OnlineBackupIsAConsistentCopy) {
  auto store = open_sqlite_store(path_);
  ASSERT_TRUE(store->put_preferences("u1", R"({"notify":"weekly_digest"})", std::nullopt));
  const auto avvik = create_ok(*store, make_deviation(), {make_message("registered")});
  const auto copy = path_ + ".backup";
  ASSERT_TRUE(store->backup_to(copy));
  auto restored = open_sqlite_store(copy);
  EXPECT_EQ(restored->info()->installation_id, store->info()->installation_id);
  EXPECT_EQ((*restored->get_preferences("u1"))->json, R"({"notify":"weekly_digest"})");
  auto got = restored->get_deviation(avvik.id);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  expect_same_deviation(avvik, **got);
  auto history = restored->deviation_history(avvik.id);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 1U);
  EXPECT_EQ(restored->outbox_counts("notification")->pending, 1);
  EXPECT_FALSE(store->backup_to((scratch_root() / "missing" / "x.sqlite3").string()));
}

TEST_F(SqliteOnly, OpeningAnUnwritablePathThrowsWithTheReason) {
  try {
    open_sqlite_store("/proc/boligflyt/nope.sqlite3");
    FAIL() << "opened an impossible path";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/boligflyt/nope.sqlite3"), std::string::npos)
        << e.what();
  }
}

TEST_F(SqliteOnly, IdsGrowPastFourDigits) {
  { auto store = open_sqlite_store(path_); }
  ASSERT_EQ(exec(path_, "INSERT INTO deviation_counters (year, last_number) VALUES (2026, 9998)"),
            "");
  auto store = open_sqlite_store(path_);
  EXPECT_EQ(create_ok(*store, make_deviation()).id, "AVVIK-2026-9999");
  const auto big = create_ok(*store, make_deviation());
  EXPECT_EQ(big.id, "AVVIK-2026-10000");
  EXPECT_EQ(big.number, 10000);
}

TEST_F(SqliteOnly, TheDatabaseProtectsHistoryAndComments) {
  auto r = make_deviation();
  r.comments = {{1, "leder-nav", "Kommentar", "2026-03-02T08:05:00Z"}};
  std::string id;
  {
    auto store = open_sqlite_store(path_);
    id = create_ok(*store, r).id;
  }
  EXPECT_NE(exec(path_, "UPDATE deviation_events SET actor = 'x'"), "");
  EXPECT_NE(exec(path_, "DELETE FROM deviation_events"), "");
  EXPECT_NE(exec(path_, "UPDATE deviation_comments SET text = 'endret'"), "");
  // Foreign keys are enforced per connection, as the store's own connection does.
  EXPECT_NE(exec(path_,
                 "PRAGMA foreign_keys=ON; INSERT INTO deviation_participants VALUES "
                 "('AVVIK-1999-0001', 'x', 0)"),
            "")
      << "children need their avvik";
  EXPECT_EQ(query_one(path_, "SELECT text FROM deviation_comments"), "Kommentar");
  EXPECT_EQ(query_one(path_, "SELECT count(*) FROM deviation_events"), "1");
}

/// Every value of the first column of `sql`'s rows.
std::vector<std::string> query_column(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::vector<std::string> out;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// With thousands of matches the store walks the sort key's index instead of sorting: the
// pages must be the same as a plain ORDER BY over the same rows.
TEST_F(SqliteOnly, LargeFilteredListsPageLikeAPlainSort) {
  { auto store = open_sqlite_store(path_); }
  ASSERT_EQ(
      exec(path_,
           "BEGIN;"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15000) "
           "INSERT INTO deviations (id, year, number, procedure_id, procedure_version, step_id, "
           "incident_date, category, severity, title, description, reporting_unit, reporter, "
           "responsible_unit, case_reference, personal_data, status, created_at, created_epoch, "
           "updated_at, receive_due_epoch, close_due_epoch, received_at, closed_at, "
           "closed_epoch, cause, evaluation, rejection_reason, reopen_reason, "
           "resolved_in_version, linked_draft_version, idempotency_key, request_sha256, "
           "revision) SELECT printf('AVVIK-2026-%04d', i), 2026, i, 'boligflyt', '3.0', "
           "'step' || (i % 7), date(1767225600 + i * 1500, 'unixepoch'), 'rutine', "
           "CASE i % 4 WHEN 0 THEN 'lav' WHEN 1 THEN 'middels' WHEN 2 THEN 'hoy' ELSE 'kritisk' "
           "END, 'Tittel', 'Beskrivelse', 'nav', 'user' || (i % 50), 'unit' || (i % 3), '', 0, "
           "CASE WHEN i % 10 = 0 THEN 'registrert' ELSE 'lukket' END, "
           "strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 + (i / 2) * 1500, 'unixepoch'), "
           "1767225600 + (i / 2) * 1500, "
           "strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 + (i % 97) * 60, 'unixepoch'), "
           "0, 0, '', '', 0, '', '', '', '', '', '', '', '', 1 FROM n;"
           "INSERT INTO deviation_participants SELECT id, 'unit1', 0 FROM deviations "
           "WHERE number % 5 = 0 AND responsible_unit <> 'unit1';"
           "INSERT INTO deviation_counters VALUES (2026, 15000);"
           // Rows written past the store: its per-month counts made as migration 0011 does.
           "INSERT INTO deviation_tallies SELECT substr(incident_date, 1, 7), 'step', "
           "procedure_id, step_id, status, count(*) FROM deviations GROUP BY 1, 3, 4, 5;"
           "INSERT INTO deviation_tallies SELECT substr(incident_date, 1, 7), 'pair', "
           "reporting_unit, responsible_unit, '', count(*) FROM deviations GROUP BY 1, 3, 4;"
           "INSERT INTO deviation_tallies SELECT substr(incident_date, 1, 7), d, v, '', '', "
           "count(*) FROM (SELECT incident_date, 'unit' AS d, responsible_unit AS v FROM "
           "deviations UNION ALL SELECT incident_date, 'category', category FROM deviations "
           "UNION ALL SELECT incident_date, 'severity', severity FROM deviations) GROUP BY 1, "
           "2, 3;"
           "COMMIT;"),
      "");
  auto store = open_sqlite_store(path_);
  const auto check = [&](DeviationQuery query, const std::string& where, const std::string& order) {
    SCOPED_TRACE(where + " ORDER BY " + order);
    query.limit = 500;
    const auto expected =
        query_column(path_, "SELECT id FROM deviations WHERE " + where + " ORDER BY " + order);
    ASSERT_GE(expected.size(), 5000U) << "too few matches to walk the index";
    EXPECT_EQ(ids_of(list_all(*store, query)), expected);
  };
  const std::string unit1 =
      "(responsible_unit = 'unit1' OR id IN (SELECT deviation_id FROM deviation_participants "
      "WHERE unit_id = 'unit1'))";
  DeviationQuery by_unit;
  by_unit.unit = "unit1";
  check(by_unit, unit1, "created_epoch DESC, id DESC");
  by_unit.sort = "updated";
  by_unit.descending = false;
  check(by_unit, unit1, "updated_at ASC, id ASC");
  DeviationQuery closed;
  closed.statuses = {"lukket"};
  closed.sort = "severity";
  check(closed, "status = 'lukket'",
        "CASE severity WHEN 'lav' THEN 1 WHEN 'middels' THEN 2 WHEN 'hoy' THEN 3 ELSE 4 END "
        "DESC, id DESC");
  DeviationQuery visible;
  visible.see_all = false;
  visible.viewer = "user7";
  visible.viewer_units = {"unit0", "unit2"};
  visible.sort = "id";
  check(visible,
        "(reporter = 'user7' OR responsible_unit IN ('unit0', 'unit2') OR id IN (SELECT "
        "deviation_id FROM deviation_participants WHERE unit_id IN ('unit0', 'unit2')))",
        "id DESC");
  DeviationQuery period;
  period.from_date = "2026-02-01";
  period.to_date = "2026-06-30";
  period.sort = "incident_date";
  check(period, "incident_date BETWEEN '2026-02-01' AND '2026-06-30'",
        "incident_date DESC, id DESC");

  // Statistics with and without a filter that matches everything agree on large data too.
  DeviationQuery all;
  all.now_epoch = 1767225600 + 86400;
  auto everything = all;
  everything.procedure_id = "boligflyt";
  auto a = store->deviation_statistics(all);
  auto b = store->deviation_statistics(everything);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->total, 15000);
  EXPECT_EQ(b->total, 15000);
  EXPECT_EQ(a->closed, b->closed);
  EXPECT_EQ(a->per_month.size(), b->per_month.size());
  EXPECT_EQ(a->per_step.size(), 7U);
  EXPECT_EQ(b->per_step.size(), 7U);
  EXPECT_EQ(a->overdue_deviations, b->overdue_deviations);
  EXPECT_EQ(a->overdue_deviations, 1500) << "registrert with receive deadline 0";
}

}  // namespace
}  // namespace boligflyt::store::testing

// The store suite on PostgreSQL, plus what only a shared database has: several nodes (stores)
// on one database at once. The server is the throwaway cluster that the test command starts
// (postgres_cluster.sh, CTest fixture postgres_cluster); each test gets its own schema.
//
// The server is found through BOLIGFLYT_TEST_PG_CONNINFO (libpq key=value pairs), else
// the file named by BOLIGFLYT_TEST_PG_CONNINFO_FILE, else the file the fixture writes into
// the build tree. No server is a failure, not a skip.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sql/migrations.h"
#include "store/store_suite.h"
#include "store_postgresql/pg_connection.h"
#include "store_postgresql/postgresql_store.h"

namespace boligflyt::store::sql {
// Generated from adapters/store_postgresql/migrations/*.sql (migrations.cmake).
std::span<const Migration> postgresql_migrations();
}  // namespace boligflyt::store::sql

namespace boligflyt::store::testing {
namespace {

// "<highest version>:<versions applied more than once>". Migration numbers may have gaps (each
// change that needs one reserves its number), so the rows are not counted against the highest.
std::string applied_once(const std::string& table) {
  return "SELECT max(version) || ':' || (count(*) - count(DISTINCT version)) FROM " + table;
}

std::string server_conninfo() {
  if (const char* direct = std::getenv("BOLIGFLYT_TEST_PG_CONNINFO"); direct && *direct) {
    return direct;
  }
  const char* file = std::getenv("BOLIGFLYT_TEST_PG_CONNINFO_FILE");
  const std::string path = file && *file ? file : BOLIGFLYT_TEST_PG_CONNINFO_FILE;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (line.empty()) {
    throw std::runtime_error("no PostgreSQL test server: " + path +
                             " is missing (run the tests with ctest, whose fixture "
                             "store.postgres_start starts one, or set "
                             "BOLIGFLYT_TEST_PG_CONNINFO)");
  }
  return line;
}

/// A plain libpq connection for what the store does not offer: schemas, and tampering.
class Admin {
 public:
  Admin() : conn_(PQconnectdb(server_conninfo().c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("cannot connect to the PostgreSQL test server: " + message);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~Admin() { PQfinish(conn_); }
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  /// Runs `sql`; returns the first column of the first row, or the error message prefixed
  /// with "ERROR:" when it fails.
  std::string run(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    std::string out;
    const auto status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      out = PQgetvalue(result, 0, 0);
    } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      out = std::string("ERROR:") + PQresultErrorMessage(result);
    }
    PQclear(result);
    return out;
  }

  void must(const std::string& sql) {
    const auto out = run(sql);
    if (out.rfind("ERROR:", 0) == 0) throw std::runtime_error(sql + ": " + out);
  }

 private:
  PGconn* conn_;
};

std::string schema_conninfo(const std::string& schema) {
  return server_conninfo() + " options=-csearch_path=" + schema;
}

/// An empty schema named `schema` (dropped first if an earlier run left it).
void fresh_schema(const std::string& schema) {
  Admin admin;
  admin.must("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  admin.must("CREATE SCHEMA " + schema);
}

StoreBackend postgresql_backend() {
  return StoreBackend{
      "postgresql",
      [](const std::string& scratch) {
        fresh_schema(scratch);
        return open_postgresql_store(schema_conninfo(scratch));
      },
      [](const std::string& scratch) { return open_postgresql_store(schema_conninfo(scratch)); }};
}

INSTANTIATE_TEST_SUITE_P(Postgresql, StoreSuite, ::testing::Values(postgresql_backend()),
                         [](const auto& info) { return info.param.name; });

// PostgreSQL only ----------------------------------------------------------------------

struct Database {
  std::string schema;    // for the admin connection's queries
  std::string conninfo;  // for a node (store) on it
};

/// A fresh schema named after the running test.
Database fresh_database() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string schema = "pgt_";  // "pg_" is reserved for the system
  for (const char c : std::string(info->name())) {
    const auto u = static_cast<unsigned char>(c);
    schema += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  schema = schema.substr(0, 60);
  fresh_schema(schema);
  return {schema, schema_conninfo(schema)};
}

TEST(PostgresqlStore, MigratesAFreshSchemaAndNamesTheBackend) {
  const auto db = fresh_database();
  auto store = open_postgresql_store(db.conninfo);
  auto info = store->info();
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->backend, "postgresql");
  EXPECT_EQ(info->schema_version, postgresql_latest_schema_version());
  EXPECT_EQ(info->installation_id.size(), 32U);
  EXPECT_EQ(info->installation_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(info->created_at.size(), 24U) << info->created_at;  // 2026-03-02T08:00:00.000Z
  EXPECT_TRUE(store->ping());
  Admin admin;
  EXPECT_EQ(admin.run(applied_once(db.schema + ".schema_migrations")),
            std::to_string(postgresql_latest_schema_version()) + ":0");
}

TEST(PostgresqlStore, NodesStartingTogetherMigrateOnce) {
  const auto db = fresh_database();
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Store>> nodes(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> threads;
  threads.reserve(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      try {
        nodes[i] = open_postgresql_store(db.conninfo);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> installations;
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_TRUE(nodes[i]) << "node " << i << ": " << errors[i];
    auto info = nodes[i]->info();
    ASSERT_TRUE(info) << describe(info.error());
    EXPECT_EQ(info->schema_version, postgresql_latest_schema_version());
    installations.insert(info->installation_id);
  }
  EXPECT_EQ(installations.size(), 1U) << "one installation, created once";
  Admin admin;
  EXPECT_EQ(admin.run(applied_once(db.schema + ".schema_migrations")),
            std::to_string(postgresql_latest_schema_version()) + ":0");
}

TEST(PostgresqlStore, BringsAVersion5DatabaseForward) {
  // A database as the last build without archive receipts left it: schema version 5, with an
  // archive message waiting in the outbox.
  const auto db = fresh_database();
  {
    auto store = open_postgresql_store(db.conninfo);
    ASSERT_TRUE(store->enqueue_outbox({make_message("export-1", "archive")}));
  }
  Admin admin;
  // Tables of later migrations go too (migration 8: personvernavvik and escalations).
  admin.must("DROP TABLE " + db.schema + ".deviation_escalations");
  admin.must("DROP TABLE " + db.schema + ".deviation_privacy");
  admin.must("DROP TABLE " + db.schema + ".deviation_attachments");
  admin.must("DROP TABLE " + db.schema + ".archive_receipts");
  admin.must("DROP TABLE " + db.schema + ".deviation_cause_codes");
  admin.must("DROP INDEX " + db.schema + ".deviations_reporting_unit");  // migration 10
  admin.must("ALTER TABLE " + db.schema + ".deviations DROP COLUMN reporter_name");
  admin.must("DROP TABLE " + db.schema + ".deviation_tallies");  // migration 11
  // Migration 12 dropped an index of migration 4: a version-5 database still has it.
  admin.must("CREATE INDEX deviations_severity ON " + db.schema + ".deviations (severity)");
  admin.must("DROP INDEX " + db.schema + ".deviations_closure_incident");  // migration 13
  admin.must("DELETE FROM " + db.schema + ".schema_migrations WHERE version >= 6");
  ASSERT_EQ(admin.run("SELECT max(version) FROM " + db.schema + ".schema_migrations"), "5");

  auto store = open_postgresql_store(db.conninfo);
  auto info = store->info();
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->schema_version, postgresql_latest_schema_version());
  EXPECT_GE(postgresql_latest_schema_version(), 6);
  EXPECT_EQ(admin.run("SELECT name FROM " + db.schema + ".schema_migrations WHERE version = 6"),
            "archive_receipts");
  auto message = store->find_outbox("export-1");
  ASSERT_TRUE(message) << describe(message.error());
  ASSERT_TRUE(message->has_value()) << "the outbox is kept";
  ArchiveReceiptRecord receipt;
  receipt.export_key = "export-1";
  receipt.subject = "deviation:AVVIK-2026-0001";
  receipt.outcome = "kvittering";
  receipt.received_at = "2026-03-02T08:00:00.000Z";
  auto done = **message;
  done.status = "delivered";
  done.attempts = 1;
  auto recorded = store->record_archive_receipt(receipt, done);
  ASSERT_TRUE(recorded) << describe(recorded.error());
  auto stored = store->archive_receipt("export-1");
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->outcome, "kvittering");
  EXPECT_EQ((*stored)->system_id, "") << "columns not given are empty";
  // The table refuses outcomes other than the two the archive sends.
  EXPECT_EQ(admin
                .run("INSERT INTO " + db.schema +
                     ".archive_receipts (export_key, outcome) VALUES ('x', 'ok')")
                .rfind("ERROR:", 0),
            0U);
}

TEST(PostgresqlStore, RefusesADatabaseFromANewerBuild) {
  const auto db = fresh_database();
  { auto store = open_postgresql_store(db.conninfo); }
  Admin admin;
  admin.must("INSERT INTO " + db.schema + ".schema_migrations VALUES (999, 'future', 'now')");
  try {
    open_postgresql_store(db.conninfo);
    FAIL() << "opened a newer database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  // Nothing was touched.
  EXPECT_EQ(admin.run("SELECT max(version) FROM " + db.schema + ".schema_migrations"), "999");
}

TEST(PostgresqlStore, StartUpErrorsNeverShowThePassword) {
  const std::string secret = "hemmelig-Passord-42";
  // Unreachable server: libpq's reason, without the connection string.
  try {
    open_postgresql_store("host=127.0.0.1 port=1 user=boligflyt dbname=boligflyt password=" +
                          secret + " connect_timeout=2");
    FAIL() << "connected to port 1";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find(secret), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
  }
  // A connection string libpq cannot parse.
  try {
    open_postgresql_store("host=127.0.0.1 password='" + secret);
    FAIL() << "accepted an unterminated quote";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
  // A URI with the password in it works like key=value (trust ignores the password).
  const auto db = fresh_database();
  Admin admin;
  const std::string uri =
      "postgresql://postgres:" + secret + "@127.0.0.1:" + admin.run("SHOW port") + "/" +
      admin.run("SELECT current_database()") + "?options=-csearch_path%3D" + db.schema;
  auto store = open_postgresql_store(uri);
  ASSERT_TRUE(store->ping());
  ASSERT_TRUE(store->put_preferences("u1", "{}", std::nullopt));
  EXPECT_EQ(admin.run("SELECT count(*) FROM " + db.schema + ".user_preferences"), "1");
}

TEST(PostgresqlStore, TwoNodesCreatingAtOnceGetUniqueGaplessIds) {
  const auto db = fresh_database();
  auto node_a = open_postgresql_store(db.conninfo);
  auto node_b = open_postgresql_store(db.conninfo);
  constexpr int kThreadsPerNode = 4;
  constexpr int kEach = 15;
  std::mutex mutex;
  std::vector<DeviationRecord> created;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (Store* node : {node_a.get(), node_b.get()}) {
    for (int t = 0; t < kThreadsPerNode; ++t) {
      threads.emplace_back([&, node, t] {
        for (int i = 0; i < kEach; ++i) {
          auto r = make_deviation(epoch_of(2026, 6, 1, t, i));
          r.reporter = "leder-" + std::to_string(t) + "-" + (node == node_a.get() ? "a" : "b");
          auto result = node->create_deviation(
              r, registered_event(r), "k-" + std::to_string(i), "s",
              {make_message("registered:" + std::string(kAssignedDeviationId))});
          if (!result) {
            ADD_FAILURE() << describe(result.error());
            ++failures;
            continue;
          }
          std::lock_guard lock(mutex);
          created.push_back(result->record);
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  constexpr int kTotal = 2 * kThreadsPerNode * kEach;
  ASSERT_EQ(created.size(), static_cast<std::size_t>(kTotal));
  std::vector<std::int64_t> numbers;
  std::set<std::string> ids;
  for (const auto& r : created) {
    numbers.push_back(r.number);
    ids.insert(r.id);
  }
  std::sort(numbers.begin(), numbers.end());
  for (int i = 0; i < kTotal; ++i) EXPECT_EQ(numbers[i], i + 1);
  EXPECT_EQ(ids.size(), created.size());
  // Each node sees all of them, with their outbox messages.
  EXPECT_EQ(list_all(*node_a, {}).size(), created.size());
  EXPECT_EQ(node_b->outbox_counts("notification")->pending, kTotal);
}

TEST(PostgresqlStore, RetriesOfOneRequestOnTwoNodesCreateOneAvvik) {
  const auto db = fresh_database();
  auto node_a = open_postgresql_store(db.conninfo);
  auto node_b = open_postgresql_store(db.conninfo);
  constexpr int kRequests = 10;
  constexpr int kRetriesPerNode = 3;
  for (int request = 0; request < kRequests; ++request) {
    const auto r = make_deviation(epoch_of(2026, 7, 1, 8, request));
    const std::string key = "retry-" + std::to_string(request);
    std::mutex mutex;
    std::vector<DeviationCreated> results;
    std::vector<std::thread> threads;
    for (Store* node : {node_a.get(), node_b.get()}) {
      for (int i = 0; i < kRetriesPerNode; ++i) {
        threads.emplace_back([&, node] {
          auto result = node->create_deviation(
              r, registered_event(r), key, "same-request",
              {make_message("registered:" + std::string(kAssignedDeviationId))});
          ASSERT_TRUE(result) << describe(result.error());
          std::lock_guard lock(mutex);
          results.push_back(*result);
        });
      }
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(results.size(), static_cast<std::size_t>(2 * kRetriesPerNode));
    int fresh = 0;
    for (const auto& result : results) {
      fresh += result.replayed ? 0 : 1;
      EXPECT_EQ(result.record.id, results[0].record.id);
    }
    EXPECT_EQ(fresh, 1) << "request " << request;
    EXPECT_EQ(results[0].record.number, request + 1) << "no number lost to a retry";
  }
  EXPECT_EQ(list_all(*node_b, {}).size(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(node_a->outbox_counts("notification")->pending, kRequests);
}

TEST(PostgresqlStore, ClaimsFromTwoNodesNeverHandOutAMessageTwice) {
  const auto db = fresh_database();
  auto node_a = open_postgresql_store(db.conninfo);
  auto node_b = open_postgresql_store(db.conninfo);
  constexpr int kMessages = 300;
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < kMessages; ++i) messages.push_back(make_message("m" + std::to_string(i)));
  ASSERT_TRUE(node_a->enqueue_outbox(messages));
  ASSERT_TRUE(node_a->enqueue_outbox({make_message("other-topic", "archive")}));
  ASSERT_TRUE(node_a->enqueue_outbox({make_message("later", "notification", 10'000)}));

  std::mutex mutex;
  std::vector<std::int64_t> claimed;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (Store* node : {node_a.get(), node_b.get()}) {
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, node] {
        for (int round = 0; round < 200; ++round) {
          auto batch = node->claim_outbox("notification", 1'000, 3'600, 7);
          if (!batch) {
            ADD_FAILURE() << describe(batch.error());
            ++failures;
            return;
          }
          if (batch->empty()) return;
          std::lock_guard lock(mutex);
          for (const auto& m : *batch) {
            EXPECT_EQ(m.next_attempt_epoch, 1'000 + 3'600);
            claimed.push_back(m.id);
          }
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::int64_t> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "a message was handed out twice";
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kMessages));
  // Leased: nothing more until the lease ends, then all of them again.
  EXPECT_TRUE(node_b->claim_outbox("notification", 4'599, 60, 1000)->empty());
  EXPECT_EQ(node_b->claim_outbox("notification", 4'600, 60, 1000)->size(),
            static_cast<std::size_t>(kMessages));
}

TEST(PostgresqlStore, TheDatabaseRefusesToRewriteHistoryOrPublishedBytes) {
  const auto db = fresh_database();
  const std::string& schema = db.schema;
  auto store = open_postgresql_store(db.conninfo);
  auto r = make_deviation();
  r.comments = {{1, "leder-nav", "Kommentar", "2026-03-02T08:05:00Z"}};
  const auto created = create_ok(*store, r);
  ProcedureVersionRecord version;
  version.procedure_id = "p";
  version.version = "1.0";
  version.status = "published";
  version.xml = "<procedure/>";
  version.sha256 = "abc";
  version.author = "a";
  version.source = "test";
  ASSERT_TRUE(store->insert_procedure_version(version));

  Admin admin;
  EXPECT_EQ(admin.run("UPDATE " + schema + ".deviation_events SET actor = 'x'").rfind("ERROR:", 0),
            0U);
  EXPECT_EQ(admin.run("DELETE FROM " + schema + ".deviation_events").rfind("ERROR:", 0), 0U);
  EXPECT_EQ(admin.run("TRUNCATE " + schema + ".deviation_events CASCADE").rfind("ERROR:", 0), 0U);
  EXPECT_EQ(
      admin.run("UPDATE " + schema + ".procedure_versions SET xml = '<x/>'").rfind("ERROR:", 0),
      0U);
  EXPECT_EQ(
      admin.run("UPDATE " + schema + ".deviation_comments SET text = 'endret'").rfind("ERROR:", 0),
      0U);
  EXPECT_EQ(admin
                .run("INSERT INTO " + schema +
                     ".deviation_participants VALUES ('AVVIK-1999-0001', 'x', 0)")
                .rfind("ERROR:", 0),
            0U)
      << "children need their avvik";
  EXPECT_EQ(admin.run("UPDATE " + schema + ".procedure_versions SET status = 'superseded'"), "");
  EXPECT_EQ(admin.run("SELECT text FROM " + schema + ".deviation_comments"), "Kommentar");
  auto history = store->deviation_history(created.id);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1U);
  expect_valid_chain(created.id, *history);
  EXPECT_EQ(store->list_procedure_versions()->at(0).xml, "<procedure/>");
}

TEST(PostgresqlStore, ALostConnectionIsReplacedWithoutAnError) {
  const auto db = fresh_database();
  // Its own application name, so that only this store's connections are ended.
  auto store = open_postgresql_store(db.conninfo + " application_name=" + db.schema);
  ASSERT_TRUE(store->put_preferences("u1", "{}", std::nullopt));
  Admin admin;
  const auto ended = admin.run(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
      "WHERE application_name = '" +
      db.schema + "'");
  ASSERT_NE(ended, "0") << "the store kept no connection open";
  auto read = store->get_preferences("u1");
  ASSERT_TRUE(read) << describe(read.error());
  ASSERT_TRUE(read->has_value());
  auto written = store->put_preferences("u1", R"({"x":1})", 1);
  ASSERT_TRUE(written) << describe(written.error());
  EXPECT_EQ(written->revision, 2);
}

TEST(PostgresqlStore, IdsGrowPastFourDigits) {
  const auto db = fresh_database();
  auto store = open_postgresql_store(db.conninfo);
  Admin admin;
  admin.must("INSERT INTO " + db.schema +
             ".deviation_counters (year, last_number) VALUES (2026, 9998)");
  EXPECT_EQ(create_ok(*store, make_deviation()).id, "AVVIK-2026-9999");
  const auto big = create_ok(*store, make_deviation());
  EXPECT_EQ(big.id, "AVVIK-2026-10000");
  EXPECT_EQ(big.number, 10000);
}

TEST(PostgresqlStore, BackupIsLeftToPgDump) {
  auto store = open_postgresql_store(fresh_database().conninfo);
  auto backup = store->backup_to("/tmp/boligflyt-backup-that-is-never-written");
  ASSERT_FALSE(backup);
  EXPECT_EQ(backup.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(backup.error().slug, "backup-unsupported");
  EXPECT_EQ(backup.error().detail, "Sikkerhetskopi av PostgreSQL tas med pg_dump.");
}

TEST(PostgresqlStore, ARequestWaitingForALockDoesNotHoldUpOthers) {
  const auto db = fresh_database();
  auto store = open_postgresql_store(db.conninfo);
  ASSERT_TRUE(store->put_preferences("busy", "{}", std::nullopt));
  Admin locker;
  Admin watcher;
  const std::string locker_pid = locker.run("SELECT pg_backend_pid()");
  locker.must("BEGIN");
  locker.must("SELECT 1 FROM " + db.schema + ".user_preferences WHERE user_id = 'busy' FOR UPDATE");
  // This write now waits for the lock ...
  auto blocked = std::async(std::launch::async, [&] {
    return store->put_preferences("busy", R"({"x":1})", std::nullopt).ok();
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (watcher.run("SELECT count(*) FROM pg_stat_activity WHERE " + locker_pid +
                     " = ANY (pg_blocking_pids(pid))") != "1" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  // ... and other requests of the same store go on meanwhile, on other connections.
  auto other = std::async(std::launch::async, [&] {
    return store->put_preferences("free", "{}", std::nullopt).ok() &&
           store->get_preferences("busy").ok();
  });
  const bool finished = other.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  locker.must("COMMIT");
  EXPECT_TRUE(finished) << "a request waited for another one's lock";
  EXPECT_TRUE(other.get());
  EXPECT_TRUE(blocked.get());
  EXPECT_EQ((*store->get_preferences("busy"))->revision, 2);
}

}  // namespace

TEST(PostgresqlStore, SqlitePlaceholdersOfTheSharedSqlBecomeDollarNumbers) {
  using boligflyt::store::postgresql::to_dollar_placeholders;
  EXPECT_EQ(to_dollar_placeholders("a = ?2 AND b = ?1"), "a = $2 AND b = $1");
  // A bare ? is the highest number so far plus one, as SQLite counts.
  EXPECT_EQ(to_dollar_placeholders("? ?3 ? ?1 ?"), "$1 $3 $4 $1 $5");
  EXPECT_EQ(to_dollar_placeholders("IN (?, ?, ?)"), "IN ($1, $2, $3)");
  // Text in quotes is left alone.
  EXPECT_EQ(to_dollar_placeholders("x = '?1' AND \"a?\" = ? AND y = ?"),
            "x = '?1' AND \"a?\" = $1 AND y = $2");
}

}  // namespace boligflyt::store::testing

// The store on PostgreSQL, for hosts with several nodes sharing one database: the SQL layer
// (store/sql) over libpq, with what is PostgreSQL's own here: a pool of connections so that
// concurrent requests run on their own, transactions run again (bounded) after a
// serialization failure or a deadlock, and migrations under an advisory lock. Where SQLite
// relies on its single writer, the shared SQL relies on row locks here (the per-year counter,
// FOR UPDATE, SKIP LOCKED; see the dialect in pg_connection.cpp) and unique indexes.
//
// libpq directly rather than Poco::Data: typed parameters, the SQLSTATE of an error as a
// field, server-side prepared statements, and the connection string passed on untouched.

#include "store_postgresql/postgresql_store.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/sql/engine.h"
#include "store/sql/errors.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store_postgresql/pg_connection.h"
#include "store_postgresql/pg_group_commit.h"

namespace boligflyt::store {
namespace sql {
std::span<const Migration> postgresql_migrations();  // generated from migrations/*.sql
}  // namespace sql

namespace {

using postgresql::PgConnection;

// Connections per store (per node); more requests than this wait for a free one.
constexpr std::size_t kMaxConnections = 16;
constexpr auto kAcquireTimeout = std::chrono::seconds(15);
// A transaction that meets a serialization failure, a deadlock or a lost connection (before
// its COMMIT) runs again, at most this many times in all.
constexpr int kMaxAttempts = 6;
// The advisory lock that serializes migrations of every node on the database: "boligfly" in
// ASCII as a 64-bit number.
constexpr const char* kMigrationLockKey = "7093007138093952121";

/// SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected): the transaction
/// did nothing and may simply run again.
bool is_transient(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

class ConnectionPool {
 public:
  explicit ConnectionPool(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  /// A connection for the duration of one call; waits (bounded) when all are in use.
  class Lease {
   public:
    explicit Lease(ConnectionPool& pool) : pool_(pool), connection_(pool.acquire()) {}
    ~Lease() { pool_.release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgConnection& operator*() { return *connection_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<PgConnection> connection_;
  };

 private:
  std::unique_ptr<PgConnection> acquire() {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, kAcquireTimeout,
                         [&] { return !idle_.empty() || open_ < kMaxConnections; })) {
      throw std::runtime_error("no free PostgreSQL connection within the time limit");
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    try {
      return std::make_unique<PgConnection>(conninfo_);
    } catch (...) {
      lock.lock();
      --open_;
      freed_.notify_one();
      throw;
    }
  }

  /// Back to the pool; a broken connection is closed (its prepared statements go with it).
  void release(std::unique_ptr<PgConnection> connection) {
    connection->release_transient();
    const bool keep = connection->connected();
    if (!keep) connection.reset();
    std::lock_guard lock(mutex_);
    if (keep) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
    freed_.notify_one();
  }

  std::string conninfo_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;
};

class PostgresqlEngine final : public sql::Engine {
 public:
  explicit PostgresqlEngine(const std::string& conninfo)
      : pool_(conninfo), registrations_([this](const auto& batch) { run_batch(batch); }) {
    migrate();
  }

  const sql::Dialect& dialect() const override { return PgConnection::static_dialect(); }

  // Reads see one snapshot across their statements.
  Result<void> read(std::string_view what, const sql::Work& body) override {
    return run(what, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body);
  }
  // Writes are durable at COMMIT even if the server's default says otherwise.
  // Registrations share transactions (pg_group_commit.h): they are serialised on the counter
  // row anyway. Other writes lock rows of their own and run alone, so that a batch never holds
  // an avvik's row for longer than its own write.
  Result<void> write(std::string_view what, const sql::Work& body) override {
    if (what != "create_deviation") return run(what, kBeginWrite, body);
    postgresql::BatchJob job;
    job.body = &body;
    registrations_.submit(job);
    switch (job.outcome) {
      case postgresql::BatchJob::Outcome::kAnswered: return std::move(*job.result);
      case postgresql::BatchJob::Outcome::kFailed:
        return sql::unavailable(std::string(what) + ": " + job.failure);
      default: return run(what, kBeginWrite, body);
    }
  }

  Result<void> backup_to(const std::string& target_path) override {
    return make_error(ErrorKind::kInvalid, "backup-unsupported",
                      "Sikkerhetskopi støttes ikke for PostgreSQL her",
                      "Sikkerhetskopi av PostgreSQL tas med pg_dump.", {},
                      "backup_to(" + target_path + ") is not supported by the PostgreSQL store");
  }

  // The server keeps its own files consistent; what can still go wrong here is an index that a
  // failed CREATE INDEX CONCURRENTLY left invalid, or a schema behind the migrations.
  Result<void> check_engine(std::vector<std::string>& problems) override {
    return read("check_engine", [&](sql::Connection& c) -> Result<void> {
      sql::Query invalid(c,
                         "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class t "
                         "ON t.oid = i.indrelid WHERE t.relnamespace = "
                         "current_schema()::regnamespace AND NOT i.indisvalid");
      while (invalid.next()) {
        problems.push_back("Indeksen " + invalid.text(0) + " er ugyldig og må bygges på nytt.");
      }
      return {};
    });
  }

  // PostgreSQL's autovacuum does the housekeeping.
  void maintenance() override {}

 private:
  /// `body` in one transaction on a pooled connection: committed when it succeeds, rolled
  /// back when it returns an error. Serialization failures, deadlocks, a connection lost
  /// before COMMIT and RestartTransaction run it again (bounded); any other exception becomes
  /// kUnavailable with the cause for the log.
  Result<void> run(std::string_view what, const char* begin, const sql::Work& body) {
    std::string failure;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      if (attempt > 1) pause_before_retry(attempt);
      try {
        ConnectionPool::Lease lease(pool_);
        PgConnection& c = *lease;
        bool committing = false;
        try {
          c.execute_script(begin);
          Result<void> result = body(c);
          if (!result) {
            c.execute_script("ROLLBACK");
            return result;
          }
          committing = true;
          c.execute_script("COMMIT");
          return result;
        } catch (const sql::RestartTransaction& e) {
          roll_back_quietly(c);
          failure = e.what();
        } catch (const std::exception& e) {
          roll_back_quietly(c);
          failure = e.what();
          const auto* db = dynamic_cast<const sql::DatabaseError*>(&e);
          // A COMMIT that failed may or may not have happened: never repeat it.
          const bool again =
              !committing && ((db != nullptr && is_transient(db->sqlstate())) || !c.connected());
          if (!again) return sql::unavailable(std::string(what) + ": " + failure);
        }
      } catch (const std::exception& e) {  // no connection: pool exhausted or server down
        return sql::unavailable(std::string(what) + ": " + e.what());
      }
    }
    return sql::unavailable(std::string(what) + ": gave up after " + std::to_string(kMaxAttempts) +
                            " attempts: " + failure);
  }

  /// One transaction for `batch`, each job under SAVEPOINT writer. A job that returns an
  /// error is rolled back to its savepoint and answered with it; one that meets a
  /// serialization failure, a deadlock or RestartTransaction is rolled back to its savepoint
  /// and runs again alone. Anything that breaks the transaction before COMMIT rolls it all
  /// back and every job runs again alone (none was answered); a failed COMMIT fails them all.
  void run_batch(const std::vector<postgresql::BatchJob*>& batch) {
    using Outcome = postgresql::BatchJob::Outcome;
    const auto all = [&](Outcome outcome, const std::string& failure) {
      for (auto* j : batch) {
        j->outcome = outcome;
        j->failure = failure;
      }
    };
    try {
      ConnectionPool::Lease lease(pool_);
      PgConnection& c = *lease;
      try {
        c.execute_script(kBeginWrite);
        for (auto* j : batch) run_in_savepoint(c, *j);
      } catch (const std::exception& e) {
        roll_back_quietly(c);
        all(Outcome::kAlone, e.what());
        return;
      }
      try {
        c.execute_script("COMMIT");
      } catch (const std::exception& e) {
        roll_back_quietly(c);
        all(Outcome::kFailed, std::string("commit failed: ") + e.what());
      }
    } catch (const std::exception& e) {  // no connection: each tries again on its own
      all(Outcome::kAlone, e.what());
    }
  }

  /// Throws only when the transaction as a whole is lost (the connection, or the savepoint).
  static void run_in_savepoint(PgConnection& c, postgresql::BatchJob& j) {
    using Outcome = postgresql::BatchJob::Outcome;
    c.execute_script("SAVEPOINT writer");
    try {
      Result<void> result = (*j.body)(c);
      c.execute_script(result ? "RELEASE SAVEPOINT writer"
                              : "ROLLBACK TO SAVEPOINT writer; RELEASE SAVEPOINT writer");
      j.result.emplace(std::move(result));
      j.outcome = Outcome::kAnswered;
      return;
    } catch (const sql::RestartTransaction&) {
      j.outcome = Outcome::kAlone;
    } catch (const std::exception& e) {
      if (!c.connected()) throw;
      const auto* db = dynamic_cast<const sql::DatabaseError*>(&e);
      j.outcome =
          db != nullptr && is_transient(db->sqlstate()) ? Outcome::kAlone : Outcome::kFailed;
      j.failure = e.what();
    }
    c.execute_script("ROLLBACK TO SAVEPOINT writer; RELEASE SAVEPOINT writer");
  }

  static void roll_back_quietly(PgConnection& c) {
    try {
      if (c.connected()) c.execute_script("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): the error that led here is reported
    }
  }

  static void pause_before_retry(int attempt) {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(0, 10 * attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt + jitter(random)));
  }

  /// Applies the pending migrations under a database-wide advisory lock, so that nodes
  /// starting together take turns: the first migrates, the others find nothing left to do.
  /// PostgreSQL's DDL is transactional, so all pending migrations and their bookkeeping rows
  /// commit together: a crash leaves the old schema or the new one, never half of one.
  void migrate() {
    ConnectionPool::Lease lease(pool_);
    PgConnection& c = *lease;
    try {
      c.execute_script("BEGIN; SET LOCAL synchronous_commit TO on");
      c.execute_script(std::string("SELECT pg_advisory_xact_lock(") + kMigrationLockKey + ")");
      const auto known = sql::postgresql_migrations();
      const int have = sql::applied_schema_version(c, known, "the PostgreSQL database");
      for (const auto& m : known) {
        if (m.version > have) sql::apply_migration(c, m);
      }
      c.execute_script("COMMIT");
    } catch (const sql::DatabaseError& e) {
      roll_back_quietly(c);
      throw std::runtime_error(std::string("PostgreSQL migration failed: ") + e.what());
    } catch (...) {
      roll_back_quietly(c);
      throw;
    }
  }

  static constexpr const char* kBeginWrite = "BEGIN; SET LOCAL synchronous_commit TO on";

  ConnectionPool pool_;
  postgresql::GroupCommit registrations_;
};

}  // namespace

int postgresql_latest_schema_version() { return sql::postgresql_migrations().back().version; }

std::unique_ptr<Store> open_postgresql_store(const std::string& conninfo) {
  return std::make_unique<sql::SqlStore>(std::make_unique<PostgresqlEngine>(conninfo));
}

}  // namespace boligflyt::store

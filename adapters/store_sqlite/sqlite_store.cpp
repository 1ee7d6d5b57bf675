// The store on SQLite, embedded in one host: the SQL layer (store/sql) over one connection,
// with what is SQLite's own here: WAL and durable commits, group commit of concurrent
// writers under savepoints, per-migration transactions and the online backup.

#include "store_sqlite/sqlite_store.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "store/sql/engine.h"
#include "store/sql/errors.h"
#include "store/sql/migrations.h"
#include "store/sql/sql_store.h"
#include "store_sqlite/sqlite_connection.h"

namespace boligflyt::store {
namespace sql {
std::span<const Migration> sqlite_migrations();  // generated from migrations/*.sql
}  // namespace sql

namespace {

class SqliteEngine final : public sql::Engine {
 public:
  explicit SqliteEngine(const std::string& path) : path_(path), db_(path) {
    // WAL lets readers go on during a write; synchronous=FULL makes each commit durable
    // before it returns, so a 201 is never sent for data a power cut could still take.
    db_.execute_script("PRAGMA journal_mode=WAL;");
    db_.execute_script("PRAGMA synchronous=FULL;");
    db_.execute_script("PRAGMA foreign_keys=ON;");
    migrate();
    // Readers get a connection of their own: in WAL mode a read sees the last commit and
    // never waits for a write batch and its fsync (nor a write for a long statistics read).
    reader_.emplace(path);
  }

  const sql::Dialect& dialect() const override { return db_.dialect(); }

  /// Under the connection mutex, inside one read transaction, so that several queries see one
  /// snapshot. An exception (SQLite said no: busy, I/O) becomes kUnavailable.
  Result<void> read(std::string_view what, const sql::Work& body) override {
    std::lock_guard lock(reader_mutex_);
    sqlite::SqliteConnection& db = *reader_;
    try {
      db.run("BEGIN");
      Result<void> result;
      try {
        result = body(db);
        db.run("COMMIT");
      } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
      db.release_transient();
      return result;
    } catch (const std::exception& e) {
      db.release_transient();
      return sql::unavailable(std::string(what) + ": " + e.what());
    }
  }

  /// Inside one IMMEDIATE transaction: committed (durably) when `body` succeeds, rolled back
  /// when it returns an error or throws, so nothing is half-written.
  ///
  /// Group commit: writers that arrive while a commit is under way share the next
  /// transaction and its one fsync. Each runs under its own SAVEPOINT, so a writer whose body
  /// fails is undone alone; nobody returns before the shared COMMIT is durable, and if that
  /// COMMIT fails, every writer of the batch gets the error (nothing was acknowledged).
  Result<void> write(std::string_view what, const sql::Work& body) override {
    std::optional<Result<void>> result;
    WriteJob job;
    job.run = [&]() -> bool {
      result.emplace(body(db_));
      return result->ok();
    };
    submit(job);
    if (!job.failure.empty()) return sql::unavailable(std::string(what) + ": " + job.failure);
    return std::move(*result);
  }

  Result<void> backup_to(const std::string& target_path) override {
    sqlite3* target = nullptr;
    if (sqlite3_open_v2(target_path.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
      std::string message = target ? sqlite3_errmsg(target) : "out of memory";
      sqlite3_close(target);
      return internal_error("backup target " + target_path + ": " + message);
    }
    // Copy in small steps so writers are only held up briefly; the backup API restarts by
    // itself when another connection writes, and sees this connection's writes directly.
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", db_.handle(), "main");
    int rc = SQLITE_OK;
    if (backup) {
      do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
      } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
      sqlite3_backup_finish(backup);
    }
    const std::string message = sqlite3_errmsg(target);
    sqlite3_close(target);
    if (!backup || rc != SQLITE_DONE) return internal_error("backup failed: " + message);
    return {};
  }

  // integrity_check reads every page and index; foreign_key_check finds rows whose parent is
  // gone. Both only read.
  Result<void> check_engine(std::vector<std::string>& problems) override {
    return read("check_engine", [&](sql::Connection& c) -> Result<void> {
      sql::Query integrity(c, "PRAGMA integrity_check");
      while (integrity.next()) {
        if (auto line = integrity.text(0); line != "ok") {
          problems.push_back("SQLite-filen er skadet: " + line);
        }
      }
      sql::Query keys(c, "PRAGMA foreign_key_check");
      while (keys.next()) {
        problems.push_back("En rad i tabellen " + keys.text(0) + " viser til en rad i " +
                           keys.text(2) + " som ikke finnes.");
      }
      return {};
    });
  }

  void maintenance() override {
    std::lock_guard lock(mutex_);
    sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

 private:
  struct WriteJob {
    std::function<bool()> run;  // the body inside the shared transaction; true = keep it
    std::string failure;        // set when it threw or the shared commit failed
    bool done = false;
  };

  static constexpr std::size_t kMaxBatch = 128;

  void migrate() {
    const auto known = sql::sqlite_migrations();
    const int have = sql::applied_schema_version(db_, known, "database " + path_);
    for (const auto& m : known) {
      if (m.version <= have) continue;
      // Each migration and its bookkeeping row commit together, so a crash leaves either
      // the old or the new schema, never half of one.
      db_.run("BEGIN IMMEDIATE");
      try {
        sql::apply_migration(db_, m);
        db_.run("COMMIT");
      } catch (...) {
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
    db_.release_transient();
  }

  void submit(WriteJob& job) {
    std::unique_lock queue_lock(queue_mutex_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leader_) {
        committed_.wait(queue_lock, [&] { return job.done || !leader_; });
        continue;
      }
      // Lead one batch: everything queued now (bounded), including our own job.
      leader_ = true;
      std::vector<WriteJob*> batch;
      if (queue_.size() <= kMaxBatch) {
        batch.swap(queue_);
      } else {
        batch.assign(queue_.begin(), queue_.begin() + kMaxBatch);
        queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
      }
      queue_lock.unlock();
      run_batch(batch);
      queue_lock.lock();
      for (auto* j : batch) j->done = true;
      leader_ = false;
      committed_.notify_all();
    }
  }

  void run_batch(const std::vector<WriteJob*>& batch) {
    std::lock_guard lock(mutex_);
    auto fail_all = [&](const std::string& why) {
      sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      for (auto* j : batch) {
        if (j->failure.empty()) j->failure = why;
      }
    };
    try {
      db_.run("BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
      for (auto* j : batch) j->failure = e.what();
      return;
    }
    for (auto* j : batch) {
      try {
        db_.run("SAVEPOINT writer");
        bool keep = false;
        try {
          keep = j->run();
        } catch (const std::exception& e) {
          j->failure = e.what();
        }
        if (!keep) db_.run("ROLLBACK TO writer");
        db_.run("RELEASE writer");
      } catch (const std::exception& e) {
        // SQLite may have rolled back the whole transaction (I/O error, full disk): then
        // nothing of this batch is written, and every writer is told so.
        fail_all(std::string("batch aborted: ") + e.what());
        db_.release_transient();
        return;
      }
    }
    try {
      db_.run("COMMIT");
    } catch (const std::exception& e) {
      fail_all(std::string("commit failed: ") + e.what());
    }
    db_.release_transient();
  }

  std::string path_;
  sqlite::SqliteConnection db_;
  std::mutex mutex_;  // the connection: one statement sequence at a time
  std::optional<sqlite::SqliteConnection> reader_;  // read(): a second connection, same file
  std::mutex reader_mutex_;
  // Group commit (write): queued writers, and whether one of them leads a batch.
  std::mutex queue_mutex_;
  std::condition_variable committed_;
  std::vector<WriteJob*> queue_;
  bool leader_ = false;
};

}  // namespace

int sqlite_latest_schema_version() { return sql::sqlite_migrations().back().version; }

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<sql::SqlStore>(std::make_unique<SqliteEngine>(path));
}

}  // namespace boligflyt::store

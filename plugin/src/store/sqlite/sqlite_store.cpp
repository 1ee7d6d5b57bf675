#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace boligflyt::store {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Append only. A migration that has shipped is never edited: add a new one instead.
constexpr std::array kMigrations = {
    Migration{1, "installation",
              "CREATE TABLE installation ("
              "  id INTEGER PRIMARY KEY CHECK (id = 1),"
              "  installation_id TEXT NOT NULL,"
              "  created_at TEXT NOT NULL);"
              "INSERT INTO installation (id, installation_id, created_at)"
              "  VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ','now'));"},
    Migration{2, "user_preferences",
              "CREATE TABLE user_preferences ("
              "  user_id TEXT PRIMARY KEY,"
              "  json TEXT NOT NULL,"
              "  revision INTEGER NOT NULL,"
              "  updated_at TEXT NOT NULL);"},
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : path_(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    // WAL lets readers go on during a write; synchronous=FULL makes each commit durable
    // before it returns, so a 201 is never sent for data a power cut could still take.
    exec_or_throw("PRAGMA journal_mode=WAL;");
    exec_or_throw("PRAGMA synchronous=FULL;");
    exec_or_throw("PRAGMA foreign_keys=ON;");
    migrate();
  }

  ~SqliteStore() override { sqlite3_close(db_); }

  // Store
  Result<StoreInfo> info() override {
    std::lock_guard lock(mutex_);
    try {
      StoreInfo info;
      info.backend = "sqlite";
      Statement st(db_, "SELECT installation_id, created_at FROM installation WHERE id = 1");
      if (st.step() == SQLITE_ROW) {
        info.installation_id = st.text(0);
        info.created_at = st.text(1);
      }
      info.schema_version = current_version();
      return info;
    } catch (const std::exception& e) {
      return internal_error(e.what());
    }
  }

  Result<void> ping() override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(db_, "SELECT 1");
      if (st.step() != SQLITE_ROW) return unavailable("ping returned no row");
      return {};
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(db_,
                   "SELECT json, revision, updated_at FROM user_preferences WHERE user_id = ?");
      st.bind(1, user_id);
      if (st.step() != SQLITE_ROW) return std::optional<UserPreferences>{};
      return std::optional<UserPreferences>{
          UserPreferences{user_id, st.text(0), st.int64(1), st.text(2)}};
    } catch (const std::exception& e) {
      return internal_error(e.what());
    }
  }

  Result<UserPreferences> put_preferences(const std::string& user_id, const std::string& json,
                                          std::optional<std::int64_t> expected_revision) override {
    std::lock_guard lock(mutex_);
    try {
      exec_or_throw("BEGIN IMMEDIATE");
      try {
        std::int64_t current = 0;
        {
          Statement st(db_, "SELECT revision FROM user_preferences WHERE user_id = ?");
          st.bind(1, user_id);
          if (st.step() == SQLITE_ROW) current = st.int64(0);
        }
        if (expected_revision && *expected_revision != current) {
          exec_or_throw("ROLLBACK");
          return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                            "Innstillingene er endret av noen andre",
                            "Innstillingene er endret siden du hentet dem. Hent dem på nytt og "
                            "prøv igjen.",
                            "If-Match");
        }
        UserPreferences prefs{user_id, json, current + 1, {}};
        {
          Statement st(db_,
                       "INSERT INTO user_preferences (user_id, json, revision, updated_at) "
                       "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
                       "ON CONFLICT(user_id) DO UPDATE SET json = excluded.json, "
                       "revision = excluded.revision, updated_at = excluded.updated_at "
                       "RETURNING updated_at");
          st.bind(1, user_id);
          st.bind(2, json);
          st.bind(3, prefs.revision);
          if (st.step() != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db_));
          prefs.updated_at = st.text(0);
          st.step();
        }
        exec_or_throw("COMMIT");
        return prefs;
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
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
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", db_, "main");
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

  void maintenance() override {
    std::lock_guard lock(mutex_);
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

 private:
  static Error unavailable(std::string log_message) {
    return make_error(ErrorKind::kUnavailable, "store-unavailable", "Lageret er ikke tilgjengelig",
                      "Data kunne ikke lagres eller leses akkurat nå. Ingenting er endret. Prøv "
                      "igjen om litt.",
                      {}, std::move(log_message));
  }

  void exec_or_throw(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw std::runtime_error("sqlite: " + text + " (" + path_ + ")");
    }
  }

  int current_version() {
    Statement st(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return st.step() == SQLITE_ROW ? static_cast<int>(st.int64(0)) : 0;
  }

  void migrate() {
    exec_or_throw(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const int have = current_version();
    if (have > sqlite_latest_schema_version()) {
      throw std::runtime_error("database " + path_ + " has schema version " +
                               std::to_string(have) + ", newer than this build knows (" +
                               std::to_string(sqlite_latest_schema_version()) +
                               "); refusing to touch it");
    }
    for (const auto& m : kMigrations) {
      if (m.version <= have) continue;
      // Each migration and its bookkeeping row commit together, so a crash leaves either
      // the old or the new schema, never half of one.
      exec_or_throw("BEGIN IMMEDIATE");
      try {
        exec_or_throw(m.sql);
        Statement st(db_,
                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                     "(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
        st.bind(1, static_cast<std::int64_t>(m.version));
        st.bind(2, m.name);
        if (st.step() != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
        exec_or_throw("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

}  // namespace

int sqlite_latest_schema_version() { return kMigrations.back().version; }

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace boligflyt::store

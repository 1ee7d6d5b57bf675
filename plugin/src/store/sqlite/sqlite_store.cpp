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
    Migration{3, "procedure_versions",
              "CREATE TABLE procedure_versions ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL,"
              "  xml TEXT NOT NULL, sha256 TEXT NOT NULL, author TEXT NOT NULL,"
              "  created_at TEXT NOT NULL, approver TEXT NOT NULL DEFAULT '',"
              "  approved_at TEXT NOT NULL DEFAULT '', effective_from TEXT NOT NULL DEFAULT '',"
              "  published_at TEXT NOT NULL DEFAULT '',"
              "  consultation_deadline TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,"
              "  revision INTEGER NOT NULL, PRIMARY KEY (procedure_id, version));"
              "CREATE TABLE procedure_consultations ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, unit_id TEXT NOT NULL,"
              "  answer TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',"
              "  answered_by TEXT NOT NULL DEFAULT '', answered_at TEXT NOT NULL DEFAULT '',"
              "  PRIMARY KEY (procedure_id, version, unit_id),"
              "  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);"
              "CREATE TABLE procedure_read_confirmations ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, user_id TEXT NOT NULL,"
              "  unit_id TEXT NOT NULL, confirmed_at TEXT NOT NULL,"
              "  PRIMARY KEY (procedure_id, version, user_id),"
              "  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);"
              // Published bytes are immutable: the database itself refuses to change them.
              "CREATE TRIGGER procedure_versions_immutable BEFORE UPDATE OF xml, sha256 ON "
              "procedure_versions WHEN OLD.status IN ('published','superseded','retired') AND "
              "(NEW.xml IS NOT OLD.xml OR NEW.sha256 IS NOT OLD.sha256) "
              "BEGIN SELECT RAISE(ABORT, 'published procedure versions are immutable'); END;"},
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
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kVersionColumns =
    "procedure_id, version, status, xml, sha256, author, created_at, approver, approved_at, "
    "effective_from, published_at, consultation_deadline, source, revision";

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

  Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(db_, std::string("SELECT ") + kVersionColumns +
                            " FROM procedure_versions ORDER BY procedure_id, created_at, version");
      std::vector<ProcedureVersionRecord> out;
      while (st.step() == SQLITE_ROW) out.push_back(read_version(st));
      return out;
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& in) override {
    std::lock_guard lock(mutex_);
    try {
      ProcedureVersionRecord record = in;
      record.revision = 1;
      Statement st(db_,
                   "INSERT INTO procedure_versions (procedure_id, version, status, xml, sha256, "
                   "author, created_at, approver, approved_at, effective_from, published_at, "
                   "consultation_deadline, source, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?7, ?8, ?9, ?10, ?11, ?12, 1) "
                   "ON CONFLICT DO NOTHING RETURNING created_at");
      bind_version(st, record);
      if (st.step() != SQLITE_ROW) {
        return make_error(ErrorKind::kConflict, "version-exists", "Versjonen finnes allerede",
                          "Prosedyren «" + in.procedure_id + "» har allerede en versjon " +
                              in.version + ". Bruk et høyere versjonsnummer.",
                          "version");
      }
      record.created_at = st.text(0);
      st.step();
      return record;
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& in, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units,
      const std::vector<std::string>& supersede) override {
    std::lock_guard lock(mutex_);
    try {
      exec_or_throw("BEGIN IMMEDIATE");
      try {
        ProcedureVersionRecord record = in;
        record.revision = expected_revision + 1;
        {
          Statement st(db_,
                       "UPDATE procedure_versions SET status = ?3, xml = ?4, sha256 = ?5, "
                       "approver = ?7, approved_at = ?8, effective_from = ?9, published_at = ?10, "
                       "consultation_deadline = ?11, revision = revision + 1 "
                       "WHERE procedure_id = ?1 AND version = ?2 AND revision = ?13");
          bind_version(st, record);
          st.bind(13, expected_revision);
          if (st.step() != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
        }
        if (sqlite3_changes(db_) != 1) {
          exec_or_throw("ROLLBACK");
          return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                            "Versjonen er endret av noen andre",
                            "Versjonen er endret siden du hentet den. Hent den på nytt og prøv "
                            "igjen.",
                            "If-Match");
        }
        for (const auto& unit : consultation_units) {
          Statement st(db_,
                       "INSERT INTO procedure_consultations (procedure_id, version, unit_id) "
                       "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
          st.bind(1, in.procedure_id);
          st.bind(2, in.version);
          st.bind(3, unit);
          if (st.step() != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
        }
        for (const auto& version : supersede) {
          Statement st(
              db_,
              "UPDATE procedure_versions SET status = 'superseded', revision = revision + 1 "
              "WHERE procedure_id = ?1 AND version = ?2 AND status = 'published'");
          st.bind(1, in.procedure_id);
          st.bind(2, version);
          if (st.step() != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
        }
        exec_or_throw("COMMIT");
        return record;
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                            const std::string& version) override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(
          db_,
          "SELECT unit_id, answer, comment, answered_by, answered_at FROM "
          "procedure_consultations WHERE procedure_id = ?1 AND version = ?2 ORDER BY unit_id");
      st.bind(1, procedure_id);
      st.bind(2, version);
      std::vector<ConsultationAnswer> out;
      while (st.step() == SQLITE_ROW) {
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)});
      }
      return out;
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                 const std::string& version,
                                                 const ConsultationAnswer& answer) override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(
          db_,
          "UPDATE procedure_consultations SET answer = ?4, comment = ?5, answered_by = ?6, "
          "answered_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE procedure_id = ?1 "
          "AND version = ?2 AND unit_id = ?3 RETURNING answered_at");
      st.bind(1, procedure_id);
      st.bind(2, version);
      st.bind(3, answer.unit_id);
      st.bind(4, answer.answer);
      st.bind(5, answer.comment);
      st.bind(6, answer.answered_by);
      if (st.step() != SQLITE_ROW) {
        return make_error(ErrorKind::kNotFound, "not-consulted", "Enheten er ikke på høring",
                          "Enheten «" + answer.unit_id + "» er ikke bedt om å svare på høringen.",
                          "unit");
      }
      ConsultationAnswer saved = answer;
      saved.answered_at = st.text(0);
      st.step();
      return saved;
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) override {
    std::lock_guard lock(mutex_);
    try {
      Statement st(db_,
                   "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
                   "procedure_id = ?1 AND version = ?2 ORDER BY confirmed_at");
      st.bind(1, procedure_id);
      st.bind(2, version);
      std::vector<ReadConfirmation> out;
      while (st.step() == SQLITE_ROW) out.push_back({st.text(0), st.text(1), st.text(2)});
      return out;
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  Result<ReadConfirmation> confirm_read(const std::string& procedure_id, const std::string& version,
                                        const ReadConfirmation& c) override {
    std::lock_guard lock(mutex_);
    try {
      {
        Statement st(db_,
                     "INSERT INTO procedure_read_confirmations (procedure_id, version, user_id, "
                     "unit_id, confirmed_at) VALUES (?1, ?2, ?3, ?4, "
                     "strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT DO NOTHING");
        st.bind(1, procedure_id);
        st.bind(2, version);
        st.bind(3, c.user_id);
        st.bind(4, c.unit_id);
        if (st.step() != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
      }
      Statement st(db_,
                   "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
                   "procedure_id = ?1 AND version = ?2 AND user_id = ?3");
      st.bind(1, procedure_id);
      st.bind(2, version);
      st.bind(3, c.user_id);
      if (st.step() != SQLITE_ROW) throw std::runtime_error("confirmation vanished");
      return ReadConfirmation{st.text(0), st.text(1), st.text(2)};
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

  static ProcedureVersionRecord read_version(const Statement& st) {
    ProcedureVersionRecord r;
    r.procedure_id = st.text(0);
    r.version = st.text(1);
    r.status = st.text(2);
    r.xml = st.text(3);
    r.sha256 = st.text(4);
    r.author = st.text(5);
    r.created_at = st.text(6);
    r.approver = st.text(7);
    r.approved_at = st.text(8);
    r.effective_from = st.text(9);
    r.published_at = st.text(10);
    r.consultation_deadline = st.text(11);
    r.source = st.text(12);
    r.revision = st.int64(13);
    return r;
  }

  // Parameters ?1..?12 in the order of kVersionColumns without created_at and revision.
  static void bind_version(Statement& st, const ProcedureVersionRecord& r) {
    st.bind(1, r.procedure_id);
    st.bind(2, r.version);
    st.bind(3, r.status);
    st.bind(4, r.xml);
    st.bind(5, r.sha256);
    st.bind(6, r.author);
    st.bind(7, r.approver);
    st.bind(8, r.approved_at);
    st.bind(9, r.effective_from);
    st.bind(10, r.published_at);
    st.bind(11, r.consultation_deadline);
    st.bind(12, r.source);
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
      throw std::runtime_error("database " + path_ + " has schema version " + std::to_string(have) +
                               ", newer than this build knows (" +
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

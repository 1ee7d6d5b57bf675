#include "store_sqlite/sqlite_connection.h"

#include <stdexcept>

namespace boligflyt::store::sqlite {
namespace {

constexpr sql::Dialect kDialect{
    .backend = "sqlite",
    .now = "strftime('%Y-%m-%dT%H:%M:%fZ','now')",
    // One writer at a time (group commit): nothing to lock or skip.
    .for_update = "",
    .skip_locked = "",
    .closure_seconds = "d.closure_seconds",  // a generated column with a partial index
    // The single writer makes MAX + 1 safe; a column of its own, as VACUUM may renumber rowids.
    .next_receipt_seq = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM archive_receipts)",
    .index_hints = true,
};

// Statements kept prepared per connection; SQL built at run time beyond this is prepared for
// one transaction only.
constexpr std::size_t kCacheSize = 256;

}  // namespace

class SqliteConnection::Stmt final : public sql::Statement {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Stmt() override { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void bind(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void bind(int index, bool value) override { sqlite3_bind_int(stmt_, index, value ? 1 : 0); }
  bool next() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      changes_ = sqlite3_changes64(db_);
      return false;
    }
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::string text(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::int64_t changes() const override { return changes_; }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    changes_ = 0;
    in_use = false;
  }

  bool in_use = false;  // between prepare() and reset(): a nested use gets its own statement
  std::uint64_t last_use = 0;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::int64_t changes_ = 0;
};

SqliteConnection::SqliteConnection(const std::string& path) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

SqliteConnection::~SqliteConnection() {
  transient_.clear();
  cache_.clear();
  sqlite3_close(db_);
}

const sql::Dialect& SqliteConnection::dialect() const { return kDialect; }

sql::Statement& SqliteConnection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    if (cache_.size() >= kCacheSize) evict_least_recently_used();
    if (cache_.size() < kCacheSize) {
      it = cache_.emplace(std::string(sql), std::make_unique<Stmt>(db_, sql)).first;
    }
  }
  Stmt* st = nullptr;
  if (it != cache_.end() && !it->second->in_use) {
    st = it->second.get();
  } else {
    st = transient_.emplace_back(std::make_unique<Stmt>(db_, sql)).get();
  }
  st->in_use = true;
  st->last_use = ++uses_;
  return *st;
}

// Statements built at run time (list filters) must not fill the cache for good and push the
// hot ones (registration, outbox) out to be parsed again on every call.
void SqliteConnection::evict_least_recently_used() {
  auto oldest = cache_.end();
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->second->in_use) continue;
    if (oldest == cache_.end() || it->second->last_use < oldest->second->last_use) oldest = it;
  }
  if (oldest != cache_.end()) cache_.erase(oldest);
}

void SqliteConnection::run(std::string_view sql) {
  sql::Query q(*this, sql);
  q.run();
}

void SqliteConnection::execute_script(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw std::runtime_error("sqlite: " + reason + " (" + path_ + ")");
  }
}

void SqliteConnection::release_transient() { transient_.clear(); }

}  // namespace boligflyt::store::sqlite

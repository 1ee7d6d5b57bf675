#pragma once
// The SQL layer's connection (store/sql/connection.h) over one sqlite3 handle.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/connection.h"

namespace boligflyt::store::sqlite {

class SqliteConnection final : public sql::Connection {
 public:
  /// Opens (creating if needed) the database at `path`; throws with the reason.
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const sql::Dialect& dialect() const override;
  sql::Statement& prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  /// Runs one statement without parameters or results (BEGIN, SAVEPOINT, COMMIT, …) from the
  /// statement cache: sqlite3_exec would parse it again on every transaction.
  void run(std::string_view sql);
  /// Drops statements prepared past the cache's size; call between transactions.
  void release_transient();

  sqlite3* handle() { return db_; }

  class Stmt;

 private:
  void evict_least_recently_used();

  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> cache_;
  std::uint64_t uses_ = 0;  // a clock for evicting the least recently used statement
  std::vector<std::unique_ptr<Stmt>> transient_;
};

}  // namespace boligflyt::store::sqlite

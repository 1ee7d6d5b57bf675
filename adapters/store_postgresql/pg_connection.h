#pragma once
// The SQL layer's connection (store/sql/connection.h) over one libpq connection. Statements are
// prepared on the server once per connection and reused; parameters travel as text with their
// types (text, bigint, boolean), results come back as text.

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/connection.h"

namespace boligflyt::store::postgresql {

/// ?N and bare ? (SQLite's placeholders, as the SQL layer writes them) as $N; text in quotes
/// is left alone.
std::string to_dollar_placeholders(std::string_view sql);

class PgConnection final : public sql::Connection {
 public:
  /// Connects with `conninfo` (key=value or URI); throws without quoting it (it may hold a
  /// password).
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  const sql::Dialect& dialect() const override;
  static const sql::Dialect& static_dialect();
  sql::Statement& prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  /// Drops statements prepared past the cache's size; call between transactions.
  void release_transient();
  bool connected() const { return PQstatus(conn_) == CONNECTION_OK; }

  class Stmt;

 private:
  PGconn* conn_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> cache_;
  std::vector<std::unique_ptr<Stmt>> transient_;
  int next_name_ = 0;
};

}  // namespace boligflyt::store::postgresql

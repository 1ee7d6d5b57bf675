#pragma once
// The seam between the one SQL layer (this folder) and the engines (adapters/store_sqlite,
// adapters/store_postgresql): a connection that prepares statements once and reuses them,
// statements that bind text, integers, booleans and NULL and step through rows, and the few
// differences of SQL text between the engines (Dialect).
//
// SQL is written once, with SQLite's placeholders: ?N for the N-th parameter and a bare ? for
// "the highest number so far, plus one". The PostgreSQL connection rewrites them to $N.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace boligflyt::store::sql {

/// What the SQL text of the two engines differs in; everything else is written once.
struct Dialect {
  std::string_view backend;  // "sqlite", "postgresql"
  /// The current time as the stores write it: ISO 8601 UTC with milliseconds and "Z".
  std::string_view now;
  /// Appended to a SELECT that reads a row it is about to change (a row lock), or "".
  std::string_view for_update;
  /// Appended to the SELECT that claims outbox messages: other nodes skip what one is
  /// claiming instead of waiting for it, or "" where there is one writer anyway.
  std::string_view skip_locked;
  /// The expression of an avvik's closure time in seconds (NULL unless lukket), on alias d.
  std::string_view closure_seconds;
  /// The value of archive_receipts.seq for a receipt recorded now.
  std::string_view next_receipt_seq;
  /// The engine takes index hints (SQLite's INDEXED BY) and needs them to page large sets.
  bool index_hints = false;
};

/// The database refused a statement; `sqlstate` is the SQL standard's code where the engine
/// gives one (PostgreSQL), else "".
class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// Thrown by a transaction body that must start over: a concurrent writer on another node won
/// a race. Engines with one writer never see it (for them it is an error like any other).
class RestartTransaction : public std::runtime_error {
 public:
  RestartTransaction() : std::runtime_error("the transaction had to start over too often") {}
};

/// A prepared statement; owned and reused by its connection.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind(int index, std::string_view text) = 0;
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, bool value) = 0;
  /// Runs the statement on the first call; true while there is a row to read.
  virtual bool next() = 0;
  virtual std::string text(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  /// The rows an INSERT, UPDATE or DELETE changed, once it has run.
  virtual std::int64_t changes() const = 0;
  /// Ready to run again with new bindings.
  virtual void reset() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;
  /// The statement for `sql`, prepared on first use and reset.
  virtual Statement& prepare(std::string_view sql) = 0;
  /// Runs SQL without parameters or results, possibly several statements (migrations).
  virtual void execute_script(std::string_view sql) = 0;
};

/// One use of a prepared statement: binds, steps, reads, and resets it when done.
class Query {
 public:
  Query(Connection& connection, std::string_view sql) : st_(connection.prepare(sql)) {}
  ~Query() { st_.reset(); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::string_view text) {
    st_.bind(index, text);
    return *this;
  }
  Query& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, std::int64_t value) {
    st_.bind(index, value);
    return *this;
  }
  Query& bind(int index, int value) { return bind(index, std::int64_t{value}); }
  Query& bind(int index, bool value) {
    st_.bind(index, value);
    return *this;
  }
  /// Binds ?1, ?2, … in order.
  template <typename... Values>
  Query& with(const Values&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  bool next() { return st_.next(); }
  /// Runs a statement that returns no rows.
  void run() {
    if (st_.next()) throw std::runtime_error("SQL statement returned an unexpected row");
  }
  std::int64_t changes() const { return st_.changes(); }
  std::string text(int column) const { return st_.text(column); }
  std::int64_t int64(int column) const { return st_.int64(column); }
  bool is_null(int column) const { return st_.is_null(column); }

 private:
  Statement& st_;
};

}  // namespace boligflyt::store::sql

#pragma once
// What an engine gives the SQL layer besides connections: how a call becomes a transaction.
// SQLite runs writers in shared group commits under savepoints; PostgreSQL takes a pooled
// connection and runs the body again after a serialization failure or deadlock. The body is
// the SQL layer's, written once; it may run more than once, so it keeps no state outside.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/sql/connection.h"

namespace boligflyt::store::sql {

/// A transaction body: an error result rolls the transaction back; so does an exception,
/// which the engine turns into kUnavailable (its text goes to the log only).
using Work = std::function<Result<void>(Connection&)>;

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const Dialect& dialect() const = 0;
  /// `body` in one read-only transaction: its statements see one snapshot.
  virtual Result<void> read(std::string_view what, const Work& body) = 0;
  /// `body` in one write transaction, committed durably before this returns.
  virtual Result<void> write(std::string_view what, const Work& body) = 0;
  virtual Result<void> backup_to(const std::string& target_path) = 0;
  /// The engine's own consistency check of its files and indexes; appends one Norwegian
  /// sentence per problem found.
  virtual Result<void> check_engine(std::vector<std::string>& problems) = 0;
  virtual void maintenance() = 0;
};

}  // namespace boligflyt::store::sql

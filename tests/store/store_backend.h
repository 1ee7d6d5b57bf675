#pragma once
// The store suite runs every test against every backend. A backend is a way to get a fresh,
// empty, migrated database and to open the same database again (for durability tests).
// sqlite_backend.cpp and postgres_backend.cpp each instantiate the suite with theirs.

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "ports/store/store.h"

namespace boligflyt::store::testing {

struct StoreBackend {
  std::string name;  // "sqlite", "postgresql": used in the test names
  /// A new empty database named after `scratch` (unique per test), migrated, opened.
  std::function<std::unique_ptr<Store>(const std::string& scratch)> open_fresh;
  /// The database `open_fresh(scratch)` created, opened again (a restart).
  std::function<std::unique_ptr<Store>(const std::string& scratch)> reopen;
};

inline std::ostream& operator<<(std::ostream& os, const StoreBackend& b) { return os << b.name; }

}  // namespace boligflyt::store::testing

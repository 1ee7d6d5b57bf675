#pragma once
#include <memory>
#include <string>

#include "ports/store/store.h"

namespace boligflyt::store {

/// Opens (creating if needed) the SQLite database at `path` in WAL mode with durable commits
/// (synchronous=FULL) and applies pending migrations. Throws std::runtime_error with a
/// message for the log when the file cannot be opened or is from a newer schema: this runs at
/// start-up, where exceptions are fine.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

/// The migrations this build knows, highest version.
int sqlite_latest_schema_version();

}  // namespace boligflyt::store

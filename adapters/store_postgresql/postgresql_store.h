#pragma once
#include <memory>
#include <string>

#include "ports/store/store.h"

namespace boligflyt::store {

/// Opens the PostgreSQL database named by `conninfo` (libpq key=value or URI) for a host with
/// several nodes sharing one database, and applies pending migrations under an advisory lock,
/// so nodes starting together do not race. Requests run on pooled connections, so they do not
/// wait for one another. Throws std::runtime_error with a message for the log when the server
/// cannot be reached, the connection string is unusable or the schema is newer than this build;
/// the message never contains the connection string (it may hold a password).
std::unique_ptr<Store> open_postgresql_store(const std::string& conninfo);

/// The migrations this build knows, highest version.
int postgresql_latest_schema_version();

}  // namespace boligflyt::store

#pragma once
// Schema migrations: plain .sql files per engine (adapters/store_*/migrations/NNNN_name.sql),
// embedded into the build by boligflyt_embed_migrations (migrations.cmake). The engine decides
// the transactions; the bookkeeping table and the refusal of a newer schema are shared.

#include <span>
#include <string>
#include <string_view>

#include "store/sql/connection.h"

namespace boligflyt::store::sql {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// Creates schema_migrations when missing and returns the highest version applied. Throws
/// std::runtime_error when it is newer than the last of `known` (`database` names the
/// database in that message, never with a password).
int applied_schema_version(Connection& c, std::span<const Migration> known,
                           const std::string& database);

/// Runs one migration and its bookkeeping row (in the caller's transaction).
void apply_migration(Connection& c, const Migration& m);

}  // namespace boligflyt::store::sql

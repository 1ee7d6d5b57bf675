#include "store/sql/migrations.h"

#include <stdexcept>

namespace boligflyt::store::sql {

int applied_schema_version(Connection& c, std::span<const Migration> known,
                           const std::string& database) {
  c.execute_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at TEXT NOT NULL)");
  int have = 0;
  {
    Query q(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (q.next()) have = static_cast<int>(q.int64(0));
  }
  const int latest = known.empty() ? 0 : known.back().version;
  if (have > latest) {
    throw std::runtime_error(database + " has schema version " + std::to_string(have) +
                             ", newer than this build knows (" + std::to_string(latest) +
                             "); refusing to touch it");
  }
  return have;
}

void apply_migration(Connection& c, const Migration& m) {
  c.execute_script(m.sql);
  Query q(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, " +
                 std::string(c.dialect().now) + ")");
  q.with(std::int64_t{m.version}, m.name).run();
}

}  // namespace boligflyt::store::sql

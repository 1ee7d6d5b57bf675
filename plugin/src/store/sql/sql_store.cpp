// Administration: the installation, health, preferences, backup and housekeeping.

#include "store/sql/sql_store.h"

#include <string>

#include "store/sql/rows.h"

namespace boligflyt::store::sql {

Result<StoreInfo> SqlStore::info() {
  return read<StoreInfo>("info", [&](Connection& c) -> Result<StoreInfo> {
    StoreInfo info;
    info.backend = std::string(c.dialect().backend);
    {
      Query q(c, "SELECT installation_id, created_at FROM installation WHERE id = 1");
      if (q.next()) {
        info.installation_id = q.text(0);
        info.created_at = q.text(1);
      }
    }
    Query q(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (q.next()) info.schema_version = static_cast<int>(q.int64(0));
    return info;
  });
}

Result<void> SqlStore::ping() {
  return read<void>("ping", [&](Connection& c) -> Result<void> {
    Query q(c, "SELECT 1");
    if (!q.next()) return unavailable("ping returned no row");
    return {};
  });
}

Result<std::optional<UserPreferences>> SqlStore::get_preferences(const std::string& user_id) {
  return read<std::optional<UserPreferences>>(
      "get_preferences", [&](Connection& c) -> Result<std::optional<UserPreferences>> {
        Query q(c, "SELECT json, revision, updated_at FROM user_preferences WHERE user_id = ?1");
        q.with(user_id);
        if (!q.next()) return std::optional<UserPreferences>{};
        return std::optional<UserPreferences>{
            UserPreferences{user_id, q.text(0), q.int64(1), q.text(2)}};
      });
}

Result<UserPreferences> SqlStore::put_preferences(const std::string& user_id,
                                                  const std::string& json,
                                                  std::optional<std::int64_t> expected_revision) {
  return write<UserPreferences>("put_preferences", [&](Connection& c) -> Result<UserPreferences> {
    // Lock the row (if any) so two nodes cannot both move revision n to n + 1.
    std::int64_t current = 0;
    {
      Query q(c, "SELECT revision FROM user_preferences WHERE user_id = ?1" +
                     std::string(c.dialect().for_update));
      q.with(user_id);
      if (q.next()) current = q.int64(0);
    }
    if (expected_revision && *expected_revision != current) return preferences_changed();
    UserPreferences prefs{user_id, json, current + 1, {}};
    // A concurrent first insert makes ON CONFLICT update a row whose revision is not
    // `current`: the WHERE then leaves it alone, and no row comes back.
    Query q(c,
            "INSERT INTO user_preferences (user_id, json, revision, updated_at) VALUES (?1, "
            "?2, ?3, " +
                std::string(c.dialect().now) +
                ") ON CONFLICT (user_id) DO UPDATE SET json = excluded.json, "
                "revision = excluded.revision, updated_at = excluded.updated_at "
                "WHERE user_preferences.revision = ?4 RETURNING updated_at");
    q.with(user_id, json, prefs.revision, current);
    if (!q.next()) {
      if (expected_revision) return preferences_changed();
      throw RestartTransaction();
    }
    prefs.updated_at = q.text(0);
    return prefs;
  });
}

Result<void> SqlStore::backup_to(const std::string& target_path) {
  return engine_->backup_to(target_path);
}

Result<std::vector<std::string>> SqlStore::check_integrity() {
  std::vector<std::string> problems;
  if (auto ok = engine_->check_engine(problems); !ok) return ok.error();
  auto checked = engine_->read("check_integrity", [&](Connection& c) -> Result<void> {
    // Numbers are gapless per year: as many avvik as the highest number, and the counter
    // never behind the highest number (else the next id would be issued twice).
    Query numbers(c,
                  "SELECT d.year, COUNT(*), MAX(d.number), COALESCE(MAX(k.last_number), 0) "
                  "FROM deviations d LEFT JOIN deviation_counters k ON k.year = d.year "
                  "GROUP BY d.year ORDER BY d.year");
    while (numbers.next()) {
      const auto year = std::to_string(numbers.int64(0));
      if (numbers.int64(1) != numbers.int64(2)) {
        problems.push_back("Avviksnumrene for " + year +
                           " har hull: " + std::to_string(numbers.int64(1)) +
                           " avvik, høyeste nummer " + std::to_string(numbers.int64(2)) + ".");
      }
      if (numbers.int64(3) < numbers.int64(2)) {
        problems.push_back("Telleren for " + year +
                           " står bak høyeste avviksnummer, så et "
                           "nummer kan bli gitt ut to ganger.");
      }
    }
    Query without_history(c,
                          "SELECT d.id FROM deviations d WHERE NOT EXISTS (SELECT 1 FROM "
                          "deviation_events e WHERE e.deviation_id = d.id) ORDER BY d.id");
    while (without_history.next()) {
      problems.push_back("Avvik " + without_history.text(0) + " har ingen historikk.");
    }
    return {};
  });
  if (!checked) return checked.error();
  return problems;
}

void SqlStore::maintenance() { engine_->maintenance(); }

}  // namespace boligflyt::store::sql

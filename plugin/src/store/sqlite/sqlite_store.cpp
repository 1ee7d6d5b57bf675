#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace boligflyt::store {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Append only. A migration that has shipped is never edited: add a new one instead.
constexpr std::array kMigrations = {
    Migration{1, "installation",
              "CREATE TABLE installation ("
              "  id INTEGER PRIMARY KEY CHECK (id = 1),"
              "  installation_id TEXT NOT NULL,"
              "  created_at TEXT NOT NULL);"
              "INSERT INTO installation (id, installation_id, created_at)"
              "  VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ','now'));"},
    Migration{2, "user_preferences",
              "CREATE TABLE user_preferences ("
              "  user_id TEXT PRIMARY KEY,"
              "  json TEXT NOT NULL,"
              "  revision INTEGER NOT NULL,"
              "  updated_at TEXT NOT NULL);"},
    Migration{3, "procedure_versions",
              "CREATE TABLE procedure_versions ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL,"
              "  xml TEXT NOT NULL, sha256 TEXT NOT NULL, author TEXT NOT NULL,"
              "  created_at TEXT NOT NULL, approver TEXT NOT NULL DEFAULT '',"
              "  approved_at TEXT NOT NULL DEFAULT '', effective_from TEXT NOT NULL DEFAULT '',"
              "  published_at TEXT NOT NULL DEFAULT '',"
              "  consultation_deadline TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,"
              "  revision INTEGER NOT NULL, PRIMARY KEY (procedure_id, version));"
              "CREATE TABLE procedure_consultations ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, unit_id TEXT NOT NULL,"
              "  answer TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',"
              "  answered_by TEXT NOT NULL DEFAULT '', answered_at TEXT NOT NULL DEFAULT '',"
              "  PRIMARY KEY (procedure_id, version, unit_id),"
              "  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);"
              "CREATE TABLE procedure_read_confirmations ("
              "  procedure_id TEXT NOT NULL, version TEXT NOT NULL, user_id TEXT NOT NULL,"
              "  unit_id TEXT NOT NULL, confirmed_at TEXT NOT NULL,"
              "  PRIMARY KEY (procedure_id, version, user_id),"
              "  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);"
              // Published bytes are immutable: the database itself refuses to change them.
              "CREATE TRIGGER procedure_versions_immutable BEFORE UPDATE OF xml, sha256 ON "
              "procedure_versions WHEN OLD.status IN ('published','superseded','retired') AND "
              "(NEW.xml IS NOT OLD.xml OR NEW.sha256 IS NOT OLD.sha256) "
              "BEGIN SELECT RAISE(ABORT, 'published procedure versions are immutable'); END;"},
    // Avvik. Scalar fields of DeviationRecord as columns; children in their own tables. Two
    // generated columns: severity_rank (the sort order of severity) and closure_seconds (how
    // long a lukket avvik took, NULL otherwise; its partial index yields the median by offset).
    // Indexes, checked with EXPLAIN QUERY PLAN on a million avvik:
    // * one per sort key, with id as the tie-breaker, so that a page is an index range;
    // * (column, id) for responsible unit and reporter, covering the id lists that the unit and
    //   visibility filters are built from; participants by unit for the same;
    // * covering indexes for the GROUP BYs of the statistics (step with status, unit, category,
    //   severity, incident date) and partial ones over the few open rows for "overdue".
    Migration{
        4, "deviations",
        "CREATE TABLE deviation_counters ("
        "  year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL);"
        "CREATE TABLE deviations ("
        "  id TEXT PRIMARY KEY, year INTEGER NOT NULL, number INTEGER NOT NULL,"
        "  procedure_id TEXT NOT NULL, procedure_version TEXT NOT NULL, step_id TEXT NOT NULL,"
        "  incident_date TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,"
        "  severity_rank INTEGER GENERATED ALWAYS AS (CASE severity WHEN 'lav' THEN 1"
        "    WHEN 'middels' THEN 2 WHEN 'hoy' THEN 3 WHEN 'kritisk' THEN 4 ELSE 0 END) VIRTUAL,"
        "  closure_seconds INTEGER GENERATED ALWAYS AS (CASE WHEN status = 'lukket' AND"
        "    closed_epoch > 0 THEN closed_epoch - created_epoch END) VIRTUAL,"
        "  title TEXT NOT NULL, description TEXT NOT NULL, reporting_unit TEXT NOT NULL,"
        "  reporter TEXT NOT NULL, responsible_unit TEXT NOT NULL,"
        "  case_reference TEXT NOT NULL, personal_data INTEGER NOT NULL"
        "    CHECK (personal_data IN (0, 1)), status TEXT NOT NULL,"
        "  created_at TEXT NOT NULL, created_epoch INTEGER NOT NULL, updated_at TEXT NOT NULL,"
        "  receive_due_epoch INTEGER NOT NULL, close_due_epoch INTEGER NOT NULL,"
        "  received_at TEXT NOT NULL, closed_at TEXT NOT NULL, closed_epoch INTEGER NOT NULL,"
        "  cause TEXT NOT NULL, evaluation TEXT NOT NULL, rejection_reason TEXT NOT NULL,"
        "  reopen_reason TEXT NOT NULL, resolved_in_version TEXT NOT NULL,"
        "  linked_draft_version TEXT NOT NULL,"
        "  idempotency_key TEXT NOT NULL, request_sha256 TEXT NOT NULL,"
        "  revision INTEGER NOT NULL CHECK (revision >= 1),"
        "  UNIQUE (year, number));"
        "CREATE UNIQUE INDEX deviations_idempotency ON deviations (reporter, idempotency_key)"
        "  WHERE idempotency_key <> '';"
        "CREATE INDEX deviations_created ON deviations (created_epoch, id);"
        "CREATE INDEX deviations_updated ON deviations (updated_at, id);"
        "CREATE INDEX deviations_incident ON deviations (incident_date, id);"
        "CREATE INDEX deviations_severity_rank ON deviations (severity_rank, id);"
        "CREATE INDEX deviations_status ON deviations (status);"
        "CREATE INDEX deviations_unit ON deviations (responsible_unit, id);"
        "CREATE INDEX deviations_step ON deviations (step_id, procedure_id, status);"
        "CREATE INDEX deviations_category ON deviations (category);"
        "CREATE INDEX deviations_severity ON deviations (severity);"
        "CREATE INDEX deviations_reporter ON deviations (reporter, id);"
        "CREATE INDEX deviations_receive_due ON deviations (receive_due_epoch)"
        "  WHERE status = 'registrert';"
        "CREATE INDEX deviations_close_due ON deviations (close_due_epoch)"
        "  WHERE status NOT IN ('registrert', 'lukket', 'avvist');"
        "CREATE INDEX deviations_closure ON deviations (closure_seconds)"
        "  WHERE closure_seconds IS NOT NULL;"
        "CREATE TABLE deviation_participants ("
        "  deviation_id TEXT NOT NULL REFERENCES deviations (id), unit_id TEXT NOT NULL,"
        "  position INTEGER NOT NULL, PRIMARY KEY (deviation_id, unit_id)) WITHOUT ROWID;"
        "CREATE INDEX deviation_participants_unit ON deviation_participants (unit_id, "
        "deviation_id);"
        "CREATE TABLE deviation_actions ("
        "  deviation_id TEXT NOT NULL REFERENCES deviations (id), action_no INTEGER NOT NULL,"
        "  owner_unit TEXT NOT NULL, description TEXT NOT NULL, due_date TEXT NOT NULL,"
        "  done_date TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
        "  PRIMARY KEY (deviation_id, action_no));"
        "CREATE INDEX deviation_actions_open ON deviation_actions (done_date, due_date);"
        "CREATE TABLE deviation_comments ("
        "  deviation_id TEXT NOT NULL REFERENCES deviations (id), comment_no INTEGER NOT NULL,"
        "  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,"
        "  PRIMARY KEY (deviation_id, comment_no));"
        "CREATE TABLE deviation_events ("
        "  deviation_id TEXT NOT NULL REFERENCES deviations (id),"
        "  seq INTEGER NOT NULL CHECK (seq >= 1), at TEXT NOT NULL, actor TEXT NOT NULL,"
        "  kind TEXT NOT NULL, data_json TEXT NOT NULL, prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL, PRIMARY KEY (deviation_id, seq));"
        // The history is append-only and comments are never edited, whatever the code does.
        "CREATE TRIGGER deviation_events_no_update BEFORE UPDATE ON deviation_events "
        "BEGIN SELECT RAISE(ABORT, 'avvik history is append-only'); END;"
        "CREATE TRIGGER deviation_events_no_delete BEFORE DELETE ON deviation_events "
        "BEGIN SELECT RAISE(ABORT, 'avvik history is append-only'); END;"
        "CREATE TRIGGER deviation_comments_no_update BEFORE UPDATE ON deviation_comments "
        "BEGIN SELECT RAISE(ABORT, 'avvik comments cannot be changed'); END;"},
    Migration{5, "outbox",
              "CREATE TABLE outbox ("
              "  id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,"
              "  dedupe_key TEXT NOT NULL UNIQUE, payload_json TEXT NOT NULL,"
              "  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),"
              "  attempts INTEGER NOT NULL, next_attempt_epoch INTEGER NOT NULL,"
              "  last_error TEXT NOT NULL, created_at TEXT NOT NULL,"
              "  delivered_at TEXT NOT NULL);"
              "CREATE INDEX outbox_due ON outbox (topic, status, next_attempt_epoch, id);"
              "CREATE INDEX outbox_status ON outbox (status, id);"},
    // What the archive answered per export (outbox dedupe key). seq is the order in which
    // receipts were recorded (a replacement counts as recorded anew): the tie-breaker after
    // received_at, kept in a column of its own because VACUUM may renumber a plain rowid.
    Migration{6, "archive_receipts",
              "CREATE TABLE archive_receipts ("
              "  export_key TEXT PRIMARY KEY, subject TEXT NOT NULL DEFAULT '',"
              "  outcome TEXT NOT NULL CHECK (outcome IN ('kvittering', 'feilmelding')),"
              "  system_id TEXT NOT NULL DEFAULT '', case_number TEXT NOT NULL DEFAULT '',"
              "  journalpost_number TEXT NOT NULL DEFAULT '', error_text TEXT NOT NULL DEFAULT '',"
              "  received_at TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL UNIQUE);"
              "CREATE INDEX archive_receipts_subject ON archive_receipts (subject, received_at, "
              "seq);"},
};

constexpr const char* kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int step() { return sqlite3_step(stmt_); }
  /// Steps once: true for a row, false when done; throws on an error.
  bool row() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  /// Runs a statement that returns no rows; throws on an error.
  void run() {
    if (row()) throw std::runtime_error("sqlite: unexpected row");
  }
  /// Makes the statement ready to run again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Positional parameters of SQL built at run time, bound in order from ?1.
class SqlParams {
 public:
  void add(std::string value) { values_.emplace_back(std::move(value)); }
  void add(std::int64_t value) { values_.emplace_back(value); }
  void append(const SqlParams& other) {
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  }
  void bind(Statement& st) const {
    int index = 1;
    for (const auto& value : values_) {
      std::visit([&](const auto& v) { st.bind(index, v); }, value);
      ++index;
    }
  }

 private:
  std::vector<std::variant<std::int64_t, std::string>> values_;
};

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

constexpr const char* kVersionColumns =
    "procedure_id, version, status, xml, sha256, author, created_at, approver, approved_at, "
    "effective_from, published_at, consultation_deadline, source, revision";

// In the order of the parameters ?1..?32 of bind_deviation and of read_deviation's columns.
constexpr const char* kDeviationColumns =
    "d.id, d.year, d.number, d.procedure_id, d.procedure_version, d.step_id, d.incident_date, "
    "d.category, d.severity, d.title, d.description, d.reporting_unit, d.reporter, "
    "d.responsible_unit, d.case_reference, d.personal_data, d.status, d.created_at, "
    "d.created_epoch, d.updated_at, d.receive_due_epoch, d.close_due_epoch, d.received_at, "
    "d.closed_at, d.closed_epoch, d.cause, d.evaluation, d.rejection_reason, d.reopen_reason, "
    "d.resolved_in_version, d.linked_draft_version, d.revision";

constexpr const char* kOutboxColumns =
    "id, topic, dedupe_key, payload_json, status, attempts, next_attempt_epoch, last_error, "
    "created_at, delivered_at";

// In the order of read_archive_receipt's columns and of the parameters ?1..?8 of
// record_archive_receipt.
constexpr const char* kArchiveReceiptColumns =
    "export_key, subject, outcome, system_id, case_number, journalpost_number, error_text, "
    "received_at";

// Open = neither lukket nor avvist; overdue as DeviationQuery::overdue_only says. Written
// exactly as the partial indexes deviations_receive_due and deviations_close_due, so that the
// planner can use them. Two parameters: now_epoch twice.
constexpr const char* kOverdueSql =
    "((d.status = 'registrert' AND d.receive_due_epoch < ?) OR "
    "(d.status NOT IN ('registrert', 'lukket', 'avvist') AND d.close_due_epoch < ?))";

/// Severity order for sorting: lav < middels < høy < kritisk; unknown codes first. The same
/// table as the generated column deviations.severity_rank.
std::int64_t severity_rank(std::string_view code) {
  if (code == "lav") return 1;
  if (code == "middels") return 2;
  if (code == "hoy") return 3;
  if (code == "kritisk") return 4;
  return 0;
}

std::string format_deviation_id(int year, std::int64_t number) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "AVVIK-%d-%04lld", year,
                static_cast<long long>(number));
  return buffer.data();
}

/// YYYY-MM-DD of `epoch` in UTC.
std::string utc_date(std::int64_t epoch) {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d", &tm);
  return buffer.data();
}

/// How list_deviations orders: the column, its index (with id as the tie-breaker), and whether
/// the cursor value is an integer.
struct SortKey {
  std::string_view name;
  const char* column;
  const char* index;
  bool integer;
};

constexpr std::array kSortKeys = {
    SortKey{"created", "d.created_epoch", "deviations_created", true},
    SortKey{"updated", "d.updated_at", "deviations_updated", false},
    SortKey{"incident_date", "d.incident_date", "deviations_incident", false},
    SortKey{"severity", "d.severity_rank", "deviations_severity_rank", true},
    SortKey{"id", "d.id", "sqlite_autoindex_deviations_1", false},  // the primary key
};

std::string sort_value_of(const DeviationRecord& r, std::string_view sort) {
  if (sort == "created") return std::to_string(r.created_epoch);
  if (sort == "updated") return r.updated_at;
  if (sort == "incident_date") return r.incident_date;
  if (sort == "severity") return r.severity;  // the code; compared by its rank
  return r.id;
}

void sort_counts(std::vector<KeyCount>& counts) {
  std::sort(counts.begin(), counts.end(), [](const KeyCount& a, const KeyCount& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
}

Error invalid_query(std::string detail, std::string field) {
  Error e = make_error(ErrorKind::kInvalid, "invalid-query", "Ugyldig søk", std::move(detail),
                       std::move(field));
  e.http_status = 400;
  return e;
}

bool is_open_status(std::string_view status) { return status != "lukket" && status != "avvist"; }

/// The WHERE terms (" AND …" on the alias d) of a query's filters and, for lists, its
/// visibility, with their parameters in order.
///
/// Units (the unit filter, visibility) are written in one of two ways with the same
/// parameters: as lists of ids (responsible, then participating) that SQLite can start from,
/// so that the cost follows the number of matches; or as a check of each row (its own columns
/// and the participants' primary key), for walking an index in order without building the
/// lists first.
enum class UnitTerms { kIdLists, kRowChecks };

struct FilterSql {
  std::string where;
  SqlParams params;
  bool dates = false;  // from_date or to_date is set
};

FilterSql filter_sql(const DeviationQuery& q, bool with_visibility, UnitTerms units) {
  const bool lists = units == UnitTerms::kIdLists;
  FilterSql f;
  if (!q.statuses.empty()) {
    f.where += " AND d.status IN (" + placeholders(q.statuses.size()) + ")";
    for (const auto& status : q.statuses) f.params.add(status);
  }
  if (!q.unit.empty()) {
    f.where += lists ? " AND d.id IN (SELECT u.id FROM deviations u WHERE u.responsible_unit = ? "
                       "UNION ALL SELECT p.deviation_id FROM deviation_participants p WHERE "
                       "p.unit_id = ?)"
                     : " AND (d.responsible_unit = ? OR EXISTS (SELECT 1 FROM "
                       "deviation_participants p WHERE p.deviation_id = d.id AND p.unit_id = ?))";
    f.params.add(q.unit);
    f.params.add(q.unit);
  }
  const std::array<std::pair<const char*, const std::string*>, 7> terms = {{
      {" AND d.procedure_id = ?", &q.procedure_id},
      {" AND d.procedure_version = ?", &q.procedure_version},
      {" AND d.step_id = ?", &q.step_id},
      {" AND d.category = ?", &q.category},
      {" AND d.severity = ?", &q.severity},
      {" AND d.incident_date >= ?", &q.from_date},
      {" AND d.incident_date <= ?", &q.to_date},
  }};
  for (const auto& [term, value] : terms) {
    if (!value->empty()) {
      f.where += term;
      f.params.add(*value);
    }
  }
  f.dates = !q.from_date.empty() || !q.to_date.empty();
  if (q.overdue_only) {
    f.where += std::string(" AND ") + kOverdueSql;
    f.params.add(q.now_epoch);
    f.params.add(q.now_epoch);
  }
  if (with_visibility && !q.see_all) {
    f.where += lists ? " AND d.id IN (SELECT v.id FROM deviations v WHERE v.reporter = ?"
                     : " AND (d.reporter = ?";
    f.params.add(q.viewer);
    if (!q.viewer_units.empty()) {
      const std::string in = placeholders(q.viewer_units.size());
      f.where += lists ? " UNION ALL SELECT v.id FROM deviations v WHERE v.responsible_unit IN (" +
                             in +
                             ") UNION ALL SELECT vp.deviation_id FROM deviation_participants vp "
                             "WHERE vp.unit_id IN (" +
                             in + ")"
                       : " OR d.responsible_unit IN (" + in +
                             ") OR EXISTS (SELECT 1 FROM deviation_participants vp WHERE "
                             "vp.deviation_id = d.id AND vp.unit_id IN (" +
                             in + "))";
      for (const auto& unit : q.viewer_units) f.params.add(unit);
      for (const auto& unit : q.viewer_units) f.params.add(unit);
    }
    f.where += ")";
  }
  return f;
}

/// Collects the counts of deviation_statistics, from grouped rows or one avvik at a time.
class StatsBuilder {
 public:
  void add(const std::string& procedure_id, const std::string& step_id, const std::string& status,
           std::int64_t n) {
    auto& step = steps_[{procedure_id, step_id}];
    step.first += n;
    if (is_open_status(status)) step.second += n;
    statuses_[status] += n;
  }
  void add_unit(const std::string& unit, std::int64_t n) { units_[unit] += n; }
  void add_category(const std::string& category, std::int64_t n) { categories_[category] += n; }
  void add_severity(const std::string& severity, std::int64_t n) { severities_[severity] += n; }
  void add_incident_date(const std::string& date, std::int64_t n) {
    months_[date.substr(0, 7)] += n;
  }

  /// Totals and lists; per_step by total desc, then step id; the other lists (except
  /// per_month, ascending) by count desc, then key.
  DeviationStatistics finish() const {
    DeviationStatistics stats;
    for (const auto& [status, n] : statuses_) {
      stats.total += n;
      if (status == "lukket") stats.closed += n;
      if (status == "avvist") stats.rejected += n;
    }
    stats.open = stats.total - stats.closed - stats.rejected;
    stats.per_step.reserve(steps_.size());
    for (const auto& [key, counts] : steps_) {
      stats.per_step.push_back({key.first, key.second, counts.first, counts.second});
    }
    std::sort(stats.per_step.begin(), stats.per_step.end(),
              [](const StepCount& a, const StepCount& b) {
                if (a.total != b.total) return a.total > b.total;
                if (a.step_id != b.step_id) return a.step_id < b.step_id;
                return a.procedure_id < b.procedure_id;
              });
    stats.per_status = counts_of(statuses_);
    stats.per_unit = counts_of(units_);
    stats.per_category = counts_of(categories_);
    stats.per_severity = counts_of(severities_);
    for (const auto& [month, n] : months_) stats.per_month.push_back({month, n});
    return stats;
  }

 private:
  static std::vector<KeyCount> counts_of(const std::map<std::string, std::int64_t>& map) {
    std::vector<KeyCount> out;
    out.reserve(map.size());
    for (const auto& [key, n] : map) out.push_back({key, n});
    sort_counts(out);
    return out;
  }

  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> steps_;
  std::map<std::string, std::int64_t> statuses_, units_, categories_, severities_, months_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : path_(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    // WAL lets readers go on during a write; synchronous=FULL makes each commit durable
    // before it returns, so a 201 is never sent for data a power cut could still take.
    exec_or_throw("PRAGMA journal_mode=WAL;");
    exec_or_throw("PRAGMA synchronous=FULL;");
    exec_or_throw("PRAGMA foreign_keys=ON;");
    migrate();
  }

  ~SqliteStore() override { sqlite3_close(db_); }

  // Store
  Result<StoreInfo> info() override {
    return guarded([&]() -> Result<StoreInfo> {
      StoreInfo info;
      info.backend = "sqlite";
      Statement st(db_, "SELECT installation_id, created_at FROM installation WHERE id = 1");
      if (st.row()) {
        info.installation_id = st.text(0);
        info.created_at = st.text(1);
      }
      info.schema_version = current_version();
      return info;
    });
  }

  Result<void> ping() override {
    return guarded([&]() -> Result<void> {
      Statement st(db_, "SELECT 1");
      if (!st.row()) return unavailable("ping returned no row");
      return {};
    });
  }

  Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) override {
    return guarded([&]() -> Result<std::optional<UserPreferences>> {
      Statement st(db_,
                   "SELECT json, revision, updated_at FROM user_preferences WHERE user_id = ?");
      st.bind(1, user_id);
      if (!st.row()) return std::optional<UserPreferences>{};
      return std::optional<UserPreferences>{
          UserPreferences{user_id, st.text(0), st.int64(1), st.text(2)}};
    });
  }

  Result<UserPreferences> put_preferences(const std::string& user_id, const std::string& json,
                                          std::optional<std::int64_t> expected_revision) override {
    return guarded_write([&]() -> Result<UserPreferences> {
      std::int64_t current = 0;
      {
        Statement st(db_, "SELECT revision FROM user_preferences WHERE user_id = ?");
        st.bind(1, user_id);
        if (st.row()) current = st.int64(0);
      }
      if (expected_revision && *expected_revision != current) {
        return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                          "Innstillingene er endret av noen andre",
                          "Innstillingene er endret siden du hentet dem. Hent dem på nytt og "
                          "prøv igjen.",
                          "If-Match");
      }
      UserPreferences prefs{user_id, json, current + 1, {}};
      Statement st(db_,
                   "INSERT INTO user_preferences (user_id, json, revision, updated_at) "
                   "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
                   "ON CONFLICT(user_id) DO UPDATE SET json = excluded.json, "
                   "revision = excluded.revision, updated_at = excluded.updated_at "
                   "RETURNING updated_at");
      st.bind(1, user_id);
      st.bind(2, json);
      st.bind(3, prefs.revision);
      if (!st.row()) throw std::runtime_error("preferences upsert returned no row");
      prefs.updated_at = st.text(0);
      st.step();
      return prefs;
    });
  }

  Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() override {
    return guarded([&]() -> Result<std::vector<ProcedureVersionRecord>> {
      Statement st(db_, std::string("SELECT ") + kVersionColumns +
                            " FROM procedure_versions ORDER BY procedure_id, created_at, version");
      std::vector<ProcedureVersionRecord> out;
      while (st.row()) out.push_back(read_version(st));
      return out;
    });
  }

  Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& in) override {
    return guarded([&]() -> Result<ProcedureVersionRecord> {
      ProcedureVersionRecord record = in;
      record.revision = 1;
      Statement st(db_,
                   "INSERT INTO procedure_versions (procedure_id, version, status, xml, sha256, "
                   "author, created_at, approver, approved_at, effective_from, published_at, "
                   "consultation_deadline, source, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?7, ?8, ?9, ?10, ?11, ?12, 1) "
                   "ON CONFLICT DO NOTHING RETURNING created_at");
      bind_version(st, record);
      if (!st.row()) {
        return make_error(ErrorKind::kConflict, "version-exists", "Versjonen finnes allerede",
                          "Prosedyren «" + in.procedure_id + "» har allerede en versjon " +
                              in.version + ". Bruk et høyere versjonsnummer.",
                          "version");
      }
      record.created_at = st.text(0);
      st.step();
      return record;
    });
  }

  Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& in, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units, const std::vector<std::string>& supersede,
      const std::vector<OutboxMessage>& outbox) override {
    return guarded_write([&]() -> Result<ProcedureVersionRecord> {
      ProcedureVersionRecord record = in;
      record.revision = expected_revision + 1;
      {
        Statement st(db_,
                     "UPDATE procedure_versions SET status = ?3, xml = ?4, sha256 = ?5, "
                     "approver = ?7, approved_at = ?8, effective_from = ?9, published_at = ?10, "
                     "consultation_deadline = ?11, revision = revision + 1 "
                     "WHERE procedure_id = ?1 AND version = ?2 AND revision = ?13");
        bind_version(st, record);
        st.bind(13, expected_revision);
        st.run();
      }
      if (sqlite3_changes(db_) != 1) {
        return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                          "Versjonen er endret av noen andre",
                          "Versjonen er endret siden du hentet den. Hent den på nytt og prøv "
                          "igjen.",
                          "If-Match");
      }
      {
        Statement st(db_,
                     "INSERT INTO procedure_consultations (procedure_id, version, unit_id) "
                     "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
        for (const auto& unit : consultation_units) {
          st.reset();
          st.bind(1, in.procedure_id);
          st.bind(2, in.version);
          st.bind(3, unit);
          st.run();
        }
      }
      Statement st(db_,
                   "UPDATE procedure_versions SET status = 'superseded', revision = revision + 1 "
                   "WHERE procedure_id = ?1 AND version = ?2 AND status = 'published'");
      for (const auto& version : supersede) {
        st.reset();
        st.bind(1, in.procedure_id);
        st.bind(2, version);
        st.run();
      }
      insert_outbox(outbox);
      return record;
    });
  }

  Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                            const std::string& version) override {
    return guarded([&]() -> Result<std::vector<ConsultationAnswer>> {
      Statement st(
          db_,
          "SELECT unit_id, answer, comment, answered_by, answered_at FROM "
          "procedure_consultations WHERE procedure_id = ?1 AND version = ?2 ORDER BY unit_id");
      st.bind(1, procedure_id);
      st.bind(2, version);
      std::vector<ConsultationAnswer> out;
      while (st.row()) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)});
      return out;
    });
  }

  Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                 const std::string& version,
                                                 const ConsultationAnswer& answer) override {
    return guarded([&]() -> Result<ConsultationAnswer> {
      Statement st(
          db_,
          "UPDATE procedure_consultations SET answer = ?4, comment = ?5, answered_by = ?6, "
          "answered_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE procedure_id = ?1 "
          "AND version = ?2 AND unit_id = ?3 RETURNING answered_at");
      st.bind(1, procedure_id);
      st.bind(2, version);
      st.bind(3, answer.unit_id);
      st.bind(4, answer.answer);
      st.bind(5, answer.comment);
      st.bind(6, answer.answered_by);
      if (!st.row()) {
        return make_error(ErrorKind::kNotFound, "not-consulted", "Enheten er ikke på høring",
                          "Enheten «" + answer.unit_id + "» er ikke bedt om å svare på høringen.",
                          "unit");
      }
      ConsultationAnswer saved = answer;
      saved.answered_at = st.text(0);
      st.step();
      return saved;
    });
  }

  Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) override {
    return guarded([&]() -> Result<std::vector<ReadConfirmation>> {
      Statement st(db_,
                   "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
                   "procedure_id = ?1 AND version = ?2 ORDER BY confirmed_at");
      st.bind(1, procedure_id);
      st.bind(2, version);
      std::vector<ReadConfirmation> out;
      while (st.row()) out.push_back({st.text(0), st.text(1), st.text(2)});
      return out;
    });
  }

  Result<ReadConfirmation> confirm_read(const std::string& procedure_id, const std::string& version,
                                        const ReadConfirmation& c) override {
    return guarded([&]() -> Result<ReadConfirmation> {
      {
        Statement st(db_,
                     "INSERT INTO procedure_read_confirmations (procedure_id, version, user_id, "
                     "unit_id, confirmed_at) VALUES (?1, ?2, ?3, ?4, "
                     "strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT DO NOTHING");
        st.bind(1, procedure_id);
        st.bind(2, version);
        st.bind(3, c.user_id);
        st.bind(4, c.unit_id);
        st.run();
      }
      Statement st(db_,
                   "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
                   "procedure_id = ?1 AND version = ?2 AND user_id = ?3");
      st.bind(1, procedure_id);
      st.bind(2, version);
      st.bind(3, c.user_id);
      if (!st.row()) throw std::runtime_error("confirmation vanished");
      return ReadConfirmation{st.text(0), st.text(1), st.text(2)};
    });
  }

  // Deviations ---------------------------------------------------------------------------

  Result<DeviationCreated> create_deviation(
      const DeviationRecord& in, const DeviationEvent& first_event,
      const std::string& idempotency_key, const std::string& request_sha256,
      const std::function<std::vector<OutboxMessage>(const DeviationRecord&)>& outbox_for)
      override {
    if (in.year <= 0) return internal_error("create_deviation: record.year is not set");
    return guarded_write([&]() -> Result<DeviationCreated> {
      if (!idempotency_key.empty()) {
        Statement st(db_,
                     "SELECT id, request_sha256 FROM deviations WHERE reporter = ?1 AND "
                     "idempotency_key = ?2 AND idempotency_key <> ''");
        st.bind(1, in.reporter);
        st.bind(2, idempotency_key);
        if (st.row()) {
          if (st.text(1) != request_sha256) {
            Error e = make_error(ErrorKind::kConflict, "idempotency-key-reused",
                                 "Idempotency-Key er brukt før",
                                 "Denne Idempotency-Key er allerede brukt til å registrere et "
                                 "annet avvik. Bruk en ny nøkkel for en ny registrering.",
                                 "Idempotency-Key");
            e.http_status = 422;
            return e;
          }
          auto stored = load_deviation(st.text(0));
          if (!stored) throw std::runtime_error("idempotent avvik vanished");
          // A replay: nothing was written, the (empty) transaction just ends.
          return DeviationCreated{std::move(*stored), true};
        }
      }
      DeviationRecord record = in;
      {
        Statement st(db_,
                     "INSERT INTO deviation_counters (year, last_number) VALUES (?1, 1) "
                     "ON CONFLICT (year) DO UPDATE SET last_number = last_number + 1 "
                     "RETURNING last_number");
        st.bind(1, std::int64_t{record.year});
        if (!st.row()) throw std::runtime_error("deviation counter returned no row");
        record.number = st.int64(0);
        st.step();
      }
      record.id = format_deviation_id(record.year, record.number);
      record.revision = 1;
      if (record.updated_at.empty()) record.updated_at = record.created_at;
      {
        Statement st(db_,
                     "INSERT INTO deviations (id, year, number, procedure_id, procedure_version, "
                     "step_id, incident_date, category, severity, title, description, "
                     "reporting_unit, reporter, responsible_unit, case_reference, personal_data, "
                     "status, created_at, created_epoch, updated_at, receive_due_epoch, "
                     "close_due_epoch, received_at, closed_at, closed_epoch, cause, evaluation, "
                     "rejection_reason, reopen_reason, resolved_in_version, "
                     "linked_draft_version, revision, idempotency_key, request_sha256) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                     "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, "
                     "?31, ?32, ?33, ?34)");
        bind_deviation(st, record);
        st.bind(33, idempotency_key);
        st.bind(34, idempotency_key.empty() ? std::string() : request_sha256);
        st.run();
      }
      write_participants(record.id, record.participants);
      write_actions(record.id, record.actions);
      write_new_comments(record.id, record.comments);
      append_events(record.id, {first_event});
      auto stored = load_deviation(record.id);
      if (!stored) throw std::runtime_error("inserted avvik vanished");
      if (outbox_for) insert_outbox(outbox_for(*stored));
      return DeviationCreated{std::move(*stored), false};
    });
  }

  Result<std::optional<DeviationRecord>> get_deviation(const std::string& id) override {
    return guarded_read(
        [&]() -> Result<std::optional<DeviationRecord>> { return load_deviation(id); });
  }

  Result<DeviationRecord> update_deviation(const DeviationRecord& in,
                                           std::int64_t expected_revision,
                                           const std::vector<DeviationEvent>& events,
                                           const std::vector<OutboxMessage>& outbox) override {
    return guarded_write([&]() -> Result<DeviationRecord> {
      std::int64_t current = 0;
      {
        Statement st(db_, "SELECT revision FROM deviations WHERE id = ?1");
        st.bind(1, in.id);
        if (!st.row()) return deviation_not_found(in.id);
        current = st.int64(0);
      }
      if (current != expected_revision) {
        return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                          "Avviket er endret av noen andre",
                          "Avviket er endret siden du hentet det. Hent det på nytt og prøv "
                          "igjen.",
                          "If-Match");
      }
      DeviationRecord record = in;
      record.revision = expected_revision + 1;
      {
        // Fixed at registration, so not written: id, year, number, reporting_unit, reporter,
        // created_at, created_epoch (and the idempotency key).
        Statement st(
            db_,
            "UPDATE deviations SET procedure_id = ?4, procedure_version = ?5, "
            "step_id = ?6, incident_date = ?7, category = ?8, severity = ?9, "
            "title = ?10, description = ?11, responsible_unit = ?14, "
            "case_reference = ?15, personal_data = ?16, status = ?17, "
            "updated_at = COALESCE(NULLIF(?20, ''), strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
            "receive_due_epoch = ?21, close_due_epoch = ?22, received_at = ?23, "
            "closed_at = ?24, closed_epoch = ?25, cause = ?26, evaluation = ?27, "
            "rejection_reason = ?28, reopen_reason = ?29, resolved_in_version = ?30, "
            "linked_draft_version = ?31, revision = ?32 "
            "WHERE id = ?1 AND revision = ?33");
        bind_deviation(st, record);
        st.bind(33, expected_revision);
        st.run();
        if (sqlite3_changes(db_) != 1) throw std::runtime_error("avvik revision moved");
      }
      write_participants(record.id, record.participants);
      write_actions(record.id, record.actions);
      write_new_comments(record.id, record.comments);
      append_events(record.id, events);
      insert_outbox(outbox);
      auto stored = load_deviation(record.id);
      if (!stored) throw std::runtime_error("updated avvik vanished");
      return std::move(*stored);
    });
  }

  Result<std::vector<DeviationEvent>> deviation_history(const std::string& id) override {
    return guarded([&]() -> Result<std::vector<DeviationEvent>> {
      Statement st(db_,
                   "SELECT seq, at, actor, kind, data_json, prev_hash, hash FROM "
                   "deviation_events WHERE deviation_id = ?1 ORDER BY seq");
      st.bind(1, id);
      std::vector<DeviationEvent> out;
      while (st.row()) {
        out.push_back(
            {st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6)});
      }
      return out;
    });
  }

  Result<DeviationPage> list_deviations(const DeviationQuery& query) override {
    const auto key = std::find_if(kSortKeys.begin(), kSortKeys.end(),
                                  [&](const SortKey& k) { return k.name == query.sort; });
    if (key == kSortKeys.end()) {
      return invalid_query("Sortering «" + query.sort +
                               "» finnes ikke. Bruk created, updated, incident_date, severity "
                               "eller id.",
                           "sort");
    }
    const bool by_id = key->name == "id";
    const int limit = std::clamp(query.limit, 1, 500);
    const FilterSql filter = filter_sql(query, true, UnitTerms::kIdLists);
    const FilterSql checks = filter_sql(query, true, UnitTerms::kRowChecks);
    std::string keyset;
    SqlParams keyset_params;
    const char* cmp = query.descending ? " < " : " > ";
    if (query.after_sort_value) {
      const std::string& after_id =
          query.after_id.empty() && by_id ? *query.after_sort_value : query.after_id;
      if (by_id) {
        keyset = std::string(" AND d.id") + cmp + "?";
        keyset_params.add(after_id);
      } else {
        keyset = std::string(" AND (") + key->column + ", d.id)" + cmp + "(?, ?)";
        if (key->name == "severity") {
          keyset_params.add(severity_rank(*query.after_sort_value));
        } else if (key->integer) {
          std::int64_t value = 0;
          const auto& text = *query.after_sort_value;
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
          if (ec != std::errc() || end != text.data() + text.size()) {
            return invalid_query("Fortsettelsesmerket for sidevisningen er ugyldig.", "after");
          }
          keyset_params.add(value);
        } else {
          keyset_params.add(*query.after_sort_value);
        }
        keyset_params.add(after_id);
      }
    }
    const char* dir = query.descending ? " DESC" : " ASC";
    std::string order = std::string(" ORDER BY ") + key->column + dir;
    if (!by_id) order += std::string(", d.id") + dir;
    order += " LIMIT " + std::to_string(limit + 1);
    SqlParams params = filter.params;
    params.append(keyset_params);

    return guarded_read([&]() -> Result<DeviationPage> {
      DeviationPage page;
      // Two plans, chosen here rather than by statistics the planner may not have: few
      // matches (counted up to a cap, which costs at most the cap) are found through the
      // filters' indexes and sorted; many are met soon enough walking the sort key's index
      // in order (checking each row), which stops after one page. Dates filter on incident_date,
      // which goes with time: a wider window is sorted, and when sorting by it the range is
      // walked.
      bool walk_sort_index = filter.where.empty() || (key->name == "incident_date" && filter.dates);
      if (!walk_sort_index) {
        const std::int64_t cap = filter.dates ? 50000 : 5000;
        walk_sort_index = count_matches(filter, cap) >= cap;
      }
      Statement st(db_, std::string("SELECT ") + kDeviationColumns + " FROM deviations d" +
                            (walk_sort_index ? std::string(" INDEXED BY ") + key->index : "") +
                            " WHERE 1 = 1" + (walk_sort_index ? checks : filter).where + keyset +
                            order);
      params.bind(st);
      while (st.row()) page.items.push_back(read_deviation(st));
      if (page.items.size() > static_cast<std::size_t>(limit)) {
        page.items.pop_back();
        page.more = true;
        page.next_sort_value = sort_value_of(page.items.back(), key->name);
        page.next_id = page.items.back().id;
      }
      load_children(page.items);
      return page;
    });
  }

  Result<DeviationStatistics> deviation_statistics(const DeviationQuery& filter) override {
    const FilterSql where = filter_sql(filter, false, UnitTerms::kIdLists);
    return guarded_read([&]() -> Result<DeviationStatistics> {
      DeviationStatistics stats = where.where.empty()
                                      ? statistics_of_all(filter.now_epoch)
                                      : statistics_of_matching(where, filter.now_epoch);
      SqlParams params;
      params.add(utc_date(filter.now_epoch));
      params.append(where.params);
      Statement st(db_,
                   "SELECT count(*) FROM deviation_actions a JOIN deviations d ON "
                   "d.id = a.deviation_id WHERE a.done_date = '' AND a.due_date <> '' AND "
                   "a.due_date < ?" +
                       where.where);
      params.bind(st);
      if (st.row()) stats.overdue_actions = st.int64(0);
      return stats;
    });
  }

  // Outbox -------------------------------------------------------------------------------

  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override {
    return guarded_write([&]() -> Result<void> {
      insert_outbox(messages);
      return {};
    });
  }

  Result<std::vector<OutboxMessage>> claim_outbox(const std::string& topic, std::int64_t now_epoch,
                                                  int lease_seconds, int limit) override {
    if (limit <= 0) return std::vector<OutboxMessage>{};
    return guarded_write([&]() -> Result<std::vector<OutboxMessage>> {
      std::vector<OutboxMessage> out;
      {
        Statement st(db_, std::string("SELECT ") + kOutboxColumns +
                              " FROM outbox WHERE topic = ?1 AND status = 'pending' AND "
                              "next_attempt_epoch <= ?2 ORDER BY next_attempt_epoch, id LIMIT ?3");
        st.bind(1, topic);
        st.bind(2, now_epoch);
        st.bind(3, std::int64_t{std::min(limit, 1000)});
        while (st.row()) out.push_back(read_outbox(st));
      }
      const std::int64_t until = now_epoch + std::max(lease_seconds, 0);
      Statement st(db_, "UPDATE outbox SET next_attempt_epoch = ?2 WHERE id = ?1");
      for (auto& message : out) {
        st.reset();
        st.bind(1, message.id);
        st.bind(2, until);
        st.run();
        message.next_attempt_epoch = until;
      }
      return out;
    });
  }

  Result<void> finish_outbox(const OutboxMessage& message) override {
    if (auto bad = check_outbox_status(message.status)) return *bad;
    return guarded_write([&]() -> Result<void> {
      if (!write_outbox_outcome(message)) return outbox_not_found(message.id);
      return {};
    });
  }

  Result<std::vector<OutboxMessage>> list_outbox(const std::string& topic,
                                                 const std::string& status, int limit) override {
    return guarded([&]() -> Result<std::vector<OutboxMessage>> {
      std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE 1 = 1";
      SqlParams params;
      if (!topic.empty()) {
        sql += " AND topic = ?";
        params.add(topic);
      }
      if (!status.empty()) {
        sql += " AND status = ?";
        params.add(status);
      }
      sql += " ORDER BY id DESC LIMIT " + std::to_string(std::clamp(limit, 1, 500));
      Statement st(db_, sql);
      params.bind(st);
      std::vector<OutboxMessage> out;
      while (st.row()) out.push_back(read_outbox(st));
      return out;
    });
  }

  Result<OutboxCounts> outbox_counts(const std::string& topic) override {
    return guarded([&]() -> Result<OutboxCounts> {
      Statement st(db_,
                   topic.empty()
                       ? "SELECT status, count(*) FROM outbox GROUP BY status"
                       : "SELECT status, count(*) FROM outbox WHERE topic = ?1 GROUP BY status");
      if (!topic.empty()) st.bind(1, topic);
      OutboxCounts counts;
      while (st.row()) {
        const std::string s = st.text(0);
        if (s == "pending") counts.pending = st.int64(1);
        if (s == "delivered") counts.delivered = st.int64(1);
        if (s == "dead") counts.dead = st.int64(1);
      }
      return counts;
    });
  }

  Result<std::optional<OutboxMessage>> get_outbox(std::int64_t id) override {
    return guarded([&]() -> Result<std::optional<OutboxMessage>> {
      Statement st(db_, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?1");
      st.bind(1, id);
      if (!st.row()) return std::optional<OutboxMessage>{};
      return std::optional<OutboxMessage>{read_outbox(st)};
    });
  }

  Result<std::optional<OutboxMessage>> find_outbox(const std::string& dedupe_key) override {
    return guarded([&]() -> Result<std::optional<OutboxMessage>> {
      Statement st(db_,
                   std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE dedupe_key = ?1");
      st.bind(1, dedupe_key);
      if (!st.row()) return std::optional<OutboxMessage>{};
      return std::optional<OutboxMessage>{read_outbox(st)};
    });
  }

  // Archive receipts ---------------------------------------------------------------------

  Result<void> record_archive_receipt(const ArchiveReceiptRecord& receipt,
                                      const OutboxMessage& message) override {
    if (auto bad = check_outbox_status(message.status)) return *bad;
    if (auto bad = check_receipt_outcome(receipt.outcome)) return *bad;
    return guarded_write([&]() -> Result<void> {
      // The message first: when it is unknown, nothing has been written yet (and the
      // savepoint of this writer is rolled back all the same).
      if (!write_outbox_outcome(message)) return outbox_not_found(message.id);
      Statement st(db_, std::string("INSERT INTO archive_receipts (") + kArchiveReceiptColumns +
                            ", seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT "
                            "COALESCE(MAX(seq), 0) + 1 FROM archive_receipts)) "
                            "ON CONFLICT (export_key) DO UPDATE SET subject = excluded.subject, "
                            "outcome = excluded.outcome, system_id = excluded.system_id, "
                            "case_number = excluded.case_number, "
                            "journalpost_number = excluded.journalpost_number, "
                            "error_text = excluded.error_text, received_at = excluded.received_at, "
                            "seq = excluded.seq");
      st.bind(1, receipt.export_key);
      st.bind(2, receipt.subject);
      st.bind(3, receipt.outcome);
      st.bind(4, receipt.system_id);
      st.bind(5, receipt.case_number);
      st.bind(6, receipt.journalpost_number);
      st.bind(7, receipt.error_text);
      st.bind(8, receipt.received_at);
      st.run();
      return {};
    });
  }

  Result<std::optional<ArchiveReceiptRecord>> archive_receipt(
      const std::string& export_key) override {
    return guarded([&]() -> Result<std::optional<ArchiveReceiptRecord>> {
      Statement st(db_, std::string("SELECT ") + kArchiveReceiptColumns +
                            " FROM archive_receipts WHERE export_key = ?1");
      st.bind(1, export_key);
      if (!st.row()) return std::optional<ArchiveReceiptRecord>{};
      return std::optional<ArchiveReceiptRecord>{read_archive_receipt(st)};
    });
  }

  Result<std::vector<ArchiveReceiptRecord>> archive_receipts(const std::string& subject) override {
    return guarded([&]() -> Result<std::vector<ArchiveReceiptRecord>> {
      Statement st(db_, std::string("SELECT ") + kArchiveReceiptColumns +
                            " FROM archive_receipts WHERE subject = ?1 ORDER BY received_at, seq");
      st.bind(1, subject);
      std::vector<ArchiveReceiptRecord> out;
      while (st.row()) out.push_back(read_archive_receipt(st));
      return out;
    });
  }

  Result<void> backup_to(const std::string& target_path) override {
    sqlite3* target = nullptr;
    if (sqlite3_open_v2(target_path.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
      std::string message = target ? sqlite3_errmsg(target) : "out of memory";
      sqlite3_close(target);
      return internal_error("backup target " + target_path + ": " + message);
    }
    // Copy in small steps so writers are only held up briefly; the backup API restarts by
    // itself when another connection writes, and sees this connection's writes directly.
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", db_, "main");
    int rc = SQLITE_OK;
    if (backup) {
      do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
      } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
      sqlite3_backup_finish(backup);
    }
    const std::string message = sqlite3_errmsg(target);
    sqlite3_close(target);
    if (!backup || rc != SQLITE_DONE) return internal_error("backup failed: " + message);
    return {};
  }

  void maintenance() override {
    std::lock_guard lock(mutex_);
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

 private:
  static Error unavailable(std::string log_message) {
    return make_error(ErrorKind::kUnavailable, "store-unavailable", "Lageret er ikke tilgjengelig",
                      "Data kunne ikke lagres eller leses akkurat nå. Ingenting er endret. Prøv "
                      "igjen om litt.",
                      {}, std::move(log_message));
  }

  static Error deviation_not_found(const std::string& id) {
    return make_error(ErrorKind::kNotFound, "deviation-not-found", "Avviket finnes ikke",
                      "Fant ikke avviket «" + id + "».", "id");
  }

  static std::optional<Error> check_outbox_status(const std::string& status) {
    if (status == "pending" || status == "delivered" || status == "dead") return std::nullopt;
    return internal_error("outbox status must be pending, delivered or dead, not '" + status + "'");
  }

  static Error outbox_not_found(std::int64_t id) {
    return make_error(ErrorKind::kNotFound, "outbox-message-not-found", "Meldingen finnes ikke",
                      "Fant ingen utgående melding med nummer " + std::to_string(id) + ".");
  }

  static std::optional<Error> check_receipt_outcome(const std::string& outcome) {
    if (outcome == "kvittering" || outcome == "feilmelding") return std::nullopt;
    return internal_error("archive receipt outcome must be kvittering or feilmelding, not '" +
                          outcome + "'");
  }

  /// Runs `body` under the connection mutex; an exception (SQLite said no: busy, I/O, full
  /// disk, a trigger) becomes kUnavailable with the reason in the log message.
  template <typename F>
  auto guarded(F&& body) -> decltype(body()) {
    std::lock_guard lock(mutex_);
    try {
      return body();
    } catch (const std::exception& e) {
      return unavailable(e.what());
    }
  }

  /// As guarded, inside one read transaction, so that several queries see one snapshot.
  template <typename F>
  auto guarded_read(F&& body) -> decltype(body()) {
    return guarded([&]() -> decltype(body()) {
      exec_or_throw("BEGIN");
      try {
        auto result = body();
        exec_or_throw("COMMIT");
        return result;
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    });
  }

  /// As guarded, inside one IMMEDIATE transaction: committed (durably) when `body` returns a
  /// value, rolled back when it returns an error or throws, so nothing is half-written.
  ///
  /// Group commit: writers that arrive while a commit is under way share the next
  /// transaction and its one fsync. Each runs under its own SAVEPOINT, so a writer whose body
  /// fails is undone alone; nobody returns before the shared COMMIT is durable, and if that
  /// COMMIT fails, every writer of the batch gets the error (nothing was acknowledged).
  template <typename F>
  auto guarded_write(F&& body) -> decltype(body()) {
    using R = decltype(body());
    std::optional<R> result;
    WriteJob job;
    job.run = [&]() -> bool {
      result.emplace(body());
      return result->ok();
    };
    submit(job);
    if (!job.failure.empty()) return unavailable(job.failure);
    return std::move(*result);
  }

  struct WriteJob {
    std::function<bool()> run;  // the body inside the shared transaction; true = keep it
    std::string failure;        // set when it threw or the shared commit failed
    bool done = false;
  };

  static constexpr std::size_t kMaxBatch = 128;

  void submit(WriteJob& job) {
    std::unique_lock queue_lock(queue_mutex_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leader_) {
        committed_.wait(queue_lock, [&] { return job.done || !leader_; });
        continue;
      }
      // Lead one batch: everything queued now (bounded), including our own job.
      leader_ = true;
      std::vector<WriteJob*> batch;
      if (queue_.size() <= kMaxBatch) {
        batch.swap(queue_);
      } else {
        batch.assign(queue_.begin(), queue_.begin() + kMaxBatch);
        queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
      }
      queue_lock.unlock();
      run_batch(batch);
      queue_lock.lock();
      for (auto* j : batch) j->done = true;
      leader_ = false;
      committed_.notify_all();
    }
  }

  void run_batch(const std::vector<WriteJob*>& batch) {
    std::lock_guard lock(mutex_);
    auto fail_all = [&](const std::string& why) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      for (auto* j : batch) {
        if (j->failure.empty()) j->failure = why;
      }
    };
    try {
      exec_or_throw("BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
      for (auto* j : batch) j->failure = e.what();
      return;
    }
    for (auto* j : batch) {
      try {
        exec_or_throw("SAVEPOINT writer");
        bool keep = false;
        try {
          keep = j->run();
        } catch (const std::exception& e) {
          j->failure = e.what();
        }
        if (!keep) exec_or_throw("ROLLBACK TO writer");
        exec_or_throw("RELEASE writer");
      } catch (const std::exception& e) {
        // SQLite may have rolled back the whole transaction (I/O error, full disk): then
        // nothing of this batch is written, and every writer is told so.
        fail_all(std::string("batch aborted: ") + e.what());
        return;
      }
    }
    try {
      exec_or_throw("COMMIT");
    } catch (const std::exception& e) {
      fail_all(std::string("commit failed: ") + e.what());
    }
  }

  static ProcedureVersionRecord read_version(const Statement& st) {
    ProcedureVersionRecord r;
    r.procedure_id = st.text(0);
    r.version = st.text(1);
    r.status = st.text(2);
    r.xml = st.text(3);
    r.sha256 = st.text(4);
    r.author = st.text(5);
    r.created_at = st.text(6);
    r.approver = st.text(7);
    r.approved_at = st.text(8);
    r.effective_from = st.text(9);
    r.published_at = st.text(10);
    r.consultation_deadline = st.text(11);
    r.source = st.text(12);
    r.revision = st.int64(13);
    return r;
  }

  // Parameters ?1..?12 in the order of kVersionColumns without created_at and revision.
  static void bind_version(Statement& st, const ProcedureVersionRecord& r) {
    st.bind(1, r.procedure_id);
    st.bind(2, r.version);
    st.bind(3, r.status);
    st.bind(4, r.xml);
    st.bind(5, r.sha256);
    st.bind(6, r.author);
    st.bind(7, r.approver);
    st.bind(8, r.approved_at);
    st.bind(9, r.effective_from);
    st.bind(10, r.published_at);
    st.bind(11, r.consultation_deadline);
    st.bind(12, r.source);
  }

  static DeviationRecord read_deviation(const Statement& st) {
    DeviationRecord r;
    r.id = st.text(0);
    r.year = static_cast<int>(st.int64(1));
    r.number = st.int64(2);
    r.procedure_id = st.text(3);
    r.procedure_version = st.text(4);
    r.step_id = st.text(5);
    r.incident_date = st.text(6);
    r.category = st.text(7);
    r.severity = st.text(8);
    r.title = st.text(9);
    r.description = st.text(10);
    r.reporting_unit = st.text(11);
    r.reporter = st.text(12);
    r.responsible_unit = st.text(13);
    r.case_reference = st.text(14);
    r.personal_data = st.int64(15) != 0;
    r.status = st.text(16);
    r.created_at = st.text(17);
    r.created_epoch = st.int64(18);
    r.updated_at = st.text(19);
    r.receive_due_epoch = st.int64(20);
    r.close_due_epoch = st.int64(21);
    r.received_at = st.text(22);
    r.closed_at = st.text(23);
    r.closed_epoch = st.int64(24);
    r.cause = st.text(25);
    r.evaluation = st.text(26);
    r.rejection_reason = st.text(27);
    r.reopen_reason = st.text(28);
    r.resolved_in_version = st.text(29);
    r.linked_draft_version = st.text(30);
    r.revision = st.int64(31);
    return r;
  }

  // Parameters ?1..?32 in the order of kDeviationColumns.
  static void bind_deviation(Statement& st, const DeviationRecord& r) {
    st.bind(1, r.id);
    st.bind(2, std::int64_t{r.year});
    st.bind(3, r.number);
    st.bind(4, r.procedure_id);
    st.bind(5, r.procedure_version);
    st.bind(6, r.step_id);
    st.bind(7, r.incident_date);
    st.bind(8, r.category);
    st.bind(9, r.severity);
    st.bind(10, r.title);
    st.bind(11, r.description);
    st.bind(12, r.reporting_unit);
    st.bind(13, r.reporter);
    st.bind(14, r.responsible_unit);
    st.bind(15, r.case_reference);
    st.bind(16, std::int64_t{r.personal_data ? 1 : 0});
    st.bind(17, r.status);
    st.bind(18, r.created_at);
    st.bind(19, r.created_epoch);
    st.bind(20, r.updated_at);
    st.bind(21, r.receive_due_epoch);
    st.bind(22, r.close_due_epoch);
    st.bind(23, r.received_at);
    st.bind(24, r.closed_at);
    st.bind(25, r.closed_epoch);
    st.bind(26, r.cause);
    st.bind(27, r.evaluation);
    st.bind(28, r.rejection_reason);
    st.bind(29, r.reopen_reason);
    st.bind(30, r.resolved_in_version);
    st.bind(31, r.linked_draft_version);
    st.bind(32, r.revision);
  }

  static OutboxMessage read_outbox(const Statement& st) {
    OutboxMessage m;
    m.id = st.int64(0);
    m.topic = st.text(1);
    m.dedupe_key = st.text(2);
    m.payload_json = st.text(3);
    m.status = st.text(4);
    m.attempts = static_cast<int>(st.int64(5));
    m.next_attempt_epoch = st.int64(6);
    m.last_error = st.text(7);
    m.created_at = st.text(8);
    m.delivered_at = st.text(9);
    return m;
  }

  static ArchiveReceiptRecord read_archive_receipt(const Statement& st) {
    ArchiveReceiptRecord r;
    r.export_key = st.text(0);
    r.subject = st.text(1);
    r.outcome = st.text(2);
    r.system_id = st.text(3);
    r.case_number = st.text(4);
    r.journalpost_number = st.text(5);
    r.error_text = st.text(6);
    r.received_at = st.text(7);
    return r;
  }

  /// The outcome of one delivery attempt (finish_outbox): status, attempts,
  /// next_attempt_epoch, last_error and delivered_at of the message with `message.id`. False
  /// when there is no such message.
  bool write_outbox_outcome(const OutboxMessage& message) {
    Statement st(db_,
                 "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_epoch = ?4, "
                 "last_error = ?5, delivered_at = ?6 WHERE id = ?1");
    st.bind(1, message.id);
    st.bind(2, message.status);
    st.bind(3, std::int64_t{message.attempts});
    st.bind(4, message.next_attempt_epoch);
    st.bind(5, message.last_error);
    st.bind(6, message.delivered_at);
    st.run();
    return sqlite3_changes(db_) == 1;
  }

  std::optional<DeviationRecord> load_deviation(const std::string& id) {
    std::vector<DeviationRecord> items;
    {
      Statement st(
          db_, std::string("SELECT ") + kDeviationColumns + " FROM deviations d WHERE d.id = ?1");
      st.bind(1, id);
      if (!st.row()) return std::nullopt;
      items.push_back(read_deviation(st));
    }
    load_children(items);
    return std::move(items.front());
  }

  /// Participants, actions and comments of `items`: three queries for the whole page.
  void load_children(std::vector<DeviationRecord>& items) {
    if (items.empty()) return;
    std::unordered_map<std::string, DeviationRecord*> by_id;
    for (auto& item : items) by_id.emplace(item.id, &item);
    const std::string in = "(" + placeholders(items.size()) + ")";
    auto run = [&](const std::string& sql, const auto& read) {
      Statement st(db_, sql);
      int index = 1;
      for (const auto& item : items) st.bind(index++, item.id);
      while (st.row()) {
        const auto it = by_id.find(st.text(0));
        if (it != by_id.end()) read(st, *it->second);
      }
    };
    run("SELECT deviation_id, unit_id FROM deviation_participants WHERE deviation_id IN " + in +
            " ORDER BY deviation_id, position",
        [](const Statement& st, DeviationRecord& r) { r.participants.push_back(st.text(1)); });
    run("SELECT deviation_id, action_no, owner_unit, description, due_date, done_date, "
        "created_by, created_at FROM deviation_actions WHERE deviation_id IN " +
            in + " ORDER BY deviation_id, action_no",
        [](const Statement& st, DeviationRecord& r) {
          r.actions.push_back({st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5),
                               st.text(6), st.text(7)});
        });
    run("SELECT deviation_id, comment_no, author, text, created_at FROM deviation_comments "
        "WHERE deviation_id IN " +
            in + " ORDER BY deviation_id, comment_no",
        [](const Statement& st, DeviationRecord& r) {
          r.comments.push_back({st.int64(1), st.text(2), st.text(3), st.text(4)});
        });
  }

  void write_participants(const std::string& id, const std::vector<std::string>& units) {
    {
      Statement st(db_, "DELETE FROM deviation_participants WHERE deviation_id = ?1");
      st.bind(1, id);
      st.run();
    }
    Statement st(db_,
                 "INSERT INTO deviation_participants (deviation_id, unit_id, position) "
                 "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    std::int64_t position = 0;
    for (const auto& unit : units) {
      st.reset();
      st.bind(1, id);
      st.bind(2, unit);
      st.bind(3, position++);
      st.run();
    }
  }

  void write_actions(const std::string& id, const std::vector<DeviationAction>& actions) {
    {
      Statement st(db_, "DELETE FROM deviation_actions WHERE deviation_id = ?1");
      st.bind(1, id);
      st.run();
    }
    Statement st(db_,
                 "INSERT INTO deviation_actions (deviation_id, action_no, owner_unit, "
                 "description, due_date, done_date, created_by, created_at) VALUES "
                 "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto& a : actions) {
      st.reset();
      st.bind(1, id);
      st.bind(2, a.action_no);
      st.bind(3, a.owner_unit);
      st.bind(4, a.description);
      st.bind(5, a.due_date);
      st.bind(6, a.done_date);
      st.bind(7, a.created_by);
      st.bind(8, a.created_at);
      st.run();
    }
  }

  /// Comments are never changed: those already stored (by number) stay as they are.
  void write_new_comments(const std::string& id, const std::vector<DeviationComment>& comments) {
    Statement st(db_,
                 "INSERT INTO deviation_comments (deviation_id, comment_no, author, text, "
                 "created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
    for (const auto& c : comments) {
      st.reset();
      st.bind(1, id);
      st.bind(2, c.comment_no);
      st.bind(3, c.author);
      st.bind(4, c.text);
      st.bind(5, c.created_at);
      st.run();
    }
  }

  /// Appends `events` to the avvik's chain: seq and prev_hash continue from the last stored
  /// event (or 1 and the genesis hash), hash = event_chain_hash.
  void append_events(const std::string& id, const std::vector<DeviationEvent>& events) {
    if (events.empty()) return;
    std::int64_t seq = 0;
    std::string prev_hash(kGenesisHash);
    {
      Statement st(db_,
                   "SELECT seq, hash FROM deviation_events WHERE deviation_id = ?1 "
                   "ORDER BY seq DESC LIMIT 1");
      st.bind(1, id);
      if (st.row()) {
        seq = st.int64(0);
        prev_hash = st.text(1);
      }
    }
    Statement st(db_,
                 "INSERT INTO deviation_events (deviation_id, seq, at, actor, kind, data_json, "
                 "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto& in : events) {
      DeviationEvent event = in;
      event.seq = ++seq;
      event.prev_hash = prev_hash;
      event.hash = event_chain_hash(id, event);
      st.reset();
      st.bind(1, id);
      st.bind(2, event.seq);
      st.bind(3, event.at);
      st.bind(4, event.actor);
      st.bind(5, event.kind);
      st.bind(6, event.data_json);
      st.bind(7, event.prev_hash);
      st.bind(8, event.hash);
      st.run();
      prev_hash = std::move(event.hash);
    }
  }

  /// Inserts messages; a dedupe key already stored (or earlier in `messages`) is skipped.
  void insert_outbox(const std::vector<OutboxMessage>& messages) {
    if (messages.empty()) return;
    Statement st(db_, std::string("INSERT INTO outbox (topic, dedupe_key, payload_json, status, "
                                  "attempts, next_attempt_epoch, last_error, created_at, "
                                  "delivered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                                  "COALESCE(NULLIF(?8, ''), ") +
                          kNowSql + "), ?9) ON CONFLICT (dedupe_key) DO NOTHING");
    for (const auto& m : messages) {
      const std::string status = m.status.empty() ? "pending" : m.status;
      if (auto bad = check_outbox_status(status)) throw std::runtime_error(bad->log_message);
      st.reset();
      st.bind(1, m.topic);
      st.bind(2, m.dedupe_key);
      st.bind(3, m.payload_json);
      st.bind(4, status);
      st.bind(5, std::int64_t{m.attempts});
      st.bind(6, m.next_attempt_epoch);
      st.bind(7, m.last_error);
      st.bind(8, m.created_at);
      st.bind(9, m.delivered_at);
      st.run();
    }
  }

  /// How many avvik match `filter`, counting no further than `cap`.
  std::int64_t count_matches(const FilterSql& filter, std::int64_t cap) {
    Statement st(db_, "SELECT count(*) FROM (SELECT 1 FROM deviations d WHERE 1 = 1" +
                          filter.where + " LIMIT " + std::to_string(cap) + ")");
    filter.params.bind(st);
    return st.row() ? st.int64(0) : 0;
  }

  /// Statistics over every avvik: one scan of a covering index per grouping, and the median
  /// read at its offset in the closure index.
  DeviationStatistics statistics_of_all(std::int64_t now_epoch) {
    StatsBuilder builder;
    {
      Statement st(db_,
                   "SELECT d.procedure_id, d.step_id, d.status, count(*) FROM deviations d "
                   "GROUP BY d.step_id, d.procedure_id, d.status");
      while (st.row()) builder.add(st.text(0), st.text(1), st.text(2), st.int64(3));
    }
    const auto group = [&](const char* column, auto add) {
      Statement st(
          db_, std::string("SELECT ") + column + ", count(*) FROM deviations d GROUP BY " + column);
      while (st.row()) add(st.text(0), st.int64(1));
    };
    group("d.responsible_unit",
          [&](const std::string& k, std::int64_t n) { builder.add_unit(k, n); });
    group("d.category", [&](const std::string& k, std::int64_t n) { builder.add_category(k, n); });
    group("d.severity", [&](const std::string& k, std::int64_t n) { builder.add_severity(k, n); });
    group("d.incident_date",
          [&](const std::string& k, std::int64_t n) { builder.add_incident_date(k, n); });
    DeviationStatistics stats = builder.finish();
    std::int64_t closed = 0;
    {
      Statement st(db_, "SELECT count(*) FROM deviations d WHERE d.closure_seconds IS NOT NULL");
      if (st.row()) closed = st.int64(0);
    }
    if (closed > 0) {
      // The lower median: for an even count, the smaller of the two middle values.
      Statement st(db_,
                   "SELECT d.closure_seconds FROM deviations d WHERE d.closure_seconds IS NOT "
                   "NULL ORDER BY d.closure_seconds LIMIT 1 OFFSET " +
                       std::to_string((closed - 1) / 2));
      if (st.row()) stats.median_closure_seconds = st.int64(0);
    }
    Statement st(db_, std::string("SELECT count(*) FROM deviations d WHERE ") + kOverdueSql);
    st.bind(1, now_epoch);
    st.bind(2, now_epoch);
    if (st.row()) stats.overdue_deviations = st.int64(0);
    return stats;
  }

  /// Statistics over the avvik matching `filter`: one pass over them.
  DeviationStatistics statistics_of_matching(const FilterSql& filter, std::int64_t now_epoch) {
    StatsBuilder builder;
    std::vector<std::int64_t> closures;
    std::int64_t overdue = 0;
    Statement st(db_,
                 "SELECT d.procedure_id, d.step_id, d.status, d.responsible_unit, d.category, "
                 "d.severity, d.incident_date, d.closure_seconds, d.receive_due_epoch, "
                 "d.close_due_epoch FROM deviations d WHERE 1 = 1" +
                     filter.where);
    filter.params.bind(st);
    while (st.row()) {
      const std::string status = st.text(2);
      builder.add(st.text(0), st.text(1), status, 1);
      builder.add_unit(st.text(3), 1);
      builder.add_category(st.text(4), 1);
      builder.add_severity(st.text(5), 1);
      builder.add_incident_date(st.text(6), 1);
      if (!st.is_null(7)) closures.push_back(st.int64(7));
      // As kOverdueSql.
      if (is_open_status(status) &&
          (status == "registrert" ? st.int64(8) : st.int64(9)) < now_epoch) {
        ++overdue;
      }
    }
    DeviationStatistics stats = builder.finish();
    if (!closures.empty()) {
      // The lower median, as in statistics_of_all.
      const auto middle = closures.begin() + static_cast<std::ptrdiff_t>((closures.size() - 1) / 2);
      std::nth_element(closures.begin(), middle, closures.end());
      stats.median_closure_seconds = *middle;
    }
    stats.overdue_deviations = overdue;
    return stats;
  }

  void exec_or_throw(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw std::runtime_error("sqlite: " + text + " (" + path_ + ")");
    }
  }

  int current_version() {
    Statement st(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return st.row() ? static_cast<int>(st.int64(0)) : 0;
  }

  void migrate() {
    exec_or_throw(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const int have = current_version();
    if (have > sqlite_latest_schema_version()) {
      throw std::runtime_error("database " + path_ + " has schema version " + std::to_string(have) +
                               ", newer than this build knows (" +
                               std::to_string(sqlite_latest_schema_version()) +
                               "); refusing to touch it");
    }
    for (const auto& m : kMigrations) {
      if (m.version <= have) continue;
      // Each migration and its bookkeeping row commit together, so a crash leaves either
      // the old or the new schema, never half of one.
      exec_or_throw("BEGIN IMMEDIATE");
      try {
        exec_or_throw(m.sql);
        Statement st(db_,
                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                     "(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
        st.bind(1, static_cast<std::int64_t>(m.version));
        st.bind(2, m.name);
        st.run();
        exec_or_throw("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;  // the connection: one statement sequence at a time
  // Group commit (guarded_write): queued writers, and whether one of them leads a batch.
  std::mutex queue_mutex_;
  std::condition_variable committed_;
  std::vector<WriteJob*> queue_;
  bool leader_ = false;
};

}  // namespace

int sqlite_latest_schema_version() { return kMigrations.back().version; }

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace boligflyt::store

// The store port on PostgreSQL, for hosts with several nodes sharing one database.
//
// Everything goes through Poco::Data (its PostgreSQL connector): a session pool lets
// concurrent requests run on their own connections, and every call is one transaction that
// is retried a bounded number of times when PostgreSQL reports a serialization failure or a
// deadlock. Semantics follow the SQLite store (sqlite/sqlite_store.cpp) exactly: same errors,
// same orders, same texts; where SQLite relies on its single writer, this file relies on row
// locks (the per-year counter, FOR UPDATE, SKIP LOCKED) and unique indexes instead.
//
// Poco's connector prepares every statement, with $1, $2, … as placeholders; all parameters
// travel as text and PostgreSQL infers their types from the context (casts where it cannot).

#include "store/postgresql/postgresql_store.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <semaphore>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace boligflyt::store {
namespace {

using Row = std::vector<std::string>;  // a result row as text; SQL NULL reads as ""
using Rows = std::vector<Row>;
using Params = std::vector<std::string>;

// Connections per store (per node); more requests than this wait for a free one.
constexpr int kMaxSessions = 16;
constexpr auto kAcquireTimeout = std::chrono::seconds(15);
// A transaction that meets a serialization failure, a deadlock or a lost connection (before
// its COMMIT) runs again, at most this many times in all.
constexpr int kMaxAttempts = 6;
// The advisory lock that serializes migrations of every node on the database: "boligfly" in
// ASCII as a 64-bit number.
constexpr const char* kMigrationLockKey = "7093007138093952121";

// Times as the SQLite store writes them: UTC, milliseconds, "Z".
constexpr const char* kNow =
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

struct Migration {
  int version;
  const char* name;
  std::vector<std::string> statements;  // one statement each: Poco prepares them one by one
};

// Append only. A migration that has shipped is never edited: add a new one instead.
// Versions and tables match the SQLite store's; text that is sorted or compared is COLLATE "C",
// so orders are byte orders as in SQLite, whatever the database's locale.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "installation",
       {R"(CREATE TABLE installation (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             installation_id TEXT NOT NULL,
             created_at TEXT NOT NULL))",
        std::string("INSERT INTO installation (id, installation_id, created_at) VALUES "
                    "(1, replace(gen_random_uuid()::text, '-', ''), ") +
            kNow + ")"}},
      {2, "user_preferences", {R"(CREATE TABLE user_preferences (
             user_id TEXT COLLATE "C" PRIMARY KEY,
             json TEXT NOT NULL,
             revision BIGINT NOT NULL,
             updated_at TEXT NOT NULL))"}},
      {3,
       "procedure_versions",
       {R"(CREATE TABLE procedure_versions (
             procedure_id TEXT COLLATE "C" NOT NULL,
             version TEXT COLLATE "C" NOT NULL,
             status TEXT NOT NULL,
             xml TEXT NOT NULL,
             sha256 TEXT NOT NULL,
             author TEXT NOT NULL,
             created_at TEXT COLLATE "C" NOT NULL,
             approver TEXT NOT NULL DEFAULT '',
             approved_at TEXT NOT NULL DEFAULT '',
             effective_from TEXT NOT NULL DEFAULT '',
             published_at TEXT NOT NULL DEFAULT '',
             consultation_deadline TEXT NOT NULL DEFAULT '',
             source TEXT NOT NULL,
             revision BIGINT NOT NULL,
             PRIMARY KEY (procedure_id, version)))",
        R"(CREATE TABLE procedure_consultations (
             procedure_id TEXT COLLATE "C" NOT NULL,
             version TEXT COLLATE "C" NOT NULL,
             unit_id TEXT COLLATE "C" NOT NULL,
             answer TEXT NOT NULL DEFAULT '',
             comment TEXT NOT NULL DEFAULT '',
             answered_by TEXT NOT NULL DEFAULT '',
             answered_at TEXT NOT NULL DEFAULT '',
             PRIMARY KEY (procedure_id, version, unit_id),
             FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions))",
        R"(CREATE TABLE procedure_read_confirmations (
             procedure_id TEXT COLLATE "C" NOT NULL,
             version TEXT COLLATE "C" NOT NULL,
             user_id TEXT COLLATE "C" NOT NULL,
             unit_id TEXT NOT NULL,
             confirmed_at TEXT COLLATE "C" NOT NULL,
             PRIMARY KEY (procedure_id, version, user_id),
             FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions))",
        // Published bytes are immutable: the database itself refuses to change them.
        R"(CREATE FUNCTION procedure_versions_immutable() RETURNS trigger
           LANGUAGE plpgsql AS $$
           BEGIN
             IF OLD.status IN ('published', 'superseded', 'retired')
                AND (NEW.xml IS DISTINCT FROM OLD.xml
                     OR NEW.sha256 IS DISTINCT FROM OLD.sha256) THEN
               RAISE EXCEPTION 'published procedure versions are immutable'
                 USING ERRCODE = 'integrity_constraint_violation';
             END IF;
             RETURN NEW;
           END
           $$)",
        R"(CREATE TRIGGER procedure_versions_immutable
             BEFORE UPDATE OF xml, sha256 ON procedure_versions
             FOR EACH ROW EXECUTE FUNCTION procedure_versions_immutable())"}},
      // Avvik, as the SQLite store's migration 4: scalar fields of DeviationRecord as
      // columns, children in their own tables, one index per sort key (id breaks ties, so a
      // page is an index range), covering and partial indexes for the statistics.
      {4,
       "deviations",
       {
           // Gapless numbers per year: the row is locked by the transaction that takes a
           // number until it commits (or rolls back, and the number is not used).
           R"(CREATE TABLE deviation_counters (
                year INTEGER PRIMARY KEY,
                last_number BIGINT NOT NULL))",
           R"(CREATE TABLE deviations (
                id TEXT COLLATE "C" PRIMARY KEY,
                year INTEGER NOT NULL,
                number BIGINT NOT NULL,
                procedure_id TEXT COLLATE "C" NOT NULL,
                procedure_version TEXT COLLATE "C" NOT NULL,
                step_id TEXT COLLATE "C" NOT NULL,
                incident_date TEXT COLLATE "C" NOT NULL,
                category TEXT COLLATE "C" NOT NULL,
                severity TEXT COLLATE "C" NOT NULL,
                severity_rank INTEGER GENERATED ALWAYS AS (CASE severity WHEN 'lav' THEN 1
                  WHEN 'middels' THEN 2 WHEN 'hoy' THEN 3 WHEN 'kritisk' THEN 4 ELSE 0 END)
                  STORED,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                reporting_unit TEXT COLLATE "C" NOT NULL,
                reporter TEXT COLLATE "C" NOT NULL,
                responsible_unit TEXT COLLATE "C" NOT NULL,
                case_reference TEXT NOT NULL,
                personal_data BOOLEAN NOT NULL,
                status TEXT COLLATE "C" NOT NULL,
                created_at TEXT COLLATE "C" NOT NULL,
                created_epoch BIGINT NOT NULL,
                updated_at TEXT COLLATE "C" NOT NULL,
                receive_due_epoch BIGINT NOT NULL,
                close_due_epoch BIGINT NOT NULL,
                received_at TEXT NOT NULL,
                closed_at TEXT NOT NULL,
                closed_epoch BIGINT NOT NULL,
                cause TEXT NOT NULL,
                evaluation TEXT NOT NULL,
                rejection_reason TEXT NOT NULL,
                reopen_reason TEXT NOT NULL,
                resolved_in_version TEXT NOT NULL,
                linked_draft_version TEXT NOT NULL,
                idempotency_key TEXT COLLATE "C" NOT NULL,
                request_sha256 TEXT NOT NULL,
                revision BIGINT NOT NULL CHECK (revision >= 1),
                UNIQUE (year, number)))",
           // Two nodes retrying one request: the second insert waits for the first and then
           // finds its row (see create_deviation).
           R"(CREATE UNIQUE INDEX deviations_idempotency ON deviations (reporter, idempotency_key)
                WHERE idempotency_key <> '')",
           "CREATE INDEX deviations_created ON deviations (created_epoch, id)",
           "CREATE INDEX deviations_updated ON deviations (updated_at, id)",
           "CREATE INDEX deviations_incident ON deviations (incident_date, id)",
           "CREATE INDEX deviations_severity_rank ON deviations (severity_rank, id)",
           "CREATE INDEX deviations_status ON deviations (status, created_epoch, id)",
           "CREATE INDEX deviations_unit ON deviations (responsible_unit, created_epoch, id)",
           "CREATE INDEX deviations_step ON deviations (procedure_id, step_id, status)",
           "CREATE INDEX deviations_category ON deviations (category)",
           "CREATE INDEX deviations_severity ON deviations (severity)",
           "CREATE INDEX deviations_reporter ON deviations (reporter)",
           R"(CREATE INDEX deviations_receive_due ON deviations (receive_due_epoch)
                WHERE status = 'registrert')",
           R"(CREATE INDEX deviations_close_due ON deviations (close_due_epoch)
                WHERE status NOT IN ('registrert', 'lukket', 'avvist'))",
           R"(CREATE INDEX deviations_closure ON deviations ((closed_epoch - created_epoch))
                WHERE status = 'lukket')",
           R"(CREATE TABLE deviation_participants (
                deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
                unit_id TEXT COLLATE "C" NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (deviation_id, unit_id)))",
           R"(CREATE INDEX deviation_participants_unit ON deviation_participants
                (unit_id, deviation_id))",
           R"(CREATE TABLE deviation_actions (
                deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
                action_no BIGINT NOT NULL,
                owner_unit TEXT NOT NULL,
                description TEXT NOT NULL,
                due_date TEXT COLLATE "C" NOT NULL,
                done_date TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (deviation_id, action_no)))",
           "CREATE INDEX deviation_actions_open ON deviation_actions (done_date, due_date)",
           R"(CREATE TABLE deviation_comments (
                deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
                comment_no BIGINT NOT NULL,
                author TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (deviation_id, comment_no)))",
           R"(CREATE TABLE deviation_events (
                deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
                seq BIGINT NOT NULL CHECK (seq >= 1),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                kind TEXT NOT NULL,
                data_json TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (deviation_id, seq)))",
           // The history is append-only and comments are never edited, whatever the code does.
           R"(CREATE FUNCTION deviation_events_append_only() RETURNS trigger
              LANGUAGE plpgsql AS $$
              BEGIN
                RAISE EXCEPTION 'avvik history is append-only'
                  USING ERRCODE = 'integrity_constraint_violation';
              END
              $$)",
           R"(CREATE TRIGGER deviation_events_no_update
                BEFORE UPDATE OR DELETE ON deviation_events
                FOR EACH ROW EXECUTE FUNCTION deviation_events_append_only())",
           R"(CREATE TRIGGER deviation_events_no_truncate
                BEFORE TRUNCATE ON deviation_events
                FOR EACH STATEMENT EXECUTE FUNCTION deviation_events_append_only())",
           R"(CREATE FUNCTION deviation_comments_unchangeable() RETURNS trigger
              LANGUAGE plpgsql AS $$
              BEGIN
                RAISE EXCEPTION 'avvik comments cannot be changed'
                  USING ERRCODE = 'integrity_constraint_violation';
              END
              $$)",
           R"(CREATE TRIGGER deviation_comments_no_update
                BEFORE UPDATE ON deviation_comments
                FOR EACH ROW EXECUTE FUNCTION deviation_comments_unchangeable())",
       }},
      {5,
       "outbox",
       {
           R"(CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                topic TEXT COLLATE "C" NOT NULL,
                dedupe_key TEXT COLLATE "C" NOT NULL UNIQUE,
                payload_json TEXT NOT NULL,
                status TEXT COLLATE "C" NOT NULL
                  CHECK (status IN ('pending', 'delivered', 'dead')),
                attempts INTEGER NOT NULL,
                next_attempt_epoch BIGINT NOT NULL,
                last_error TEXT NOT NULL,
                created_at TEXT NOT NULL,
                delivered_at TEXT NOT NULL))",
           "CREATE INDEX outbox_due ON outbox (topic, status, next_attempt_epoch, id)",
           "CREATE INDEX outbox_status ON outbox (status, id)",
       }},
      // As the SQLite store's migration 6: what the archive answered per export. seq is the
      // order in which receipts were recorded (a replacement counts as recorded anew), the
      // tie-breaker after received_at.
      {6,
       "archive_receipts",
       {
           R"(CREATE TABLE archive_receipts (
                export_key TEXT COLLATE "C" PRIMARY KEY,
                subject TEXT COLLATE "C" NOT NULL DEFAULT '',
                outcome TEXT COLLATE "C" NOT NULL
                  CHECK (outcome IN ('kvittering', 'feilmelding')),
                system_id TEXT NOT NULL DEFAULT '',
                case_number TEXT NOT NULL DEFAULT '',
                journalpost_number TEXT NOT NULL DEFAULT '',
                error_text TEXT NOT NULL DEFAULT '',
                received_at TEXT COLLATE "C" NOT NULL DEFAULT '',
                seq BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE))",
           R"(CREATE INDEX archive_receipts_subject ON archive_receipts
                (subject, received_at, seq))",
       }},
  };
  return kMigrations;
}

// ---------------------------------------------------------------------------------------
// Connection string

/// Poco's connector splits the connection string at spaces and wants key=value pairs, so a
/// URI or a quoted value would not reach libpq intact. libpq parses it here instead, and each
/// value is handed on backslash-escaped. Errors never quote the string: it may hold a password.
std::string poco_connection_string(const std::string& conninfo) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (options == nullptr) {
    throw std::runtime_error(
        "the PostgreSQL connection string cannot be parsed (not shown: it may hold a password)");
  }
  std::map<std::string, std::string> values;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') values[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  // Defaults that keep a node from hanging at start-up and name it in pg_stat_activity.
  values.try_emplace("connect_timeout", "10");
  values.try_emplace("application_name", "boligflyt");
  std::string out;
  for (const auto& [key, value] : values) {
    if (value.find_first_of(" \t\r\n\f\v") != std::string::npos) {
      throw std::runtime_error("the PostgreSQL connection parameter '" + key +
                               "' contains white space, which Poco::Data cannot pass on; use a "
                               "password file (PGPASSFILE) for such a password");
    }
    out += key;
    out += '=';
    for (const char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += ' ';
  }
  out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------------------
// Sessions and transactions

std::string describe(const std::exception& e) {
  if (const auto* poco = dynamic_cast<const Poco::Exception*>(&e)) return poco->displayText();
  return e.what();
}

/// SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected): the transaction
/// did nothing and may simply run again. Poco puts the SQLSTATE into its message.
bool is_transient(const std::string& message) {
  return message.find("State: 40001") != std::string::npos ||
         message.find("State: 40P01") != std::string::npos;
}

/// Thrown by a transaction body that must start over (a concurrent insert won a race).
struct RestartTransaction {};

class ConnectionPool {
 public:
  explicit ConnectionPool(const std::string& connection_string)
      : pool_(Poco::Data::PostgreSQL::Connector::KEY, connection_string, 1, kMaxSessions, 300) {}

  /// A session for the duration of one call; waits (bounded) when all are in use.
  class Lease {
   public:
    explicit Lease(ConnectionPool& owner) : owner_(owner) {
      if (!owner_.slots_.try_acquire_for(kAcquireTimeout)) {
        throw std::runtime_error("no free PostgreSQL connection within the time limit");
      }
      try {
        session_.emplace(owner_.pool_.get());
        // A session left in a transaction by an aborted call starts clean.
        if (session_->isTransaction()) session_->rollback();
      } catch (...) {
        session_.reset();
        owner_.slots_.release();
        throw;
      }
    }
    ~Lease() {
      session_.reset();  // back to the pool before the slot is free again
      owner_.slots_.release();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Poco::Data::Session& session() { return *session_; }

   private:
    ConnectionPool& owner_;
    std::optional<Poco::Data::Session> session_;
  };

 private:
  Poco::Data::SessionPool pool_;
  std::counting_semaphore<kMaxSessions> slots_{kMaxSessions};
};

/// Binds `params` ($1, $2, …) by reference: they must outlive the statement's execution.
void bind_all(Poco::Data::Statement& st, Params& params) {
  // The static analyzer cannot follow Poco::SharedPtr's reference count and reports every
  // binding as leaked (in Poco's header, where no NOLINT reaches); keep this loop from it.
#ifndef __clang_analyzer__
  for (auto& p : params) st.addBind(Poco::Data::Keywords::useRef(p));
#else
  (void)st;
  (void)params;
#endif
}

/// Poco's registry of connectors counts registrations; each store holds one, so that the
/// connector is gone when the last store is (before the plugin may be unloaded).
class ConnectorRegistration {
 public:
  ConnectorRegistration() { Poco::Data::PostgreSQL::Connector::registerConnector(); }
  ~ConnectorRegistration() {
    try {
      Poco::Data::PostgreSQL::Connector::unregisterConnector();
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing to do about it at shutdown
    }
  }
  ConnectorRegistration(const ConnectorRegistration&) = delete;
  ConnectorRegistration& operator=(const ConnectorRegistration&) = delete;
};

/// Statements inside one transaction.
class Tx {
 public:
  explicit Tx(Poco::Data::Session& session) : session_(session) {}

  Rows query(const std::string& sql, Params params = {}) {
    Poco::Data::Statement st(session_);
    st << sql;
    bind_all(st, params);
    st.execute();
    Rows rows;
    if (st.columnsExtracted() == 0) return rows;
    Poco::Data::RecordSet rs(st);
    const std::size_t columns = rs.columnCount();
    rows.reserve(rs.rowCount());
    for (std::size_t r = 0; r < rs.rowCount(); ++r) {
      Row row(columns);
      for (std::size_t c = 0; c < columns; ++c) {
        if (!rs.isNull(c, r)) row[c] = rs.value(c, r).convert<std::string>();
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  /// Runs a statement without a result; returns the number of rows it changed.
  std::size_t exec(const std::string& sql, Params params = {}) {
    Poco::Data::Statement st(session_);
    st << sql;
    bind_all(st, params);
    return st.execute();
  }

 private:
  Poco::Data::Session& session_;
};

std::int64_t to_int64(const std::string& text) { return text.empty() ? 0 : std::stoll(text); }

/// Reads a row's columns in order.
class Cursor {
 public:
  explicit Cursor(const Row& row, std::size_t first = 0) : row_(row), next_(first) {}
  std::string text() { return row_.at(next_++); }
  std::int64_t int64() { return to_int64(row_.at(next_++)); }

 private:
  const Row& row_;
  std::size_t next_;
};

std::string placeholders(std::size_t first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

std::string boolean(bool value) { return value ? "true" : "false"; }

// ---------------------------------------------------------------------------------------
// Errors (the same kinds, slugs and texts as the SQLite store)

Error unavailable(std::string log_message) {
  return make_error(ErrorKind::kUnavailable, "store-unavailable", "Lageret er ikke tilgjengelig",
                    "Data kunne ikke lagres eller leses akkurat nå. Ingenting er endret. Prøv "
                    "igjen om litt.",
                    {}, std::move(log_message));
}

Error preferences_changed() {
  return make_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                    "Innstillingene er endret av noen andre",
                    "Innstillingene er endret siden du hentet dem. Hent dem på nytt og prøv igjen.",
                    "If-Match");
}

Error version_changed() {
  return make_error(
      ErrorKind::kPreconditionFailed, "precondition-failed", "Versjonen er endret av noen andre",
      "Versjonen er endret siden du hentet den. Hent den på nytt og prøv igjen.", "If-Match");
}

Error deviation_changed() {
  return make_error(
      ErrorKind::kPreconditionFailed, "precondition-failed", "Avviket er endret av noen andre",
      "Avviket er endret siden du hentet det. Hent det på nytt og prøv igjen.", "If-Match");
}

Error deviation_not_found(const std::string& id) {
  return make_error(ErrorKind::kNotFound, "deviation-not-found", "Avviket finnes ikke",
                    "Fant ikke avviket «" + id + "».", "id");
}

Error idempotency_key_reused() {
  Error e =
      make_error(ErrorKind::kConflict, "idempotency-key-reused", "Idempotency-Key er brukt før",
                 "Denne Idempotency-Key er allerede brukt til å registrere et annet avvik. "
                 "Bruk en ny nøkkel for en ny registrering.",
                 "Idempotency-Key");
  e.http_status = 422;
  return e;
}

Error invalid_query(std::string detail, std::string field) {
  Error e = make_error(ErrorKind::kInvalid, "invalid-query", "Ugyldig søk", std::move(detail),
                       std::move(field));
  e.http_status = 400;
  return e;
}

std::optional<Error> check_outbox_status(const std::string& status) {
  if (status == "pending" || status == "delivered" || status == "dead") return std::nullopt;
  return internal_error("outbox status must be pending, delivered or dead, not '" + status + "'");
}

Error outbox_not_found(std::int64_t id) {
  return make_error(ErrorKind::kNotFound, "outbox-message-not-found", "Meldingen finnes ikke",
                    "Fant ingen utgående melding med nummer " + std::to_string(id) + ".");
}

std::optional<Error> check_receipt_outcome(const std::string& outcome) {
  if (outcome == "kvittering" || outcome == "feilmelding") return std::nullopt;
  return internal_error("archive receipt outcome must be kvittering or feilmelding, not '" +
                        outcome + "'");
}

// ---------------------------------------------------------------------------------------
// Rows and parameters

constexpr const char* kVersionColumns =
    "procedure_id, version, status, xml, sha256, author, created_at, approver, approved_at, "
    "effective_from, published_at, consultation_deadline, source, revision";

ProcedureVersionRecord read_version(const Row& row) {
  Cursor c(row);
  ProcedureVersionRecord r;
  r.procedure_id = c.text();
  r.version = c.text();
  r.status = c.text();
  r.xml = c.text();
  r.sha256 = c.text();
  r.author = c.text();
  r.created_at = c.text();
  r.approver = c.text();
  r.approved_at = c.text();
  r.effective_from = c.text();
  r.published_at = c.text();
  r.consultation_deadline = c.text();
  r.source = c.text();
  r.revision = c.int64();
  return r;
}

// $1..$12 in the order of kVersionColumns without created_at and revision.
Params version_params(const ProcedureVersionRecord& r) {
  return {r.procedure_id,
          r.version,
          r.status,
          r.xml,
          r.sha256,
          r.author,
          r.approver,
          r.approved_at,
          r.effective_from,
          r.published_at,
          r.consultation_deadline,
          r.source};
}

// Every column of a deviation, on the alias d, in the order of deviation_params and
// read_deviation; personal_data reads as 0/1.
constexpr const char* kDeviationColumns =
    "d.id, d.year, d.number, d.procedure_id, d.procedure_version, d.step_id, d.incident_date, "
    "d.category, d.severity, d.title, d.description, d.reporting_unit, d.reporter, "
    "d.responsible_unit, d.case_reference, d.personal_data::int, d.status, d.created_at, "
    "d.created_epoch, d.updated_at, d.receive_due_epoch, d.close_due_epoch, d.received_at, "
    "d.closed_at, d.closed_epoch, d.cause, d.evaluation, d.rejection_reason, d.reopen_reason, "
    "d.resolved_in_version, d.linked_draft_version, d.revision";

DeviationRecord read_deviation(const Row& row) {
  Cursor c(row);
  DeviationRecord r;
  r.id = c.text();
  r.year = static_cast<int>(c.int64());
  r.number = c.int64();
  r.procedure_id = c.text();
  r.procedure_version = c.text();
  r.step_id = c.text();
  r.incident_date = c.text();
  r.category = c.text();
  r.severity = c.text();
  r.title = c.text();
  r.description = c.text();
  r.reporting_unit = c.text();
  r.reporter = c.text();
  r.responsible_unit = c.text();
  r.case_reference = c.text();
  r.personal_data = c.int64() != 0;
  r.status = c.text();
  r.created_at = c.text();
  r.created_epoch = c.int64();
  r.updated_at = c.text();
  r.receive_due_epoch = c.int64();
  r.close_due_epoch = c.int64();
  r.received_at = c.text();
  r.closed_at = c.text();
  r.closed_epoch = c.int64();
  r.cause = c.text();
  r.evaluation = c.text();
  r.rejection_reason = c.text();
  r.reopen_reason = c.text();
  r.resolved_in_version = c.text();
  r.linked_draft_version = c.text();
  r.revision = c.int64();
  return r;
}

// kDeviationColumns as the INSERT names them.
constexpr const char* kDeviationInsertColumns =
    "id, year, number, procedure_id, procedure_version, step_id, incident_date, category, "
    "severity, title, description, reporting_unit, reporter, responsible_unit, case_reference, "
    "personal_data, status, created_at, created_epoch, updated_at, receive_due_epoch, "
    "close_due_epoch, received_at, closed_at, closed_epoch, cause, evaluation, rejection_reason, "
    "reopen_reason, resolved_in_version, linked_draft_version, revision";

/// $1..$32 in the order of kDeviationColumns.
Params deviation_params(const DeviationRecord& r) {
  return {r.id,
          std::to_string(r.year),
          std::to_string(r.number),
          r.procedure_id,
          r.procedure_version,
          r.step_id,
          r.incident_date,
          r.category,
          r.severity,
          r.title,
          r.description,
          r.reporting_unit,
          r.reporter,
          r.responsible_unit,
          r.case_reference,
          boolean(r.personal_data),
          r.status,
          r.created_at,
          std::to_string(r.created_epoch),
          r.updated_at,
          std::to_string(r.receive_due_epoch),
          std::to_string(r.close_due_epoch),
          r.received_at,
          r.closed_at,
          std::to_string(r.closed_epoch),
          r.cause,
          r.evaluation,
          r.rejection_reason,
          r.reopen_reason,
          r.resolved_in_version,
          r.linked_draft_version,
          std::to_string(r.revision)};
}

constexpr const char* kOutboxColumns =
    "id, topic, dedupe_key, payload_json, status, attempts, next_attempt_epoch, last_error, "
    "created_at, delivered_at";

OutboxMessage read_outbox(const Row& row) {
  Cursor c(row);
  OutboxMessage m;
  m.id = c.int64();
  m.topic = c.text();
  m.dedupe_key = c.text();
  m.payload_json = c.text();
  m.status = c.text();
  m.attempts = static_cast<int>(c.int64());
  m.next_attempt_epoch = c.int64();
  m.last_error = c.text();
  m.created_at = c.text();
  m.delivered_at = c.text();
  return m;
}

// In the order of read_archive_receipt and of the parameters $1..$8 of
// record_archive_receipt.
constexpr const char* kArchiveReceiptColumns =
    "export_key, subject, outcome, system_id, case_number, journalpost_number, error_text, "
    "received_at";

ArchiveReceiptRecord read_archive_receipt(const Row& row) {
  Cursor c(row);
  ArchiveReceiptRecord r;
  r.export_key = c.text();
  r.subject = c.text();
  r.outcome = c.text();
  r.system_id = c.text();
  r.case_number = c.text();
  r.journalpost_number = c.text();
  r.error_text = c.text();
  r.received_at = c.text();
  return r;
}

std::string format_deviation_id(int year, std::int64_t number) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "AVVIK-%d-%04lld", year,
                static_cast<long long>(number));
  return buffer.data();
}

/// Severity order for sorting: lav < middels < hoy < kritisk; unknown codes first. The same
/// table as the generated column deviations.severity_rank.
std::int64_t severity_rank(std::string_view code) {
  if (code == "lav") return 1;
  if (code == "middels") return 2;
  if (code == "hoy") return 3;
  if (code == "kritisk") return 4;
  return 0;
}

/// How list_deviations orders: the column, and whether the cursor value is an integer.
struct SortKey {
  std::string_view name;
  const char* column;
  bool integer;
};

constexpr std::array kSortKeys = {
    SortKey{"created", "d.created_epoch", true},
    SortKey{"updated", "d.updated_at", false},
    SortKey{"incident_date", "d.incident_date", false},
    SortKey{"severity", "d.severity_rank", true},
    SortKey{"id", "d.id", false},
};

/// A row's cursor value, as the SQLite store writes it.
std::string sort_value_of(const DeviationRecord& r, std::string_view sort) {
  if (sort == "created") return std::to_string(r.created_epoch);
  if (sort == "updated") return r.updated_at;
  if (sort == "incident_date") return r.incident_date;
  if (sort == "severity") return r.severity;  // the code; compared by its rank
  return r.id;
}

/// YYYY-MM-DD of an epoch second, in UTC.
std::string utc_date(std::int64_t epoch) {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d", &tm);
  return buffer.data();
}

/// WHERE terms (" AND …") and their parameters, numbered as they are added.
class Conditions {
 public:
  std::string param(std::string value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  void add(const std::string& term) { sql_ += " AND " + term; }
  std::string in_list(const std::vector<std::string>& values) {
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ", ";
      out += param(values[i]);
    }
    return out + ")";
  }
  const std::string& sql() const { return sql_; }
  const Params& params() const { return params_; }

 private:
  std::string sql_;
  Params params_;
};

// Open = neither lukket nor avvist; overdue as DeviationQuery::overdue_only says. Written as
// the partial indexes deviations_receive_due and deviations_close_due, so that the planner can
// use them.
std::string overdue_term(const std::string& now) {
  return "((d.status = 'registrert' AND d.receive_due_epoch < " + now +
         "::bigint) OR (d.status NOT IN ('registrert', 'lukket', 'avvist') AND "
         "d.close_due_epoch < " +
         now + "::bigint))";
}

/// The filters of a query (not visibility, order or paging), on the alias d.
void add_filters(const DeviationQuery& q, Conditions& where) {
  if (!q.statuses.empty()) where.add("d.status IN " + where.in_list(q.statuses));
  if (!q.unit.empty()) {
    const auto unit = where.param(q.unit);
    where.add("(d.responsible_unit = " + unit +
              " OR EXISTS (SELECT 1 FROM deviation_participants p WHERE p.deviation_id = d.id "
              "AND p.unit_id = " +
              unit + "))");
  }
  const std::array<std::pair<const char*, const std::string*>, 7> terms = {{
      {"d.procedure_id = ", &q.procedure_id},
      {"d.procedure_version = ", &q.procedure_version},
      {"d.step_id = ", &q.step_id},
      {"d.category = ", &q.category},
      {"d.severity = ", &q.severity},
      {"d.incident_date >= ", &q.from_date},
      {"d.incident_date <= ", &q.to_date},
  }};
  for (const auto& [term, value] : terms) {
    if (!value->empty()) where.add(term + where.param(*value));
  }
  if (q.overdue_only) where.add(overdue_term(where.param(std::to_string(q.now_epoch))));
}

void add_visibility(const DeviationQuery& q, Conditions& where) {
  if (q.see_all) return;
  std::string visible = "(d.reporter = " + where.param(q.viewer);
  if (!q.viewer_units.empty()) {
    const auto units = where.in_list(q.viewer_units);
    visible += " OR d.responsible_unit IN " + units +
               " OR EXISTS (SELECT 1 FROM deviation_participants v WHERE v.deviation_id = d.id "
               "AND v.unit_id IN " +
               units + ")";
  }
  where.add(visible + ")");
}

class PostgresqlStore final : public Store {
 public:
  explicit PostgresqlStore(const std::string& conninfo) {
    const std::string connection_string = poco_connection_string(conninfo);
    try {
      pool_ = std::make_unique<ConnectionPool>(connection_string);
      migrate();
    } catch (const std::runtime_error&) {
      throw;
    } catch (const std::exception& e) {
      // Poco's and libpq's messages name host, port, database and user, never the password.
      throw std::runtime_error("cannot open the PostgreSQL store: " + describe(e));
    }
  }

  // Store
  Result<StoreInfo> info() override {
    return run<StoreInfo>(kRead, "info", [](Tx& tx) -> Result<StoreInfo> {
      StoreInfo info;
      info.backend = "postgresql";
      const auto rows =
          tx.query("SELECT installation_id, created_at FROM installation WHERE id = 1");
      if (!rows.empty()) {
        info.installation_id = rows[0][0];
        info.created_at = rows[0][1];
      }
      info.schema_version = current_version(tx);
      return info;
    });
  }

  Result<void> ping() override {
    return run<void>(kRead, "ping", [](Tx& tx) -> Result<void> {
      if (tx.query("SELECT 1").empty()) return unavailable("ping returned no row");
      return {};
    });
  }

  Result<std::optional<UserPreferences>> get_preferences(const std::string& user_id) override {
    return run<std::optional<UserPreferences>>(
        kRead, "get_preferences", [&](Tx& tx) -> Result<std::optional<UserPreferences>> {
          const auto rows =
              tx.query("SELECT json, revision, updated_at FROM user_preferences WHERE user_id = $1",
                       {user_id});
          if (rows.empty()) return std::optional<UserPreferences>{};
          return std::optional<UserPreferences>{
              UserPreferences{user_id, rows[0][0], to_int64(rows[0][1]), rows[0][2]}};
        });
  }

  Result<UserPreferences> put_preferences(const std::string& user_id, const std::string& json,
                                          std::optional<std::int64_t> expected_revision) override {
    return run<UserPreferences>(kWrite, "put_preferences", [&](Tx& tx) -> Result<UserPreferences> {
      // Lock the row (if any) so two nodes cannot both move revision n to n + 1.
      const auto rows = tx.query(
          "SELECT revision FROM user_preferences WHERE user_id = $1 FOR UPDATE", {user_id});
      const std::int64_t current = rows.empty() ? 0 : to_int64(rows[0][0]);
      if (expected_revision && *expected_revision != current) return preferences_changed();
      UserPreferences prefs{user_id, json, current + 1, {}};
      // A concurrent first insert makes ON CONFLICT update a row whose revision is not
      // `current`: the WHERE then leaves it alone, and no row comes back.
      const auto written =
          tx.query(std::string("INSERT INTO user_preferences (user_id, json, revision, updated_at) "
                               "VALUES ($1, $2, $3, ") +
                       kNow +
                       ") ON CONFLICT (user_id) DO UPDATE SET json = excluded.json, "
                       "revision = excluded.revision, updated_at = excluded.updated_at "
                       "WHERE user_preferences.revision = $4 RETURNING updated_at",
                   {user_id, json, std::to_string(prefs.revision), std::to_string(current)});
      if (written.empty()) {
        if (expected_revision) return preferences_changed();
        throw RestartTransaction{};
      }
      prefs.updated_at = written[0][0];
      return prefs;
    });
  }

  // Procedure versions
  Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() override {
    return run<std::vector<ProcedureVersionRecord>>(
        kRead, "list_procedure_versions",
        [](Tx& tx) -> Result<std::vector<ProcedureVersionRecord>> {
          std::vector<ProcedureVersionRecord> out;
          for (const auto& row :
               tx.query(std::string("SELECT ") + kVersionColumns +
                        " FROM procedure_versions ORDER BY procedure_id, created_at, version")) {
            out.push_back(read_version(row));
          }
          return out;
        });
  }

  Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& in) override {
    return run<ProcedureVersionRecord>(
        kWrite, "insert_procedure_version", [&](Tx& tx) -> Result<ProcedureVersionRecord> {
          ProcedureVersionRecord record = in;
          record.revision = 1;
          const auto rows = tx.query(
              std::string("INSERT INTO procedure_versions (procedure_id, version, status, xml, "
                          "sha256, author, created_at, approver, approved_at, effective_from, "
                          "published_at, consultation_deadline, source, revision) VALUES ($1, "
                          "$2, $3, $4, $5, $6, ") +
                  kNow +
                  ", $7, $8, $9, $10, $11, $12, 1) ON CONFLICT DO NOTHING RETURNING created_at",
              version_params(record));
          if (rows.empty()) {
            return make_error(ErrorKind::kConflict, "version-exists", "Versjonen finnes allerede",
                              "Prosedyren «" + in.procedure_id + "» har allerede en versjon " +
                                  in.version + ". Bruk et høyere versjonsnummer.",
                              "version");
          }
          record.created_at = rows[0][0];
          return record;
        });
  }

  Result<ProcedureVersionRecord> update_procedure_version(
      const ProcedureVersionRecord& in, std::int64_t expected_revision,
      const std::vector<std::string>& consultation_units, const std::vector<std::string>& supersede,
      const std::vector<OutboxMessage>& outbox) override {
    return run<ProcedureVersionRecord>(
        kWrite, "update_procedure_version", [&](Tx& tx) -> Result<ProcedureVersionRecord> {
          ProcedureVersionRecord record = in;
          record.revision = expected_revision + 1;
          const auto changed = tx.exec(
              "UPDATE procedure_versions SET status = $3, xml = $4, sha256 = $5, "
              "approver = $6, approved_at = $7, effective_from = $8, published_at = $9, "
              "consultation_deadline = $10, revision = revision + 1 "
              "WHERE procedure_id = $1 AND version = $2 AND revision = $11",
              {record.procedure_id, record.version, record.status, record.xml, record.sha256,
               record.approver, record.approved_at, record.effective_from, record.published_at,
               record.consultation_deadline, std::to_string(expected_revision)});
          if (changed != 1) return version_changed();
          for (const auto& unit : consultation_units) {
            tx.exec(
                "INSERT INTO procedure_consultations (procedure_id, version, unit_id) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                {in.procedure_id, in.version, unit});
          }
          for (const auto& version : supersede) {
            tx.exec(
                "UPDATE procedure_versions SET status = 'superseded', revision = revision + 1 "
                "WHERE procedure_id = $1 AND version = $2 AND status = 'published'",
                {in.procedure_id, version});
          }
          insert_outbox(tx, outbox);
          return record;
        });
  }

  Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                            const std::string& version) override {
    return run<std::vector<ConsultationAnswer>>(
        kRead, "list_consultation", [&](Tx& tx) -> Result<std::vector<ConsultationAnswer>> {
          std::vector<ConsultationAnswer> out;
          for (const auto& row :
               tx.query("SELECT unit_id, answer, comment, answered_by, answered_at FROM "
                        "procedure_consultations WHERE procedure_id = $1 AND version = $2 "
                        "ORDER BY unit_id",
                        {procedure_id, version})) {
            out.push_back({row[0], row[1], row[2], row[3], row[4]});
          }
          return out;
        });
  }

  Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                 const std::string& version,
                                                 const ConsultationAnswer& answer) override {
    return run<ConsultationAnswer>(
        kWrite, "answer_consultation", [&](Tx& tx) -> Result<ConsultationAnswer> {
          const auto rows =
              tx.query(std::string("UPDATE procedure_consultations SET answer = $4, comment = $5, "
                                   "answered_by = $6, answered_at = ") +
                           kNow +
                           " WHERE procedure_id = $1 AND version = $2 AND unit_id = $3 "
                           "RETURNING answered_at",
                       {procedure_id, version, answer.unit_id, answer.answer, answer.comment,
                        answer.answered_by});
          if (rows.empty()) {
            return make_error(
                ErrorKind::kNotFound, "not-consulted", "Enheten er ikke på høring",
                "Enheten «" + answer.unit_id + "» er ikke bedt om å svare på høringen.", "unit");
          }
          ConsultationAnswer saved = answer;
          saved.answered_at = rows[0][0];
          return saved;
        });
  }

  Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) override {
    return run<std::vector<ReadConfirmation>>(
        kRead, "list_read_confirmations", [&](Tx& tx) -> Result<std::vector<ReadConfirmation>> {
          std::vector<ReadConfirmation> out;
          for (const auto& row :
               tx.query("SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations "
                        "WHERE procedure_id = $1 AND version = $2 ORDER BY confirmed_at",
                        {procedure_id, version})) {
            out.push_back({row[0], row[1], row[2]});
          }
          return out;
        });
  }

  Result<ReadConfirmation> confirm_read(const std::string& procedure_id, const std::string& version,
                                        const ReadConfirmation& c) override {
    return run<ReadConfirmation>(kWrite, "confirm_read", [&](Tx& tx) -> Result<ReadConfirmation> {
      tx.exec(std::string("INSERT INTO procedure_read_confirmations (procedure_id, version, "
                          "user_id, unit_id, confirmed_at) VALUES ($1, $2, $3, $4, ") +
                  kNow + ") ON CONFLICT DO NOTHING",
              {procedure_id, version, c.user_id, c.unit_id});
      const auto rows = tx.query(
          "SELECT user_id, unit_id, confirmed_at FROM procedure_read_confirmations WHERE "
          "procedure_id = $1 AND version = $2 AND user_id = $3",
          {procedure_id, version, c.user_id});
      if (rows.empty()) throw std::runtime_error("confirmation vanished");
      return ReadConfirmation{rows[0][0], rows[0][1], rows[0][2]};
    });
  }

  // Deviations
  Result<DeviationCreated> create_deviation(
      const DeviationRecord& in, const DeviationEvent& first_event,
      const std::string& idempotency_key, const std::string& request_sha256,
      const std::function<std::vector<OutboxMessage>(const DeviationRecord&)>& outbox_for)
      override {
    if (in.year <= 0) return internal_error("create_deviation: record.year is not set");
    return run<DeviationCreated>(
        kWrite, "create_deviation", [&](Tx& tx) -> Result<DeviationCreated> {
          if (!idempotency_key.empty()) {
            const auto seen = tx.query(
                "SELECT id, request_sha256 FROM deviations WHERE reporter = $1 AND "
                "idempotency_key = $2 AND idempotency_key <> ''",
                {in.reporter, idempotency_key});
            if (!seen.empty()) {
              if (seen[0][1] != request_sha256) return idempotency_key_reused();
              auto stored = load_deviation(tx, seen[0][0]);
              if (!stored) throw std::runtime_error("idempotent avvik vanished");
              return DeviationCreated{std::move(*stored), true};
            }
          }
          DeviationRecord record = in;
          // The next number; the year's counter row stays locked until this commits, so
          // numbers are gapless and never given twice, whichever node asks.
          const auto counter = tx.query(
              "INSERT INTO deviation_counters (year, last_number) VALUES ($1, 1) "
              "ON CONFLICT (year) DO UPDATE SET last_number = deviation_counters.last_number + 1 "
              "RETURNING last_number",
              {std::to_string(record.year)});
          if (counter.empty()) throw std::runtime_error("deviation counter returned no row");
          record.number = to_int64(counter[0][0]);
          record.id = format_deviation_id(record.year, record.number);
          record.revision = 1;
          if (record.updated_at.empty()) record.updated_at = record.created_at;
          Params params = deviation_params(record);
          params.push_back(idempotency_key);
          params.push_back(idempotency_key.empty() ? std::string() : request_sha256);
          const auto inserted =
              tx.query(std::string("INSERT INTO deviations (") + kDeviationInsertColumns +
                           ", idempotency_key, request_sha256) VALUES (" + placeholders(1, 34) +
                           ") ON CONFLICT (reporter, idempotency_key) WHERE idempotency_key <> '' "
                           "DO NOTHING RETURNING id",
                       std::move(params));
          // Another node inserted the same (reporter, key) and committed while this one
          // waited for it: start over, and answer as a replay (or a reuse) of that one. The
          // rollback gives the number back.
          if (inserted.empty()) throw RestartTransaction{};
          write_participants(tx, record.id, record.participants);
          write_actions(tx, record.id, record.actions);
          write_new_comments(tx, record.id, record.comments);
          append_events(tx, record.id, {first_event});
          auto stored = load_deviation(tx, record.id);
          if (!stored) throw std::runtime_error("inserted avvik vanished");
          if (outbox_for) insert_outbox(tx, outbox_for(*stored));
          return DeviationCreated{std::move(*stored), false};
        });
  }

  Result<std::optional<DeviationRecord>> get_deviation(const std::string& id) override {
    return run<std::optional<DeviationRecord>>(
        kRead, "get_deviation",
        [&](Tx& tx) -> Result<std::optional<DeviationRecord>> { return load_deviation(tx, id); });
  }

  Result<DeviationRecord> update_deviation(const DeviationRecord& in,
                                           std::int64_t expected_revision,
                                           const std::vector<DeviationEvent>& events,
                                           const std::vector<OutboxMessage>& outbox) override {
    return run<DeviationRecord>(kWrite, "update_deviation", [&](Tx& tx) -> Result<DeviationRecord> {
      // The row lock orders concurrent updates of one avvik, and with them its history chain.
      const auto current =
          tx.query("SELECT revision FROM deviations WHERE id = $1 FOR UPDATE", {in.id});
      if (current.empty()) return deviation_not_found(in.id);
      if (to_int64(current[0][0]) != expected_revision) return deviation_changed();
      DeviationRecord record = in;
      record.revision = expected_revision + 1;
      // Fixed at registration, so not written: id, year, number, reporting_unit, reporter,
      // created_at, created_epoch (and the idempotency key).
      const auto changed =
          tx.exec(std::string("UPDATE deviations SET procedure_id = $2, procedure_version = $3, "
                              "step_id = $4, incident_date = $5, category = $6, severity = $7, "
                              "title = $8, description = $9, responsible_unit = $10, "
                              "case_reference = $11, personal_data = $12, status = $13, "
                              "updated_at = COALESCE(NULLIF($14, ''), ") +
                      kNow +
                      "), receive_due_epoch = $15, close_due_epoch = $16, received_at = $17, "
                      "closed_at = $18, closed_epoch = $19, cause = $20, evaluation = $21, "
                      "rejection_reason = $22, reopen_reason = $23, resolved_in_version = $24, "
                      "linked_draft_version = $25, revision = $26 WHERE id = $1 AND revision = $27",
                  {record.id,
                   record.procedure_id,
                   record.procedure_version,
                   record.step_id,
                   record.incident_date,
                   record.category,
                   record.severity,
                   record.title,
                   record.description,
                   record.responsible_unit,
                   record.case_reference,
                   boolean(record.personal_data),
                   record.status,
                   record.updated_at,
                   std::to_string(record.receive_due_epoch),
                   std::to_string(record.close_due_epoch),
                   record.received_at,
                   record.closed_at,
                   std::to_string(record.closed_epoch),
                   record.cause,
                   record.evaluation,
                   record.rejection_reason,
                   record.reopen_reason,
                   record.resolved_in_version,
                   record.linked_draft_version,
                   std::to_string(record.revision),
                   std::to_string(expected_revision)});
      if (changed != 1) throw std::runtime_error("avvik revision moved");
      write_participants(tx, record.id, record.participants);
      write_actions(tx, record.id, record.actions);
      write_new_comments(tx, record.id, record.comments);
      append_events(tx, record.id, events);
      insert_outbox(tx, outbox);
      auto stored = load_deviation(tx, record.id);
      if (!stored) throw std::runtime_error("updated avvik vanished");
      return std::move(*stored);
    });
  }

  Result<std::vector<DeviationEvent>> deviation_history(const std::string& id) override {
    return run<std::vector<DeviationEvent>>(
        kRead, "deviation_history", [&](Tx& tx) -> Result<std::vector<DeviationEvent>> {
          std::vector<DeviationEvent> out;
          for (const auto& row :
               tx.query("SELECT seq, at, actor, kind, data_json, prev_hash, hash FROM "
                        "deviation_events WHERE deviation_id = $1 ORDER BY seq",
                        {id})) {
            Cursor c(row);
            DeviationEvent e;
            e.seq = c.int64();
            e.at = c.text();
            e.actor = c.text();
            e.kind = c.text();
            e.data_json = c.text();
            e.prev_hash = c.text();
            e.hash = c.text();
            out.push_back(std::move(e));
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
    Conditions where;
    add_filters(query, where);
    add_visibility(query, where);
    const char* dir = query.descending ? " DESC" : " ASC";
    const char* cmp = query.descending ? " < " : " > ";
    if (query.after_sort_value) {
      const std::string& after_id =
          query.after_id.empty() && by_id ? *query.after_sort_value : query.after_id;
      if (by_id) {
        where.add(std::string("d.id") + cmp + where.param(after_id));
      } else {
        std::string value;
        if (key->name == "severity") {
          value = std::to_string(severity_rank(*query.after_sort_value));
        } else if (key->integer) {
          std::int64_t number = 0;
          const auto& text = *query.after_sort_value;
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
          if (ec != std::errc() || end != text.data() + text.size()) {
            return invalid_query("Fortsettelsesmerket for sidevisningen er ugyldig.", "after");
          }
          value = std::to_string(number);
        } else {
          value = *query.after_sort_value;
        }
        const std::string cast = key->integer ? "::bigint" : "";
        const auto value_param = where.param(value) + cast;
        where.add(std::string("(") + key->column + ", d.id)" + cmp + "(" + value_param + ", " +
                  where.param(after_id) + ")");
      }
    }
    std::string sql = std::string("SELECT ") + kDeviationColumns + " FROM deviations d WHERE TRUE" +
                      where.sql() + " ORDER BY " + key->column + dir;
    if (!by_id) sql += std::string(", d.id") + dir;
    sql += " LIMIT " + std::to_string(limit + 1);
    return run<DeviationPage>(kRead, "list_deviations", [&](Tx& tx) -> Result<DeviationPage> {
      DeviationPage page;
      for (const auto& row : tx.query(sql, where.params())) {
        page.items.push_back(read_deviation(row));
      }
      if (page.items.size() > static_cast<std::size_t>(limit)) {
        page.items.pop_back();
        page.more = true;
        page.next_sort_value = sort_value_of(page.items.back(), key->name);
        page.next_id = page.items.back().id;
      }
      load_children(tx, page.items);
      return page;
    });
  }

  Result<DeviationStatistics> deviation_statistics(const DeviationQuery& filter) override {
    Conditions where;
    add_filters(filter, where);
    return run<DeviationStatistics>(
        kRead, "deviation_statistics", [&](Tx& tx) -> Result<DeviationStatistics> {
          const std::string from = " FROM deviations d WHERE TRUE" + where.sql();
          const auto count_by = [&](const std::string& expression) {
            std::vector<KeyCount> out;
            for (const auto& row :
                 tx.query("SELECT " + expression + ", count(*)" + from + " GROUP BY 1",
                          where.params())) {
              out.push_back({row[0], to_int64(row[1])});
            }
            return out;
          };
          const auto by_count_then_key = [](const KeyCount& a, const KeyCount& b) {
            return a.count != b.count ? a.count > b.count : a.key < b.key;
          };
          DeviationStatistics stats;
          stats.per_status = count_by("d.status");
          std::sort(stats.per_status.begin(), stats.per_status.end(), by_count_then_key);
          for (const auto& c : stats.per_status) {
            stats.total += c.count;
            if (c.key == "lukket") stats.closed = c.count;
            if (c.key == "avvist") stats.rejected = c.count;
          }
          stats.open = stats.total - stats.closed - stats.rejected;
          for (auto [target, expression] : {std::pair{&stats.per_unit, "d.responsible_unit"},
                                            std::pair{&stats.per_category, "d.category"},
                                            std::pair{&stats.per_severity, "d.severity"}}) {
            *target = count_by(expression);
            std::sort(target->begin(), target->end(), by_count_then_key);
          }
          stats.per_month = count_by("substr(d.incident_date, 1, 7)");
          std::sort(stats.per_month.begin(), stats.per_month.end(),
                    [](const KeyCount& a, const KeyCount& b) { return a.key < b.key; });
          for (const auto& row :
               tx.query("SELECT d.procedure_id, d.step_id, count(*), count(*) FILTER (WHERE "
                        "d.status NOT IN ('lukket', 'avvist'))" +
                            from + " GROUP BY d.procedure_id, d.step_id",
                        where.params())) {
            Cursor c(row);
            StepCount step;
            step.procedure_id = c.text();
            step.step_id = c.text();
            step.total = c.int64();
            step.open = c.int64();
            stats.per_step.push_back(std::move(step));
          }
          std::sort(stats.per_step.begin(), stats.per_step.end(),
                    [](const StepCount& a, const StepCount& b) {
                      if (a.total != b.total) return a.total > b.total;
                      if (a.step_id != b.step_id) return a.step_id < b.step_id;
                      return a.procedure_id < b.procedure_id;
                    });
          // The lower median (for an even count, the smaller of the two middle values).
          const auto median = tx.query(
              "SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY d.closed_epoch - "
              "d.created_epoch))::text" +
                  from +
                  " AND d.status = 'lukket' AND d.closed_epoch > 0 AND "
                  "d.closed_epoch >= d.created_epoch",
              where.params());
          if (!median.empty() && !median[0][0].empty()) {
            stats.median_closure_seconds = to_int64(median[0][0]);
          }
          Params overdue_params = where.params();
          overdue_params.push_back(std::to_string(filter.now_epoch));
          const std::string now = "$" + std::to_string(overdue_params.size());
          overdue_params.push_back(utc_date(filter.now_epoch));
          const std::string today = "$" + std::to_string(overdue_params.size());
          const auto overdue = tx.query(
              "SELECT (SELECT count(*)" + from + " AND " + overdue_term(now) +
                  "), (SELECT count(*) FROM deviation_actions a JOIN deviations d ON d.id = "
                  "a.deviation_id WHERE a.done_date = '' AND a.due_date <> '' AND a.due_date < " +
                  today + where.sql() + ")",
              std::move(overdue_params));
          stats.overdue_deviations = to_int64(overdue.at(0).at(0));
          stats.overdue_actions = to_int64(overdue.at(0).at(1));
          return stats;
        });
  }

  // Outbox
  Result<void> enqueue_outbox(const std::vector<OutboxMessage>& messages) override {
    return run<void>(kWrite, "enqueue_outbox", [&](Tx& tx) -> Result<void> {
      insert_outbox(tx, messages);
      return {};
    });
  }

  Result<std::vector<OutboxMessage>> claim_outbox(const std::string& topic, std::int64_t now_epoch,
                                                  int lease_seconds, int limit) override {
    if (limit <= 0) return std::vector<OutboxMessage>{};
    return run<std::vector<OutboxMessage>>(
        kWrite, "claim_outbox", [&](Tx& tx) -> Result<std::vector<OutboxMessage>> {
          // SKIP LOCKED: a message another node is claiming right now is neither waited for
          // nor handed out twice; once that node commits, its lease keeps it from the others.
          const auto rows = tx.query(
              "WITH due AS (SELECT id, next_attempt_epoch AS due_epoch FROM outbox "
              "WHERE topic = $1 AND status = 'pending' AND next_attempt_epoch <= $2::bigint "
              "ORDER BY next_attempt_epoch, id LIMIT $3 FOR UPDATE SKIP LOCKED) "
              "UPDATE outbox o SET next_attempt_epoch = $4::bigint FROM due WHERE o.id = due.id "
              "RETURNING o.id, o.topic, o.dedupe_key, o.payload_json, o.status, o.attempts, "
              "o.next_attempt_epoch, o.last_error, o.created_at, o.delivered_at, due.due_epoch",
              {topic, std::to_string(now_epoch), std::to_string(std::min(limit, 1000)),
               std::to_string(now_epoch + std::max(lease_seconds, 0))});
          std::vector<std::pair<std::int64_t, OutboxMessage>> claimed;
          for (const auto& row : rows) claimed.emplace_back(to_int64(row.at(10)), read_outbox(row));
          std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : a.second.id < b.second.id;
          });
          std::vector<OutboxMessage> out;
          out.reserve(claimed.size());
          for (auto& [due, message] : claimed) out.push_back(std::move(message));
          return out;
        });
  }

  Result<void> finish_outbox(const OutboxMessage& message) override {
    if (auto bad = check_outbox_status(message.status)) return *bad;
    return run<void>(kWrite, "finish_outbox", [&](Tx& tx) -> Result<void> {
      if (!write_outbox_outcome(tx, message)) return outbox_not_found(message.id);
      return {};
    });
  }

  Result<std::vector<OutboxMessage>> list_outbox(const std::string& topic,
                                                 const std::string& status, int limit) override {
    return run<std::vector<OutboxMessage>>(
        kRead, "list_outbox", [&](Tx& tx) -> Result<std::vector<OutboxMessage>> {
          std::vector<OutboxMessage> out;
          for (const auto& row :
               tx.query(std::string("SELECT ") + kOutboxColumns +
                            " FROM outbox WHERE ($1 = '' OR topic = $1) AND ($2 = '' OR status = "
                            "$2) ORDER BY id DESC LIMIT " +
                            std::to_string(std::clamp(limit, 1, 500)),
                        {topic, status})) {
            out.push_back(read_outbox(row));
          }
          return out;
        });
  }

  Result<OutboxCounts> outbox_counts(const std::string& topic) override {
    return run<OutboxCounts>(kRead, "outbox_counts", [&](Tx& tx) -> Result<OutboxCounts> {
      OutboxCounts counts;
      for (const auto& row :
           tx.query("SELECT status, count(*) FROM outbox WHERE $1 = '' OR topic = $1 "
                    "GROUP BY status",
                    {topic})) {
        if (row[0] == "pending") counts.pending = to_int64(row[1]);
        if (row[0] == "delivered") counts.delivered = to_int64(row[1]);
        if (row[0] == "dead") counts.dead = to_int64(row[1]);
      }
      return counts;
    });
  }

  Result<std::optional<OutboxMessage>> get_outbox(std::int64_t id) override {
    return run<std::optional<OutboxMessage>>(
        kRead, "get_outbox", [&](Tx& tx) -> Result<std::optional<OutboxMessage>> {
          const auto rows = tx.query(
              std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = $1::bigint",
              {std::to_string(id)});
          if (rows.empty()) return std::optional<OutboxMessage>{};
          return std::optional<OutboxMessage>{read_outbox(rows[0])};
        });
  }

  Result<std::optional<OutboxMessage>> find_outbox(const std::string& dedupe_key) override {
    return run<std::optional<OutboxMessage>>(
        kRead, "find_outbox", [&](Tx& tx) -> Result<std::optional<OutboxMessage>> {
          const auto rows = tx.query(
              std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE dedupe_key = $1",
              {dedupe_key});
          if (rows.empty()) return std::optional<OutboxMessage>{};
          return std::optional<OutboxMessage>{read_outbox(rows[0])};
        });
  }

  // Archive receipts
  Result<void> record_archive_receipt(const ArchiveReceiptRecord& receipt,
                                      const OutboxMessage& message) override {
    if (auto bad = check_outbox_status(message.status)) return *bad;
    if (auto bad = check_receipt_outcome(receipt.outcome)) return *bad;
    return run<void>(kWrite, "record_archive_receipt", [&](Tx& tx) -> Result<void> {
      // The message first (its row stays locked until COMMIT): when it is unknown, nothing
      // has been written, and the transaction is rolled back all the same.
      if (!write_outbox_outcome(tx, message)) return outbox_not_found(message.id);
      tx.exec(std::string("INSERT INTO archive_receipts (") + kArchiveReceiptColumns +
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (export_key) DO UPDATE "
                  "SET subject = excluded.subject, outcome = excluded.outcome, "
                  "system_id = excluded.system_id, case_number = excluded.case_number, "
                  "journalpost_number = excluded.journalpost_number, "
                  "error_text = excluded.error_text, received_at = excluded.received_at, "
                  "seq = excluded.seq",
              {receipt.export_key, receipt.subject, receipt.outcome, receipt.system_id,
               receipt.case_number, receipt.journalpost_number, receipt.error_text,
               receipt.received_at});
      return {};
    });
  }

  Result<std::optional<ArchiveReceiptRecord>> archive_receipt(
      const std::string& export_key) override {
    return run<std::optional<ArchiveReceiptRecord>>(
        kRead, "archive_receipt", [&](Tx& tx) -> Result<std::optional<ArchiveReceiptRecord>> {
          const auto rows = tx.query(std::string("SELECT ") + kArchiveReceiptColumns +
                                         " FROM archive_receipts WHERE export_key = $1",
                                     {export_key});
          if (rows.empty()) return std::optional<ArchiveReceiptRecord>{};
          return std::optional<ArchiveReceiptRecord>{read_archive_receipt(rows[0])};
        });
  }

  Result<std::vector<ArchiveReceiptRecord>> archive_receipts(const std::string& subject) override {
    return run<std::vector<ArchiveReceiptRecord>>(
        kRead, "archive_receipts", [&](Tx& tx) -> Result<std::vector<ArchiveReceiptRecord>> {
          std::vector<ArchiveReceiptRecord> out;
          for (const auto& row :
               tx.query(std::string("SELECT ") + kArchiveReceiptColumns +
                            " FROM archive_receipts WHERE subject = $1 ORDER BY received_at, seq",
                        {subject})) {
            out.push_back(read_archive_receipt(row));
          }
          return out;
        });
  }

  Result<void> backup_to(const std::string& target_path) override {
    return make_error(ErrorKind::kInvalid, "backup-unsupported",
                      "Sikkerhetskopi støttes ikke for PostgreSQL her",
                      "Sikkerhetskopi av PostgreSQL tas med pg_dump.", {},
                      "backup_to(" + target_path + ") is not supported by the PostgreSQL store");
  }

  // PostgreSQL's autovacuum does the housekeeping; idle connections are closed by the pool.
  void maintenance() override {}

 private:
  enum Mode { kRead, kWrite };

  /// Runs `body` in one transaction on a pooled session: commits when it returns a value,
  /// rolls back when it returns an error. Serialization failures, deadlocks, a connection
  /// lost before COMMIT and RestartTransaction run it again (bounded); any other exception
  /// becomes kUnavailable with the cause for the log.
  template <typename T, typename Body>
  Result<T> run(Mode mode, const char* what, Body&& body) {
    std::string failure;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      if (attempt > 1) pause_before_retry(attempt);
      try {
        ConnectionPool::Lease lease(*pool_);
        Poco::Data::Session& session = lease.session();
        bool committing = false;
        try {
          session.begin();
          Tx tx(session);
          // Reads see one snapshot across their statements; writes are durable at COMMIT
          // even if the server's default says otherwise.
          tx.exec(mode == kRead ? "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                                : "SET LOCAL synchronous_commit TO on");
          Result<T> result = body(tx);
          if (!result.ok()) {
            session.rollback();
            return result;
          }
          committing = true;
          commit(session);
          return result;
        } catch (const RestartTransaction&) {
          roll_back_quietly(session);
          failure = "the transaction had to start over too often";
        } catch (const std::exception& e) {
          roll_back_quietly(session);
          failure = describe(e);
          // A COMMIT that failed may or may not have happened: never repeat it.
          const bool again = !committing && (is_transient(failure) || !session.isConnected());
          if (!again) return unavailable(std::string(what) + ": " + failure);
        }
      } catch (const std::exception& e) {  // no session: pool exhausted or server unreachable
        return unavailable(std::string(what) + ": " + describe(e));
      }
    }
    return unavailable(std::string(what) + ": gave up after " + std::to_string(kMaxAttempts) +
                       " attempts: " + failure);
  }

  static void commit(Poco::Data::Session& session) {
    try {
      session.commit();
    } catch (...) {
      // Poco clears its transaction flag once COMMIT succeeded and only then frees the
      // statements prepared in the transaction; a failure there is not a failed commit.
      if (!session.isTransaction()) return;
      throw;
    }
  }

  static void roll_back_quietly(Poco::Data::Session& session) {
    try {
      if (session.isConnected()) session.rollback();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the error that led here is reported
    }
  }

  static void pause_before_retry(int attempt) {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(0, 10 * attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt + jitter(random)));
  }

  static int current_version(Tx& tx) {
    const auto rows = tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return static_cast<int>(to_int64(rows.at(0).at(0)));
  }

  /// Applies the pending migrations under a database-wide advisory lock, so that nodes
  /// starting together take turns: the first migrates, the others find nothing left to do.
  /// PostgreSQL's DDL is transactional, so all pending migrations and their bookkeeping rows
  /// commit together: a crash leaves the old schema or the new one, never half of one.
  void migrate() {
    ConnectionPool::Lease lease(*pool_);
    Poco::Data::Session& session = lease.session();
    try {
      session.begin();
      Tx tx(session);
      tx.exec("SET LOCAL synchronous_commit TO on");
      tx.query(std::string("SELECT 1 FROM pg_advisory_xact_lock(") + kMigrationLockKey + ")");
      if (tx.query("SELECT to_regclass('schema_migrations')::text").at(0).at(0).empty()) {
        tx.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)");
      }
      const int have = current_version(tx);
      if (have > postgresql_latest_schema_version()) {
        throw std::runtime_error("the PostgreSQL database has schema version " +
                                 std::to_string(have) + ", newer than this build knows (" +
                                 std::to_string(postgresql_latest_schema_version()) +
                                 "); refusing to touch it");
      }
      for (const auto& m : migrations()) {
        if (m.version <= have) continue;
        for (const auto& statement : m.statements) tx.exec(statement);
        tx.exec(std::string("INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                            "($1, $2, ") +
                    kNow + ")",
                {std::to_string(m.version), m.name});
      }
      commit(session);
    } catch (const std::runtime_error&) {
      roll_back_quietly(session);
      throw;
    } catch (const std::exception& e) {
      roll_back_quietly(session);
      throw std::runtime_error("PostgreSQL migration failed: " + describe(e));
    }
  }

  static std::optional<DeviationRecord> load_deviation(Tx& tx, const std::string& id) {
    const auto rows = tx.query(
        std::string("SELECT ") + kDeviationColumns + " FROM deviations d WHERE d.id = $1", {id});
    if (rows.empty()) return std::nullopt;
    std::vector<DeviationRecord> one{read_deviation(rows[0])};
    load_children(tx, one);
    return std::move(one[0]);
  }

  /// Participants, actions and comments of `records`, three queries for the whole page.
  static void load_children(Tx& tx, std::vector<DeviationRecord>& records) {
    if (records.empty()) return;
    std::map<std::string, DeviationRecord*> by_id;
    Params ids;
    for (auto& r : records) {
      by_id[r.id] = &r;
      ids.push_back(r.id);
    }
    const std::string in = "(" + placeholders(1, ids.size()) + ")";
    for (const auto& row :
         tx.query("SELECT deviation_id, unit_id FROM deviation_participants WHERE deviation_id "
                  "IN " +
                      in + " ORDER BY deviation_id, position",
                  ids)) {
      by_id.at(row[0])->participants.push_back(row[1]);
    }
    for (const auto& row :
         tx.query("SELECT deviation_id, action_no, owner_unit, description, due_date, done_date, "
                  "created_by, created_at FROM deviation_actions WHERE deviation_id IN " +
                      in + " ORDER BY deviation_id, action_no",
                  ids)) {
      Cursor c(row, 1);
      DeviationAction a;
      a.action_no = c.int64();
      a.owner_unit = c.text();
      a.description = c.text();
      a.due_date = c.text();
      a.done_date = c.text();
      a.created_by = c.text();
      a.created_at = c.text();
      by_id.at(row[0])->actions.push_back(std::move(a));
    }
    for (const auto& row :
         tx.query("SELECT deviation_id, comment_no, author, text, created_at FROM "
                  "deviation_comments WHERE deviation_id IN " +
                      in + " ORDER BY deviation_id, comment_no",
                  ids)) {
      Cursor c(row, 1);
      DeviationComment comment;
      comment.comment_no = c.int64();
      comment.author = c.text();
      comment.text = c.text();
      comment.created_at = c.text();
      by_id.at(row[0])->comments.push_back(std::move(comment));
    }
  }

  static void write_participants(Tx& tx, const std::string& id,
                                 const std::vector<std::string>& units) {
    tx.exec("DELETE FROM deviation_participants WHERE deviation_id = $1", {id});
    int position = 0;
    for (const auto& unit : units) {
      tx.exec(
          "INSERT INTO deviation_participants (deviation_id, unit_id, position) "
          "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          {id, unit, std::to_string(position++)});
    }
  }

  static void write_actions(Tx& tx, const std::string& id,
                            const std::vector<DeviationAction>& actions) {
    tx.exec("DELETE FROM deviation_actions WHERE deviation_id = $1", {id});
    for (const auto& a : actions) {
      tx.exec(
          "INSERT INTO deviation_actions (deviation_id, action_no, owner_unit, description, "
          "due_date, done_date, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {id, std::to_string(a.action_no), a.owner_unit, a.description, a.due_date, a.done_date,
           a.created_by, a.created_at});
    }
  }

  /// Comments are never changed: those already stored (by number) stay as they are.
  static void write_new_comments(Tx& tx, const std::string& id,
                                 const std::vector<DeviationComment>& comments) {
    for (const auto& c : comments) {
      tx.exec(
          "INSERT INTO deviation_comments (deviation_id, comment_no, author, text, created_at) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
          {id, std::to_string(c.comment_no), c.author, c.text, c.created_at});
    }
  }

  /// Appends `events` to the avvik's chain: seq and prev_hash continue from the last stored
  /// event (or 1 and the genesis hash), hash = event_chain_hash. The caller holds the avvik's
  /// row lock (or has just inserted it), so no other node appends meanwhile.
  static void append_events(Tx& tx, const std::string& id,
                            const std::vector<DeviationEvent>& events) {
    if (events.empty()) return;
    const auto last = tx.query(
        "SELECT seq, hash FROM deviation_events WHERE deviation_id = $1 ORDER BY seq DESC "
        "LIMIT 1",
        {id});
    std::int64_t seq = last.empty() ? 0 : to_int64(last[0][0]);
    std::string prev_hash = last.empty() ? std::string(kGenesisHash) : last[0][1];
    for (const auto& in : events) {
      DeviationEvent event = in;
      event.seq = ++seq;
      event.prev_hash = prev_hash;
      event.hash = event_chain_hash(id, event);
      tx.exec(
          "INSERT INTO deviation_events (deviation_id, seq, at, actor, kind, data_json, "
          "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {id, std::to_string(event.seq), event.at, event.actor, event.kind, event.data_json,
           event.prev_hash, event.hash});
      prev_hash = std::move(event.hash);
    }
  }

  /// The outcome of one delivery attempt (finish_outbox): status, attempts,
  /// next_attempt_epoch, last_error and delivered_at of the message with `message.id`. False
  /// when there is no such message.
  static bool write_outbox_outcome(Tx& tx, const OutboxMessage& message) {
    return tx.exec(
               "UPDATE outbox SET status = $2, attempts = $3, next_attempt_epoch = $4, "
               "last_error = $5, delivered_at = $6 WHERE id = $1",
               {std::to_string(message.id), message.status, std::to_string(message.attempts),
                std::to_string(message.next_attempt_epoch), message.last_error,
                message.delivered_at}) == 1;
  }

  /// Inserts messages; a dedupe key already stored (or earlier in `messages`) is skipped.
  static void insert_outbox(Tx& tx, const std::vector<OutboxMessage>& messages) {
    for (const auto& m : messages) {
      const std::string status = m.status.empty() ? "pending" : m.status;
      if (auto bad = check_outbox_status(status)) throw std::runtime_error(bad->log_message);
      tx.exec(std::string("INSERT INTO outbox (topic, dedupe_key, payload_json, status, "
                          "attempts, next_attempt_epoch, last_error, created_at, delivered_at) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE(NULLIF($8, ''), ") +
                  kNow + "), $9) ON CONFLICT (dedupe_key) DO NOTHING",
              {m.topic, m.dedupe_key, m.payload_json, status, std::to_string(m.attempts),
               std::to_string(m.next_attempt_epoch), m.last_error, m.created_at, m.delivered_at});
    }
  }

  ConnectorRegistration connector_;  // outlives pool_, whose sessions it creates
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace

int postgresql_latest_schema_version() { return migrations().back().version; }

std::unique_ptr<Store> open_postgresql_store(const std::string& conninfo) {
  return std::make_unique<PostgresqlStore>(conninfo);
}

}  // namespace boligflyt::store

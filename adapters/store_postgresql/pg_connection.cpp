#include "store_postgresql/pg_connection.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace boligflyt::store::postgresql {
namespace {

// Times as the SQLite store writes them: UTC, milliseconds, "Z".
constexpr sql::Dialect kDialect{
    .backend = "postgresql",
    .now = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    // Several nodes write at once: row locks instead of SQLite's single writer.
    .for_update = " FOR UPDATE",
    .skip_locked = " FOR UPDATE SKIP LOCKED",
    .closure_seconds =
        "(CASE WHEN d.status = 'lukket' AND d.closed_epoch > 0 THEN d.closed_epoch - "
        "d.created_epoch END)",
    .next_receipt_seq = "DEFAULT",  // an identity column: safe with concurrent writers
    .index_hints = false,
};

constexpr Oid kTextOid = 25;
constexpr Oid kInt8Oid = 20;
constexpr Oid kBoolOid = 16;
constexpr std::size_t kCacheSize = 256;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

[[noreturn]] void fail(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  if (message.empty()) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw sql::DatabaseError("postgresql " + std::string(what) + ": " + message +
                               (state ? std::string(" (SQLSTATE ") + state + ")" : ""),
                           state ? state : "");
}

}  // namespace

std::string to_dollar_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int number = highest + 1;
    if (end > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + end, number);
    highest = std::max(highest, number);
    out += '$' + std::to_string(number);
    i = end - 1;
  }
  return out;
}

class PgConnection::Stmt final : public sql::Statement {
 public:
  Stmt(PGconn* conn, std::string sql, std::string name)
      : conn_(conn), sql_(std::move(sql)), name_(std::move(name)) {}

  void bind(int index, std::string_view text) override { set(index, std::string(text), kTextOid); }
  void bind(int index, std::int64_t value) override { set(index, std::to_string(value), kInt8Oid); }
  void bind(int index, bool value) override { set(index, value ? "true" : "false", kBoolOid); }

  bool next() override {
    if (!result_) execute();
    return ++row_ < PQntuples(result_.get());
  }
  std::string text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  std::int64_t int64(int column) const override {
    const char* p = PQgetvalue(result_.get(), row_, column);
    std::int64_t value = 0;
    std::from_chars(p, p + PQgetlength(result_.get(), row_, column), value);
    return value;
  }
  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }
  std::int64_t changes() const override {
    const char* n = result_ ? PQcmdTuples(result_.get()) : "";
    std::int64_t value = 0;
    std::from_chars(n, n + std::char_traits<char>::length(n), value);
    return value;
  }
  void reset() override {
    result_.reset();
    row_ = -1;
    values_.clear();
    types_.clear();
    in_use = false;
  }

  bool in_use = false;  // between prepare() and reset(): a nested use gets its own statement

 private:
  void set(int index, std::string value, Oid type) {
    const auto i = static_cast<std::size_t>(index - 1);
    if (values_.size() <= i) {
      values_.resize(i + 1);
      types_.resize(i + 1, kTextOid);
    }
    values_[i] = std::move(value);
    types_[i] = type;
  }

  void execute() {
    std::vector<const char*> values;
    values.reserve(values_.size());
    for (const auto& v : values_) values.push_back(v.c_str());
    const int n = static_cast<int>(values.size());
    if (name_.empty()) {
      result_.reset(
          PQexecParams(conn_, sql_.c_str(), n, types_.data(), values.data(), nullptr, nullptr, 0));
    } else {
      if (!prepared_) {
        ResultPtr prepared(PQprepare(conn_, name_.c_str(), sql_.c_str(), n, types_.data()),
                           &PQclear);
        if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
          fail(conn_, prepared.get(), "prepare");
        }
        prepared_ = true;
      }
      result_.reset(PQexecPrepared(conn_, name_.c_str(), n, values.data(), nullptr, nullptr, 0));
    }
    const auto status = PQresultStatus(result_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      ResultPtr failed = std::move(result_);
      result_.reset();
      fail(conn_, failed.get(), "statement");
    }
    row_ = -1;
  }

  PGconn* conn_;
  std::string sql_;
  std::string name_;  // "" = unnamed, prepared anew each time (SQL past the cache)
  bool prepared_ = false;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  ResultPtr result_{nullptr, &PQclear};
  int row_ = -1;
};

PgConnection::PgConnection(const std::string& conninfo) {
  // libpq's parse errors quote the string, which may hold a password: check it first.
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (options == nullptr) {
    throw std::runtime_error(
        "the PostgreSQL connection string cannot be parsed (not shown: it may hold a password)");
  }
  PQconninfoFree(options);
  // Defaults that keep a node from hanging at start-up and name it in pg_stat_activity; the
  // connection string (expanded from dbname) overrides them.
  const std::array<const char*, 4> keywords = {"connect_timeout", "application_name", "dbname",
                                               nullptr};
  const std::array<const char*, 4> values = {"10", "boligflyt", conninfo.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names host, port, database and user, never the password.
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn_);
    throw std::runtime_error("cannot connect to PostgreSQL: " + message);
  }
  // Notices (CREATE … IF NOT EXISTS of something that exists) are not errors: keep them out of
  // the host's stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  transient_.clear();
  cache_.clear();
  PQfinish(conn_);
}

const sql::Dialect& PgConnection::dialect() const { return kDialect; }

const sql::Dialect& PgConnection::static_dialect() { return kDialect; }

sql::Statement& PgConnection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end() && cache_.size() < kCacheSize) {
    auto st = std::make_unique<Stmt>(conn_, to_dollar_placeholders(sql),
                                     "s" + std::to_string(++next_name_));
    it = cache_.emplace(std::string(sql), std::move(st)).first;
  }
  Stmt* st = nullptr;
  if (it != cache_.end() && !it->second->in_use) {
    st = it->second.get();
  } else {
    st = transient_.emplace_back(std::make_unique<Stmt>(conn_, to_dollar_placeholders(sql), ""))
             .get();
  }
  st->in_use = true;
  return *st;
}

void PgConnection::execute_script(std::string_view sql) {
  const std::string text(sql);
  ResultPtr result(PQexec(conn_, text.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn_, result.get(), "exec");
}

void PgConnection::release_transient() { transient_.clear(); }

}  // namespace boligflyt::store::postgresql

#include "list_bench.h"

#include <sqlite3.h>

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "support/http_client.h"

namespace boligflyt::bench {
namespace {

namespace e2e = boligflyt::e2e;
using SteadyClock = std::chrono::steady_clock;

std::string hex(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += digits[c >> 4U];
    out += digits[c & 0xFU];
  }
  return out;
}

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

/// A read-only connection to the seeded file, beside the running host (WAL: no locking out).
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + file.string() + ": " + message);
    }
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  /// Runs `sql` to its end, reading every column of every row as a client would; the rows.
  std::size_t run(const std::string& sql, std::string& error) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_);
      return 0;
    }
    std::size_t rows = 0;
    std::size_t bytes = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ++rows;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        sqlite3_column_text(st, i);
        bytes += static_cast<std::size_t>(sqlite3_column_bytes(st, i));
      }
    }
    if (rc != SQLITE_DONE) error = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    bytes_read_ += bytes;
    return rows;
  }

  /// The first column of the first row, as text ("" when none).
  std::string first(const std::string& sql, std::string& error) {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      if (text) out = text;
      for (int i = 1; i < sqlite3_column_count(st); ++i) {
        const auto* more = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        out += "\n" + std::string(more ? more : "");
      }
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  std::size_t bytes_read_ = 0;  // what the columns held: read, as a client reads them
};

/// Up to `samples` timings after one cold run, stopping once `budget` is spent; a query slower
/// than the budget is measured once, cold (the benchmark must stay within minutes).
template <typename Run>
Summary timed(std::size_t samples, std::chrono::duration<double> budget, Run run) {
  std::vector<double> ms;
  const auto started = SteadyClock::now();
  for (std::size_t i = 0; i <= samples; ++i) {
    if (i > 1 && SteadyClock::now() - started > budget) break;
    const auto t0 = SteadyClock::now();
    const bool ok = run();
    const double elapsed =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    if (i > 0 && ok) ms.push_back(elapsed);
    if (i == 0 && ok && t0 + budget < SteadyClock::now()) {
      ms.push_back(elapsed);  // slower than the whole budget: its one (cold) run is the figure
      break;
    }
  }
  return summarize(std::move(ms));
}

}  // namespace

std::vector<ListCase> list_cases(const std::string& unit, const std::string& step,
                                 const std::string& month, std::int64_t now_epoch) {
  const std::string created = "d.created_epoch DESC, d.id DESC";
  const std::string in_unit = "(d.responsible_unit = '" + unit +
                              "' OR d.id IN (SELECT deviation_id FROM deviation_participants "
                              "WHERE unit_id = '" +
                              unit + "'))";
  const std::string now = std::to_string(now_epoch);
  const std::string overdue = "((d.status = 'registrert' AND d.receive_due_epoch < " + now +
                              ") OR (d.status NOT IN ('registrert', 'lukket', 'avvist') AND "
                              "d.close_due_epoch < " +
                              now + "))";
  const std::string from = month + "-01";
  const std::string to = month + "-28";
  const std::string dates = "d.incident_date >= '" + from + "' AND d.incident_date <= '" + to + "'";
  return {
      {"(no filter)", "", "1 = 1", created, true},
      {"status=mottatt", "status=mottatt", "d.status = 'mottatt'", created, true},
      {"status=lukket", "status=lukket", "d.status = 'lukket'", created, true},
      {"unit=" + unit, "unit=" + unit, in_unit, created, true},
      {"step_id=" + step, "step_id=" + step, "d.step_id = '" + step + "'", created, true},
      {"category=uklart_ansvar", "category=uklart_ansvar", "d.category = 'uklart_ansvar'", created,
       true},
      {"severity=kritisk", "severity=kritisk", "d.severity = 'kritisk'", created, true},
      {"from/to: " + from + ".." + to, "from=" + from + "&to=" + to, dates, created, true},
      {"overdue=true", "overdue=true", overdue, created, true},
      {"status=mottatt&unit=" + unit, "status=mottatt&unit=" + unit,
       "d.status = 'mottatt' AND " + in_unit, created, true},
      {"unit=" + unit + "&category=uklart_ansvar", "unit=" + unit + "&category=uklart_ansvar",
       in_unit + " AND d.category = 'uklart_ansvar'", created, true},
      {"status=lukket&severity=kritisk", "status=lukket&severity=kritisk",
       "d.status = 'lukket' AND d.severity = 'kritisk'", created, true},
      {"unit=" + unit + "&from/to (a month)", "unit=" + unit + "&from=" + from + "&to=" + to,
       in_unit + " AND " + dates, created, true},
      {"step_id&status=lukket", "step_id=" + step + "&status=lukket",
       "d.step_id = '" + step + "' AND d.status = 'lukket'", created, true},
      {"overdue=true&unit=" + unit, "overdue=true&unit=" + unit, overdue + " AND " + in_unit,
       created, true},
      {"sort=-updated", "sort=-updated", "1 = 1", "d.updated_at DESC, d.id DESC", false},
      {"sort=incident_date", "sort=incident_date", "1 = 1", "d.incident_date ASC, d.id ASC", false},
      {"sort=-severity&status=mottatt", "sort=-severity&status=mottatt", "d.status = 'mottatt'",
       "d.severity_rank DESC, d.id DESC", false},
      {"sort=id&unit=" + unit, "sort=id&unit=" + unit, in_unit, "d.id ASC", false},
  };
}

std::vector<ListFigures> measure_lists(std::uint16_t port, const std::string& token,
                                       const std::filesystem::path& database,
                                       const std::vector<ListCase>& cases, std::size_t samples,
                                       std::chrono::duration<double> budget) {
  RawDatabase raw(database);
  e2e::HttpConnection http(port, std::chrono::seconds(120));
  const e2e::Headers auth = e2e::bearer(token);
  std::vector<ListFigures> out;
  for (const auto& c : cases) {
    ListFigures f;
    f.label = c.label;
    f.deep = c.deep;
    std::string error;
    f.matches =
        std::stoll("0" + raw.first("SELECT count(*) FROM deviations d WHERE " + c.where, error));
    const auto api = [&](const std::string& target) {
      return [&, target] {
        const auto r = http.request("GET", target, auth);
        if (r.status != 200 && f.failure.empty()) {
          f.failure = "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
        }
        return r.status == 200;
      };
    };
    const auto sql = [&](const std::string& text) {
      return [&, text] {
        std::string e;
        raw.run(text, e);
        if (!e.empty() && f.failure.empty()) f.failure = "SQLite: " + e;
        return e.empty();
      };
    };
    const std::string base = "/api/v1/deviations?limit=50" + (c.api.empty() ? "" : "&" + c.api);
    const std::string page =
        "SELECT * FROM deviations d WHERE " + c.where + " ORDER BY " + c.order + " LIMIT 51";
    f.api_first = timed(samples, budget, api(base));
    f.raw_first = timed(samples, budget, sql(page));
    if (c.deep && f.matches > 100) {
      // The row in the middle of the matches; the next page starts after it.
      const std::string middle =
          raw.first("SELECT created_epoch, id FROM deviations d WHERE " + c.where + " ORDER BY " +
                        c.order + " LIMIT 1 OFFSET " + std::to_string(f.matches / 2),
                    error);
      const auto newline = middle.find('\n');
      if (newline != std::string::npos) {
        const std::string epoch = middle.substr(0, newline);
        const std::string id = middle.substr(newline + 1);
        f.api_deep =
            timed(samples, budget, api(base + "&cursor=" + hex("-created\n" + epoch + "\n" + id)));
        f.raw_deep = timed(
            samples, budget,
            sql("SELECT * FROM deviations d WHERE " + c.where + " AND (d.created_epoch, d.id) < (" +
                epoch + ", '" + id + "') ORDER BY " + c.order + " LIMIT 51"));
      }
    }
    if (!error.empty() && f.failure.empty()) f.failure = "SQLite: " + error;
    std::printf(
        "[list_bench] %-44s first p99 %8.2f ms (SQL %8.2f)  deep p99 %8.2f ms (SQL %8.2f)\n",
        f.label.c_str(), f.api_first.p99, f.raw_first.p99, f.api_deep.p99, f.raw_deep.p99);
    std::fflush(stdout);
    out.push_back(std::move(f));
  }
  return out;
}

std::string list_report(const std::vector<ListFigures>& figures) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "   %-40s %9s | %-27s | %-27s\n", "", "", "first page, p99 ms",
                "middle page, p99 ms");
  out += line;
  std::snprintf(line, sizeof line, "   %-40s %9s | %8s %8s %9s | %8s %8s %9s\n", "filter / sort",
                "matches", "HTTP", "SQL", "HTTP/SQL", "HTTP", "SQL", "HTTP/SQL");
  out += line;
  const auto ratio = [](const Summary& a, const Summary& b) {
    return a.n > 0 && b.n > 0 && b.p99 > 0 ? fmt(a.p99 / b.p99) + "x" : std::string("-");
  };
  for (const auto& f : figures) {
    const bool deep = f.api_deep.n > 0;
    std::snprintf(line, sizeof line, "   %-40s %9lld | %8s %8s %9s | %8s %8s %9s\n",
                  f.label.c_str(), static_cast<long long>(f.matches), fmt(f.api_first.p99).c_str(),
                  fmt(f.raw_first.p99).c_str(), ratio(f.api_first, f.raw_first).c_str(),
                  deep ? fmt(f.api_deep.p99).c_str() : "-",
                  deep ? fmt(f.raw_deep.p99).c_str() : "-",
                  deep ? ratio(f.api_deep, f.raw_deep).c_str() : "-");
    out += line;
    if (!f.failure.empty()) out += "     error: " + f.failure + "\n";
  }
  out +=
      "   (SQL: the same page (50 + 1 rows, every column) from one hand-written query in SQLite "
      "on the same file, same run; HTTP: the API's page with its children and JSON, as "
      "kvalitetsleder. Middle page: the keyset cursor of the row at half the matches.)\n";
  return out;
}

}  // namespace boligflyt::bench

// Avvik over real HTTP: how many registrations per second the reference host makes durable,
// and how fast the list and statistics answer with a million avvik in the store. Every figure
// is printed beside a reference measured in the same run on the same machine:
//
//   1. POST /api/v1/deviations from 64 keep-alive connections (201 = durably committed), beside
//      raw SQLite committing one-row transactions with the store's durability (WAL,
//      synchronous=FULL) from one writer for the same time: the floor a SQLite store sits on.
//   2. List pages and statistics with 1 000 000 avvik (seeded straight into the host's SQLite
//      file while it is stopped), beside the same requests against the empty store at the
//      start of the run, and GET /healthz as the transport floor.
//   3. The host's resident memory at each stage, beside its idle figure.
//
// Nothing here is judged: the exit code is non-zero only when something did not work at all
// (the host did not start, no registration succeeded, seeding failed, a request type never
// answered 200). The report goes to stdout and, with --output, to a file.
//
// usage: deviation_bench [--duration=8] [--warmup=1] [--connections=64] [--threads=1]
//                        [--rows=1000000] [--samples=200] [--budget=10] [--output=FILE]
//                        [--keep-database=FILE]  (a copy of the seeded store, to inspect)
//                        [--registration-only]   (section 1 and its raw reference; to profile)
//                        [--postgresql=on|off|only]  (section 5, pg_bench.h; "only" skips the
//                        SQLite phases)

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "deviation_seed.h"
#include "list_bench.h"
#include "load_generator.h"
#include "pg_bench.h"
#include "read_bench.h"
#include "support/child_process.h"
#include "support/host_process.h"
#include "support/http_client.h"

namespace {

namespace fs = std::filesystem;
namespace e2e = boligflyt::e2e;
namespace bench = boligflyt::bench;
using SteadyClock = std::chrono::steady_clock;

// ---- Options ---------------------------------------------------------------------------------

struct Options {
  double duration_s = 8;
  double warmup_s = 1;
  std::size_t connections = 64;
  unsigned threads = 1;
  std::size_t rows = 1'000'000;
  std::size_t samples = 200;
  double budget_s = 10;  // per request type in the list/statistics phases
  std::string output;
  std::string keep_database;       // a copy of the seeded file, for EXPLAIN QUERY PLAN afterwards
  bool registration_only = false;  // stop after section 1: a profile of the write path
  std::string postgresql = "on";   // on | off | only (section 5)
};

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : arg.substr(eq + 1);
    try {
      if (key == "--duration") {
        o.duration_s = std::stod(value);
      } else if (key == "--warmup") {
        o.warmup_s = std::stod(value);
      } else if (key == "--connections") {
        o.connections = std::stoul(value);
      } else if (key == "--threads") {
        o.threads = static_cast<unsigned>(std::stoul(value));
      } else if (key == "--rows") {
        o.rows = std::stoul(value);
      } else if (key == "--samples") {
        o.samples = std::stoul(value);
      } else if (key == "--budget") {
        o.budget_s = std::stod(value);
      } else if (key == "--output") {
        o.output = value;
      } else if (key == "--keep-database") {
        o.keep_database = value;
      } else if (key == "--registration-only") {
        o.registration_only = true;
      } else if (key == "--postgresql" && (value == "on" || value == "off" || value == "only")) {
        o.postgresql = value;
      } else {
        std::fprintf(stderr, "deviation_bench: unknown option %s\n", arg.c_str());
        return false;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "deviation_bench: bad value in %s\n", arg.c_str());
      return false;
    }
  }
  if (o.duration_s <= 0 || o.warmup_s < 0 || o.connections == 0 || o.threads == 0 || o.rows < 2 ||
      o.samples == 0 || o.budget_s <= 0) {
    std::fprintf(stderr, "deviation_bench: options out of range\n");
    return false;
  }
  return true;
}

// ---- Text ------------------------------------------------------------------------------------

__attribute__((format(printf, 1, 2))) std::string format(const char* pattern, ...) {
  va_list args;
  va_start(args, pattern);
  va_list copy;
  va_copy(copy, args);
  const int size = std::vsnprintf(nullptr, 0, pattern, copy);
  va_end(copy);
  std::string out(static_cast<std::size_t>(std::max(size, 0)) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), pattern, args);
  va_end(args);
  out.resize(static_cast<std::size_t>(std::max(size, 0)));
  return out;
}

/// 1000000 -> "1 000 000".
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

std::string mib(double bytes) { return format("%.1f MiB", bytes / (1024.0 * 1024.0)); }

void progress(const std::string& text) {
  static const auto started = SteadyClock::now();
  std::printf("[deviation_bench +%5.1f s] %s\n",
              std::chrono::duration<double>(SteadyClock::now() - started).count(), text.c_str());
  std::fflush(stdout);
}

class Report {
 public:
  void line(const std::string& text = {}) { text_ += text + "\n"; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string hex(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += digits[c >> 4U];
    out += digits[c & 0xFU];
  }
  return out;
}

std::string iso_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return buffer;
}

// ---- Memory ----------------------------------------------------------------------------------

struct ProcessMemory {
  double rss_bytes = -1;
  double peak_bytes = -1;  // VmHWM: the high-water mark since the process started
};

ProcessMemory process_memory(pid_t pid) {
  ProcessMemory m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    const auto kib = [&] { return std::strtod(line.c_str() + line.find(':') + 1, nullptr) * 1024; };
    if (line.starts_with("VmRSS:")) m.rss_bytes = kib();
    if (line.starts_with("VmHWM:")) m.peak_bytes = kib();
  }
  return m;
}

/// User + system CPU time of a process so far (/proc/<pid>/stat), in seconds.
double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // The fields after the command name (which may hold spaces) start after the last ')'.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string memory_text(const ProcessMemory& m) {
  if (m.rss_bytes < 0) return "n/a";
  return "RSS " + mib(m.rss_bytes) + ", peak (VmHWM) " + mib(m.peak_bytes);
}

// ---- Sequential requests ---------------------------------------------------------------------

struct QueryKind {
  std::string label;
  bool authenticated = true;
  std::function<std::string()> target;
  std::function<void(const e2e::HttpResult&)> after;  // e.g. follow next_cursor
};

struct QueryFigures {
  std::size_t n = 0;  // measured 200s, the first (cold) request not included
  double first_ms = 0;
  bench::Summary summary;
  std::size_t ok = 0;
  std::size_t failures = 0;
  std::string failure_sample;
  std::size_t bytes = 0;  // body of the last response
  std::string last_body;
};

/// The first request of a kind (cold: the pages it reads may not be cached yet) is reported
/// apart; then up to `samples` more, stopping early once `budget` is spent (at least two).
QueryFigures measure(e2e::HttpConnection& connection, const std::string& token,
                     const QueryKind& kind, std::size_t samples,
                     std::chrono::duration<double> budget) {
  QueryFigures f;
  const e2e::Headers headers = kind.authenticated ? e2e::bearer(token) : e2e::Headers{};
  std::vector<double> latencies;
  const auto started = SteadyClock::now();
  for (std::size_t i = 0; i <= samples; ++i) {
    if (i > 2 && SteadyClock::now() - started > budget) break;
    const std::string target = kind.target();
    const auto t0 = SteadyClock::now();
    auto result = connection.request("GET", target, headers);
    const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    if (result.status == 200) {
      ++f.ok;
    } else {
      ++f.failures;
      if (f.failure_sample.empty()) {
        f.failure_sample = "HTTP " + std::to_string(result.status) + " " + result.error + " " +
                           result.body.substr(0, 300);
      }
    }
    if (i == 0) {
      f.first_ms = ms;
    } else if (result.status == 200) {  // a quick error must not flatter the figures
      latencies.push_back(ms);
    }
    f.bytes = result.body.size();
    if (kind.after) kind.after(result);
    f.last_body = std::move(result.body);
  }
  f.summary = bench::summarize(std::move(latencies));
  f.n = f.summary.n;
  return f;
}

/// The request types of the list/statistics phases, as kvalitetsleder (who sees all).
/// `deep_cursor` is the cursor of a page far into the list (a made-up one on the empty store).
std::vector<QueryFigures> measure_queries(std::uint16_t port, const std::string& token,
                                          const std::string& deep_cursor,
                                          const std::string& stats_year, const Options& o,
                                          std::vector<std::string>* labels) {
  e2e::HttpConnection connection(port, std::chrono::seconds(120));
  std::string walk_cursor;
  const auto cursor_of = [](const e2e::HttpResult& r) -> std::string {
    const auto next = e2e::json_at(r.body, "/next_cursor");
    return next && *next != "null" ? *next : std::string();
  };
  const std::string list = "/api/v1/deviations?limit=50";
  const std::vector<QueryKind> kinds = {
      {"GET /healthz (floor: transport + store ping)", false, [] { return "/healthz"; }, {}},
      {"list, first page: ?limit=50", true, [&] { return std::string(list); }, {}},
      {"list, filtered: ?limit=50&status=mottatt&unit=nav",
       true,
       [&] { return list + "&status=mottatt&unit=nav"; },
       {}},
      {"list, next pages: following next_cursor (pages 2..)", true,
       [&] { return list + "&cursor=" + (walk_cursor.empty() ? deep_cursor : walk_cursor); },
       [&](const e2e::HttpResult& r) { walk_cursor = cursor_of(r); }},
      {"list, deep page: cursor at the middle of the list",
       true,
       [&] { return list + "&cursor=" + deep_cursor; },
       {}},
      {"statistics: /api/v1/statistics/deviations",
       true,
       [] { return std::string("/api/v1/statistics/deviations"); },
       {}},
      {"statistics, from/to one year: ?from=" + stats_year + "-01-01&to=" + stats_year + "-12-31",
       true,
       [&] {
         return "/api/v1/statistics/deviations?from=" + stats_year + "-01-01&to=" + stats_year +
                "-12-31";
       },
       {}},
  };
  std::vector<QueryFigures> out;
  for (const auto& kind : kinds) {
    if (labels) labels->push_back(kind.label);
    if (kind.after) {
      // The walk starts where a client starts: the first page's next_cursor (not measured).
      walk_cursor = cursor_of(connection.request("GET", list, e2e::bearer(token)));
    }
    out.push_back(
        measure(connection, token, kind, o.samples, std::chrono::duration<double>(o.budget_s)));
    progress(format("  %-62s n=%zu median %.2f ms", kind.label.c_str(), out.back().n,
                    out.back().summary.median));
  }
  return out;
}

// ---- The raw SQLite reference ----------------------------------------------------------------

struct RawFigures {
  std::uint64_t commits = 0;        // in the window
  std::uint64_t total_commits = 0;  // warm-up included
  double seconds = 0;
  bench::Summary latency;
  std::string journal_mode;
  std::string error;
};

/// One writer committing one-row transactions (BEGIN IMMEDIATE, INSERT, COMMIT, as the store
/// writes) into a fresh file with the store's durability settings.
RawFigures raw_sqlite_commits(const fs::path& file, std::chrono::duration<double> warmup,
                              std::chrono::duration<double> duration, const std::string& payload) {
  RawFigures f;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    f.error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return f;
  }
  const auto exec = [&](const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  };
  sqlite3_stmt* mode = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &mode, nullptr) == SQLITE_OK &&
      sqlite3_step(mode) == SQLITE_ROW) {
    f.journal_mode = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
  }
  sqlite3_finalize(mode);
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* commit = nullptr;
  if (!exec("PRAGMA synchronous=FULL") ||
      !exec("CREATE TABLE registrations (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL "
            "UNIQUE, payload TEXT NOT NULL)") ||
      sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO registrations (idempotency_key, payload) VALUES (?1, ?2)",
                         -1, &insert, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr) != SQLITE_OK) {
    f.error = sqlite3_errmsg(db);
  }
  std::vector<double> latencies;
  const auto t0 = SteadyClock::now();
  const auto window_start = t0 + std::chrono::duration_cast<SteadyClock::duration>(warmup);
  const auto end = window_start + std::chrono::duration_cast<SteadyClock::duration>(duration);
  for (std::uint64_t i = 0; f.error.empty(); ++i) {
    const auto started = SteadyClock::now();
    if (started >= end) break;
    const std::string key = "raw-" + std::to_string(i);
    sqlite3_bind_text(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
    const bool ok = sqlite3_step(begin) == SQLITE_DONE && sqlite3_step(insert) == SQLITE_DONE &&
                    sqlite3_step(commit) == SQLITE_DONE;
    sqlite3_reset(begin);
    sqlite3_reset(insert);
    sqlite3_reset(commit);
    if (!ok) {
      f.error = sqlite3_errmsg(db);
      break;
    }
    const auto finished = SteadyClock::now();
    ++f.total_commits;
    if (started >= window_start && finished <= end) {
      ++f.commits;
      latencies.push_back(std::chrono::duration<double, std::milli>(finished - started).count());
    }
  }
  f.seconds = std::chrono::duration<double>(duration).count();
  f.latency = bench::summarize(std::move(latencies));
  sqlite3_finalize(begin);
  sqlite3_finalize(insert);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  return f;
}

std::uintmax_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? 0 : size;
}

// ---- The run ---------------------------------------------------------------------------------

class Bench {
 public:
  explicit Bench(Options options) : o_(std::move(options)) {}

  int run() {
    load_at_start_ = load_average();
    const int code = run_phases();
    finish_report(code);
    return code;
  }

 private:
  int fail(const std::string& why) {
    progress("FAILED: " + why);
    report_.line();
    report_.line("NOT DONE: " + why);
    return 1;
  }

  std::unique_ptr<e2e::HostProcess> start_host(std::string& failure, double& seconds) {
    e2e::HostOptions options;
    options.data_dir = data_dir();
    const auto t0 = SteadyClock::now();
    auto host = e2e::HostProcess::start(options, temp_.path(), failure, std::chrono::seconds(120));
    seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    return host;
  }

  fs::path data_dir() const { return temp_.path() / "data"; }

  int run_phases() {
    const std::time_t now = std::time(nullptr);
    const fs::path procedures = fs::path(BOLIGFLYT_SOURCE_DIR) / "procedures";
    const fs::path procedure_dir = procedures / "boligflytprosedyre";

    // Versions in force some time in the last three years, oldest first.
    std::vector<bench::ProcedureVersionInfo> versions;
    for (const auto& entry : fs::directory_iterator(procedure_dir)) {
      const auto name = entry.path().filename().string();
      if (!name.starts_with("boligflytprosedyre-") || entry.path().extension() != ".xml") continue;
      auto info = bench::read_procedure_version(entry.path());
      if (info.effective_from <= iso_date(now)) versions.push_back(std::move(info));
    }
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.effective_from < b.effective_from; });
    const auto v3 = std::find_if(versions.begin(), versions.end(),
                                 [](const auto& v) { return v.version == "3.0"; });
    if (v3 == versions.end()) return fail("procedures/boligflytprosedyre-3.0.xml not found");
    const std::string step_id = v3->steps.front().id;
    // Yesterday (UTC) is never in the future in Norway; not before 3.0 came into force.
    const std::string incident_date = std::max(iso_date(now - 86400), v3->effective_from);
    const auto units = bench::read_unit_ids(procedures / "units.xml");
    if (o_.postgresql == "only") {
      run_postgresql(registration_body(step_id, incident_date));
      return pg_failed_ ? 1 : 0;
    }

    progress("starting boligflyt-host (embedded default config, fresh data folder " +
             data_dir().string() + ")");
    std::string failure;
    double start_seconds = 0;
    auto host = start_host(failure, start_seconds);
    if (!host) return fail("boligflyt-host did not start: " + failure);
    const std::string leader = host->printed_token("leder-boligkontor");
    const std::string quality = host->printed_token("kvalitetsleder");
    if (leader.empty() || quality.empty()) {
      return fail("the host printed no development token for leder-boligkontor or kvalitetsleder");
    }
    memory_.emplace_back("host, empty store, idle after start",
                         process_memory(host->process().pid()));

    // ---- References on the empty store -------------------------------------------------------
    const std::string stats_year = iso_date(now - 365 * 86400).substr(0, 4);
    const std::string made_up_cursor =
        hex("-created\n" + std::to_string(now) + "\nAVVIK-" + iso_date(now).substr(0, 4) + "-0001");
    progress("references: the list/statistics requests against the empty store");
    empty_ = measure_queries(host->port(), quality, made_up_cursor, stats_year, o_, &labels_);

    // ---- Registration load -------------------------------------------------------------------
    const std::string body = registration_body(step_id, incident_date);
    const std::string run_nonce = std::to_string(now) + "-" + std::to_string(getpid());
    bench::LoadOptions load;
    load.port = host->port();
    load.connections = o_.connections;
    load.threads = o_.threads;
    load.warmup = std::chrono::milliseconds(static_cast<long>(o_.warmup_s * 1000));
    load.duration = std::chrono::milliseconds(static_cast<long>(o_.duration_s * 1000));
    load.success_status = 201;
    load.make_request = [&](std::uint64_t sequence) {
      bench::LoadRequest r;
      r.method = "POST";
      r.target = "/api/v1/deviations";
      r.headers = {{"Authorization", "Bearer " + leader},
                   {"Content-Type", "application/json"},
                   {"Idempotency-Key", "bench-" + run_nonce + "-" + std::to_string(sequence)}};
      r.body = body;
      return r;
    };
    progress(
        format("registration load: %zu connections, %.1f s after %.1f s warm-up, step %s, "
               "incident_date %s, host pid %d",
               o_.connections, o_.duration_s, o_.warmup_s, step_id.c_str(), incident_date.c_str(),
               static_cast<int>(host->process().pid())));
    const double host_cpu_before = process_cpu_seconds(host->process().pid());
    const double own_cpu_before = own_cpu_seconds();
    load_ = bench::run_load(load);
    load_host_cpu_s_ = process_cpu_seconds(host->process().pid()) - host_cpu_before;
    load_generator_cpu_s_ = own_cpu_seconds() - own_cpu_before;
    memory_.emplace_back("host, after the references and the load",
                         process_memory(host->process().pid()));
    {
      // What the store holds now: every 201 should be there, and nothing else.
      e2e::HttpConnection c(host->port(), std::chrono::seconds(60));
      // How far the relay got: notifications delivered to the host, and still waiting, as
      // soon as the load has drained (each registration causes one).
      const auto metrics = c.request("GET", "/metrics", e2e::bearer(quality)).body;
      const auto gauge = [&](const std::string& status) {
        const std::string key =
            "boligflyt_outbox_messages{topic=\"notification\",status=\"" + status + "\"} ";
        const auto at = metrics.find(key);
        return at == std::string::npos
                   ? std::string("?")
                   : metrics.substr(at + key.size(), metrics.find('\n', at) - at - key.size());
      };
      notifications_after_load_ = "delivered " + gauge("delivered") + ", pending " +
                                  gauge("pending") + ", dead " + gauge("dead");
      const auto stats = c.request("GET", "/api/v1/statistics/deviations", e2e::bearer(quality));
      stored_after_load_ = e2e::json_at(stats.body, "/total").value_or("?");
    }
    report_load_section(body, step_id);
    if (load_.successes + load_.warmup_successes + load_.late_successes == 0) {
      return fail("no registration got 201");
    }

    progress("stopping the host");
    if (const auto code = host->stop(std::chrono::seconds(60)); code != 0) {
      report_.line(format("  note: the host exited with %d after the load; stderr:\n%s",
                          code ? *code : -1, host->stderr_text().c_str()));
    }
    host.reset();

    // ---- Raw SQLite reference ----------------------------------------------------------------
    progress("reference: raw SQLite one-row commits (WAL, synchronous=FULL)");
    // About what the store keeps of a registration: the request and its hash.
    const std::string payload = body + "{\"request_sha256\":\"" + std::string(64, 'a') + "\"}";
    const double raw_cpu_before = own_cpu_seconds();
    raw_ = raw_sqlite_commits(temp_.path() / "reference.sqlite3",
                              std::chrono::duration<double>(o_.warmup_s),
                              std::chrono::duration<double>(o_.duration_s), payload);
    raw_cpu_s_ = own_cpu_seconds() - raw_cpu_before;
    report_throughput_comparison(payload.size());
    if (!raw_.error.empty()) report_.line("  raw SQLite reference failed: " + raw_.error);
    if (o_.registration_only) return 0;
    if (o_.postgresql == "on") run_postgresql(body);

    // ---- Seeding a million -------------------------------------------------------------------
    const fs::path database = data_dir() / "boligflyt.sqlite3";
    progress("seeding " + grouped(o_.rows) + " avvik into " + database.string());
    bench::SeedOptions seed;
    seed.database = database;
    seed.rows = o_.rows;
    seed.now_epoch = now;
    seed.versions = versions;
    seed.units = units;
    bench::SeedResult seeded;
    std::pair<std::int64_t, std::string> deep_row;
    try {
      const double cpu_before = own_cpu_seconds();
      seeded = bench::seed_deviations(seed);
      seed_cpu_s_ = own_cpu_seconds() - cpu_before;
      deep_row = bench::row_in_default_order(database, (o_.rows + stored_rows()) / 2);
    } catch (const std::exception& e) {
      return fail(std::string("seeding: ") + e.what());
    }
    const auto db_bytes =
        file_size_or_zero(database) + file_size_or_zero(database.string() + "-wal");
    progress(format("seeded in %.1f s; database %s", seeded.seconds,
                    mib(static_cast<double>(db_bytes)).c_str()));
    if (!o_.keep_database.empty()) {
      std::error_code ec;
      fs::copy_file(database, o_.keep_database, fs::copy_options::overwrite_existing, ec);
      progress("copy of the seeded store: " + o_.keep_database +
               (ec ? " FAILED: " + ec.message() : std::string()));
    }

    progress("restarting the host on the seeded store");
    double restart_seconds = 0;
    host = start_host(failure, restart_seconds);
    if (!host) return fail("boligflyt-host did not start on the seeded store: " + failure);
    const std::string quality_1m = host->printed_token("kvalitetsleder");
    memory_.emplace_back("host, 1M store, idle after restart",
                         process_memory(host->process().pid()));

    const std::string deep_cursor =
        hex("-created\n" + std::to_string(deep_row.first) + "\n" + deep_row.second);
    progress("the list/statistics requests with " + grouped(o_.rows) + " avvik");
    full_ = measure_queries(host->port(), quality_1m, deep_cursor, stats_year, o_, nullptr);
    memory_.emplace_back("host, 1M store, after the requests",
                         process_memory(host->process().pid()));

    progress("lists at " + grouped(o_.rows) + " avvik, filter by filter, beside raw SQL");
    lists_ = bench::measure_lists(host->port(), quality_1m, database,
                                  bench::list_cases("nav", step_id, stats_year + "-06", now),
                                  std::min<std::size_t>(o_.samples, 50),
                                  std::chrono::duration<double>(std::min(o_.budget_s, 1.0)));
    progress("reads under load: GET one avvik, /healthz, a cached picture, 304");
    const double read_seconds = std::min(o_.duration_s, 3.0);
    reads_ =
        bench::measure_reads(host->port(), quality_1m, deep_row.second,
                             "/api/v1/procedures/boligflytprosedyre/versions/3.0/diagram.svg", 16,
                             std::chrono::milliseconds(500),
                             std::chrono::milliseconds(static_cast<long>(read_seconds * 1000)));
    memory_.emplace_back("host, 1M store, after lists and read load",
                         process_memory(host->process().pid()));

    report_seed_section(seeded, db_bytes, restart_seconds, deep_row);
    report_query_table();
    report_.line();
    report_.line("-- 2b. Lists at " + grouped(o_.rows) +
                 " avvik, every filter and sort of the API, beside one hand-written SQL query");
    report_.line(bench::list_report(lists_));
    report_.line("-- 4. Reads under load at " + grouped(o_.rows) + " avvik");
    report_.line(bench::read_report(reads_, 16, read_seconds));
    host->stop(std::chrono::seconds(60));
    host.reset();

    for (std::size_t i = 0; i < full_.size(); ++i) {
      if (full_[i].ok == 0) return fail("never got 200 for: " + labels_[i]);
    }
    return pg_failed_ ? 1 : 0;
  }

  static std::string registration_body(const std::string& step_id,
                                       const std::string& incident_date) {
    return "{\"procedure_id\":\"boligflytprosedyre\",\"step_id\":\"" + step_id +
           "\",\"incident_date\":\"" + incident_date +
           "\",\"category\":\"uklart_ansvar\",\"severity\":\"middels\","
           "\"title\":\"Benchmark\",\"description\":\"Målt last\"}";
  }

  /// Section 5 (pg_bench.h); a server that is installed but cannot be used fails the run at
  /// its end, after the SQLite phases.
  void run_postgresql(const std::string& body) {
    progress("PostgreSQL: raw INSERT commits and one/two host nodes on the suite's server");
    bench::PgBenchOptions pg;
    pg.scratch_dir = temp_.path() / "postgresql";
    pg.cluster_script = fs::path(BOLIGFLYT_SOURCE_DIR) / "tests" / "store" / "postgres_cluster.sh";
    pg.connections = o_.connections;
    pg.warmup_s = o_.warmup_s;
    pg.duration_s = o_.duration_s;
    pg.registration_body = body;
    const auto result = bench::run_pg_bench(pg);
    pg_report_ = result.report;
    pg_failed_ = !result.failure.empty();
    if (pg_failed_) progress("PostgreSQL phase NOT DONE: " + result.failure);
  }

  std::size_t stored_rows() const {
    try {
      return std::stoul(stored_after_load_);
    } catch (const std::exception&) {
      return 0;
    }
  }

  void report_load_section(const std::string& body, const std::string& step_id) {
    const auto s = bench::summarize(load_.success_latencies_ms);
    report_.line(
        format("-- 1. Registration: POST /api/v1/deviations as leder-boligkontor, %zu "
               "keep-alive connections, %u I/O thread(s), %.1f s window after %.1f s "
               "warm-up",
               o_.connections, o_.threads, o_.duration_s, o_.warmup_s));
    report_.line(
        format("   body %zu bytes (step %s), unique Idempotency-Key per request; only 201 "
               "counts (the host answers 201 after a durable commit)",
               body.size(), step_id.c_str()));
    report_.line(format("   201 in window: %s   -> %.1f registrations/s",
                        grouped(load_.successes).c_str(),
                        static_cast<double>(load_.successes) / load_.window_seconds));
    report_.line(
        format("   latency of those (64 clients queueing on a serialised store): median "
               "%.2f ms, p99 %.2f ms, max %.2f ms",
               s.median, s.p99, s.max));
    std::string by_status;
    for (const auto& [status, count] : load_.failures_by_status) {
      by_status += format(" HTTP %u x %s;", status, grouped(count).c_str());
    }
    report_.line(format("   errors (non-201) in window: %s%s", grouped(load_.failures).c_str(),
                        by_status.empty() ? "" : (" =" + by_status).c_str()));
    std::uint64_t transport = 0;
    for (const auto& [what, count] : load_.transport_errors) transport += count;
    report_.line(format("   transport errors (whole run): %s", grouped(transport).c_str()));
    for (const auto& [what, count] : load_.transport_errors) {
      report_.line(format("     %s x %s", what.c_str(), grouped(count).c_str()));
    }
    for (const auto& sample : load_.failure_samples) report_.line("     e.g. " + sample);
    report_.line(
        format("   outside the window: warm-up %s x 201 + %s other, after it (drained) %s "
               "x 201 + %s other%s; requests started %s, connections opened %s",
               grouped(load_.warmup_successes).c_str(), grouped(load_.warmup_failures).c_str(),
               grouped(load_.late_successes).c_str(), grouped(load_.late_failures).c_str(),
               load_.drained ? "" : " (NOT all drained)", grouped(load_.requests_started).c_str(),
               grouped(load_.connections_opened).c_str()));
    report_.line(format(
        "   load generator CPU: %.2f s for %s requests (%.3f ms each), taken from the same cores",
        load_generator_cpu_s_, grouped(load_.requests_started).c_str(),
        load_.requests_started > 0
            ? 1000.0 * load_generator_cpu_s_ / static_cast<double>(load_.requests_started)
            : 0.0));
    report_.line(
        format("   avvik in the store afterwards (statistics total): %s; 201s counted in "
               "all: %s",
               stored_after_load_.c_str(),
               grouped(load_.successes + load_.warmup_successes + load_.late_successes).c_str()));
    report_.line("   notifications (outbox, topic notification) right after the load drained: " +
                 notifications_after_load_);
  }

  void report_throughput_comparison(std::size_t payload_bytes) {
    const double ours = static_cast<double>(load_.successes) / load_.window_seconds;
    const double raw = raw_.seconds > 0 ? static_cast<double>(raw_.commits) / raw_.seconds : 0;
    const auto all_201 = load_.successes + load_.warmup_successes + load_.late_successes;
    const double ours_cpu_ms =
        all_201 > 0 ? 1000.0 * load_host_cpu_s_ / static_cast<double>(all_201) : 0;
    const double raw_cpu_ms =
        raw_.total_commits > 0 ? 1000.0 * raw_cpu_s_ / static_cast<double>(raw_.total_commits) : 0;
    const auto ratio = [](double a, double b) { return a > 0 && b > 0 ? a / b : 0.0; };
    report_.line();
    report_.line("   same run, same disk, same durability (journal_mode=" +
                 (raw_.journal_mode.empty() ? std::string("?") : raw_.journal_mode) +
                 ", synchronous=FULL); ratio = boligflyt / raw:");
    report_.line(format("   %-48s %16s %14s %8s", "", "boligflyt (HTTP)", "raw SQLite", "ratio"));
    report_.line(
        format("   %-48s %16.1f %14.1f %8.3f", "durable commits/s", ours, raw, ratio(ours, raw)));
    report_.line(format("   %-48s %16.3f %14.3f %8.1f", "ms per commit (1 / rate)",
                        ours > 0 ? 1000.0 / ours : 0.0, raw > 0 ? 1000.0 / raw : 0.0,
                        ratio(raw, ours)));
    report_.line(format("   %-48s %16.3f %14.3f %8.1f", "CPU ms per commit (host process / bench)",
                        ours_cpu_ms, raw_cpu_ms, ratio(ours_cpu_ms, raw_cpu_ms)));
    report_.line(format("   %-48s %16s %14.3f", "raw commit latency median (1 writer), ms", "",
                        raw_.latency.median));
    report_.line(
        format("   %-48s %16s %14.3f", "raw commit latency p99, ms", "", raw_.latency.p99));
    report_.line(
        format("   (raw: BEGIN IMMEDIATE + one %zu-byte row + COMMIT in a loop, %.1f s "
               "after %.1f s warm-up: %s commits. Host CPU: all its threads, outbox "
               "delivery included, over warm-up, window and drain.)",
               payload_bytes, raw_.seconds, o_.warmup_s, grouped(raw_.commits).c_str()));
  }

  void report_seed_section(const bench::SeedResult& s, std::uintmax_t db_bytes,
                           double restart_seconds,
                           const std::pair<std::int64_t, std::string>& deep) {
    report_.line();
    report_.line("-- 2. List and statistics with " + grouped(o_.rows) +
                 " seeded avvik (as kvalitetsleder, who sees all; sequential requests on one "
                 "keep-alive connection)");
    report_.line(format(
        "   seeding: %s avvik + %s participants + %s actions + %s comments + %s "
        "delivered reminders in %.1f s (CPU %.1f s; %s avvik/s); one transaction, "
        "synchronous=OFF, straight SQL into the store's tables, %zu secondary indexes dropped "
        "first and rebuilt after",
        grouped(s.deviations).c_str(), grouped(s.participants).c_str(), grouped(s.actions).c_str(),
        grouped(s.comments).c_str(), grouped(s.reminders).c_str(), s.seconds, seed_cpu_s_,
        grouped(static_cast<std::uint64_t>(static_cast<double>(s.deviations) /
                                           std::max(s.seconds, 1e-9)))
            .c_str(),
        s.indexes_rebuilt));
    report_.line(
        format("   seeded: %s open (%s overdue), %s mottatt; spread over 3 years, the "
               "versions in force, the steps (skewed), units, categories, severities",
               grouped(s.open).c_str(), grouped(s.overdue).c_str(),
               grouped(s.per_status_mottatt).c_str()));
    report_.line(format("   database after seeding: %s (%s bytes); host restart on it: %.2f s",
                        mib(static_cast<double>(db_bytes)).c_str(), grouped(db_bytes).c_str(),
                        restart_seconds));
    report_.line("   deep page: the cursor of row " + grouped((o_.rows + stored_rows()) / 2) +
                 " in the default order (" + deep.second + ")");
  }

  void report_query_table() {
    report_.line();
    report_.line(format("   %-62s %5s %9s %9s %9s %8s | %-20s | %7s", "request", "N", "1st ms",
                        "median ms", "p99 ms", "KiB", "empty store med/p99", "x empty"));
    for (std::size_t i = 0; i < full_.size() && i < empty_.size(); ++i) {
      const auto& f = full_[i];
      const auto& e = empty_[i];
      report_.line(format("   %-62s %5zu %9.2f %9.2f %9.2f %8.1f | %8.2f / %-9.2f | %7.1f",
                          labels_[i].c_str(), f.n, f.first_ms, f.summary.median, f.summary.p99,
                          static_cast<double>(f.bytes) / 1024.0, e.summary.median, e.summary.p99,
                          e.summary.median > 0 ? f.summary.median / e.summary.median : 0.0));
    }
    for (std::size_t i = 0; i < full_.size(); ++i) {
      for (const auto* f : {&empty_[i], &full_[i]}) {
        if (f->failures > 0) {
          report_.line(format("   errors: %s: %zu non-200 (%s), e.g. %s", labels_[i].c_str(),
                              f->failures, f == &empty_[i] ? "empty store" : "1M store",
                              f->failure_sample.c_str()));
        }
      }
    }
    report_.line("   (N = measured requests after the first, cold one; fewer than " +
                 std::to_string(o_.samples) + " when the " + format("%.0f", o_.budget_s) +
                 " s budget per type ran out; p99 of a small N is close to its maximum.)");
    const auto& stats = full_.size() > 5 ? full_[5].last_body : std::string();
    report_.line(
        format("   statistics say: total %s, open %s, closed %s, overdue %s, overdue "
               "actions %s, median days to close %s",
               e2e::json_at(stats, "/total").value_or("?").c_str(),
               e2e::json_at(stats, "/open").value_or("?").c_str(),
               e2e::json_at(stats, "/closed").value_or("?").c_str(),
               e2e::json_at(stats, "/overdue_deviations").value_or("?").c_str(),
               e2e::json_at(stats, "/overdue_actions").value_or("?").c_str(),
               e2e::json_at(stats, "/median_days_to_close").value_or("?").c_str()));
  }

  void finish_report(int code) {
    Report out;
    out.line(
        "== deviation_bench: avvik over real HTTP (boligflyt-host on 127.0.0.1, embedded "
        "default config, fresh data folder)");
    out.line(format(
        "   %u CPUs online; load average (1/5/15 min) at start %s, at end %s: other "
        "work on the machine shows in every figure, references included",
        std::thread::hardware_concurrency(), load_at_start_.c_str(), load_average().c_str()));
    out.line(
        format("   figures are reported beside their references, never judged; exit %d", code));
    out.line();
    std::string text = out.text() + report_.text();
    if (!pg_report_.empty()) text += "\n" + pg_report_;
    text += "\n-- 3. Memory (host: /proc/<pid>/status; the first line is its reference)\n";
    for (const auto& [label, m] : memory_) {
      text += format("   %-44s %s\n", label.c_str(), memory_text(m).c_str());
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    text += format("   %-44s %s\n", "bench process (load generator, seeding)",
                   ("peak RSS " + mib(static_cast<double>(usage.ru_maxrss) * 1024.0)).c_str());
    std::printf("\n%s", text.c_str());
    std::fflush(stdout);
    if (!o_.output.empty()) {
      std::error_code ec;
      fs::create_directories(fs::path(o_.output).parent_path(), ec);
      std::ofstream file(o_.output, std::ios::binary | std::ios::trunc);
      file << text;
      if (!file) std::fprintf(stderr, "deviation_bench: cannot write %s\n", o_.output.c_str());
    }
  }

  static std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return in ? one + " " + five + " " + fifteen : std::string("n/a");
  }

  Options o_;
  double load_host_cpu_s_ = 0;
  double load_generator_cpu_s_ = 0;
  double raw_cpu_s_ = 0;
  double seed_cpu_s_ = 0;
  std::string load_at_start_;
  e2e::TempDir temp_;
  Report report_;
  std::vector<std::string> labels_;
  std::vector<QueryFigures> empty_;
  std::vector<QueryFigures> full_;
  bench::LoadResult load_;
  std::vector<bench::ListFigures> lists_;
  std::vector<bench::ReadFigure> reads_;
  std::string stored_after_load_ = "?";
  std::string notifications_after_load_ = "?";
  RawFigures raw_;
  std::vector<std::pair<std::string, ProcessMemory>> memory_;
  std::string pg_report_;
  bool pg_failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  try {
    Bench bench(options);
    return bench.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "deviation_bench: %s\n", e.what());
    return 1;
  }
}

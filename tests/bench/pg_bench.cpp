// The PostgreSQL phase of deviation_bench (see pg_bench.h). The server is the one the store
// suite uses: postgres_cluster.sh starts it (fsync, synchronous_commit and full_page_writes
// on) and removes it afterwards. Every host node gets a fresh database on it.

#include "pg_bench.h"

#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "load_generator.h"
#include "support/child_process.h"
#include "support/host_process.h"
#include "support/http_client.h"

namespace boligflyt::bench {
namespace {

namespace fs = std::filesystem;
namespace e2e = boligflyt::e2e;
using SteadyClock = std::chrono::steady_clock;

__attribute__((format(printf, 1, 2))) std::string format(const char* pattern, ...) {
  va_list args;
  va_start(args, pattern);
  char buffer[1024];
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

void progress(const std::string& text) {
  std::printf("[deviation_bench pg] %s\n", text.c_str());
  std::fflush(stdout);
}

double ratio(double a, double b) { return a > 0 && b > 0 ? a / b : 0.0; }

// ---- CPU of processes ------------------------------------------------------------------------

/// Fields 4 (ppid), 14 and 15 (utime, stime) of /proc/<pid>/stat; false when it is gone.
bool read_stat(pid_t pid, pid_t& parent, double& cpu_seconds) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat) || stat.rfind(')') == std::string::npos) return false;
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 4) parent = static_cast<pid_t>(std::stol(field));
    if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);
  }
  cpu_seconds = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

double cpu_of(pid_t pid) {
  pid_t parent = 0;
  double cpu = 0;
  return read_stat(pid, parent, cpu) ? cpu : 0;
}

/// CPU seconds of every process whose parent is `postmaster` (backends, WAL writer,
/// checkpointer...), by pid. A backend that ends between two readings loses its share.
std::map<pid_t, double> server_cpu(pid_t postmaster) {
  std::map<pid_t, double> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    pid_t parent = 0;
    double cpu = 0;
    if (read_stat(pid, parent, cpu) && (parent == postmaster || pid == postmaster)) {
      out[pid] = cpu;
    }
  }
  return out;
}

double server_cpu_since(pid_t postmaster, const std::map<pid_t, double>& before) {
  double total = 0;
  for (const auto& [pid, cpu] : server_cpu(postmaster)) {
    const auto was = before.find(pid);
    total += cpu - (was == before.end() ? 0.0 : was->second);
  }
  return total;
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// ---- libpq -----------------------------------------------------------------------------------

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Res = std::unique_ptr<PGresult, decltype(&PQclear)>;

Conn connect(const std::string& conninfo) {
  Conn c(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (!c || PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the bench server: " +
                             std::string(c ? PQerrorMessage(c.get()) : "out of memory"));
  }
  PQsetNoticeProcessor(
      c.get(), [](void*, const char*) {}, nullptr);  // DROP ... IF EXISTS
  return c;
}

Res exec(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()), &PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql.substr(0, 60) + ": " + PQerrorMessage(c));
  }
  return r;
}

/// The throwaway server of the store suite, stopped and removed when this goes.
class Cluster {
 public:
  Cluster(fs::path script, fs::path dir) : script_(std::move(script)), dir_(std::move(dir)) {}
  ~Cluster() {
    if (!started_) return;
    try {
      e2e::run_command({"/bin/bash", script_.string(), "stop", dir_.string()}, dir_.parent_path(),
                       std::chrono::seconds(120));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "deviation_bench: stopping the PostgreSQL server: %s\n", e.what());
    }
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  void start() {
    started_ = true;
    const auto r = e2e::run_command({"/bin/bash", script_.string(), "start", dir_.string()},
                                    dir_.parent_path(), std::chrono::seconds(180));
    if (r.exit_code != 0) throw std::runtime_error("postgres_cluster.sh start failed: " + r.err);
    banner_ = r.out.substr(0, r.out.find('\n'));
    std::ifstream in(dir_ / "conninfo");
    std::getline(in, conninfo_);
    std::ifstream data(dir_ / "data_dir");
    std::string data_dir;
    std::getline(data, data_dir);
    std::ifstream pid_file(fs::path(data_dir) / "postmaster.pid");
    std::string pid;
    std::getline(pid_file, pid);
    postmaster_ = static_cast<pid_t>(std::stol(pid));
  }
  /// The server's connection string with another database.
  std::string conninfo(const std::string& database) const {
    return conninfo_ + " dbname=" + database;
  }
  pid_t postmaster() const { return postmaster_; }
  const std::string& banner() const { return banner_; }

 private:
  fs::path script_;
  fs::path dir_;
  bool started_ = false;
  std::string conninfo_;
  std::string banner_;
  pid_t postmaster_ = 0;
};

// ---- The raw reference -----------------------------------------------------------------------

struct RawPg {
  std::size_t connections = 0;
  std::uint64_t commits = 0;  // in the window
  std::uint64_t total = 0;    // warm-up included
  double seconds = 0;
  double client_cpu_s = 0;
  double server_cpu_s = 0;
  Summary latency;
  std::string error;
};

/// `connections` threads, each on its own connection, committing one-row INSERTs (a prepared
/// statement in autocommit: one round trip, one durable commit each) for warm-up + window.
RawPg raw_inserts(const Cluster& cluster, const std::string& database, std::size_t connections,
                  double warmup_s, double duration_s, const std::string& payload) {
  RawPg f;
  f.connections = connections;
  f.seconds = duration_s;
  {
    auto admin = connect(cluster.conninfo(database));
    exec(admin.get(),
         "DROP TABLE IF EXISTS raw_commits; CREATE TABLE raw_commits (id BIGSERIAL PRIMARY KEY, "
         "idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL)");
  }
  const auto t0 = SteadyClock::now();
  const auto window_start = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double>(warmup_s));
  const auto end = window_start + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(duration_s));
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<std::size_t> finished{0};
  std::atomic<bool> release{false};
  const auto cpu_before = own_cpu_seconds();
  const auto server_before = server_cpu(cluster.postmaster());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      std::uint64_t in_window = 0;
      std::uint64_t all = 0;
      std::string error;
      Conn c(nullptr, &PQfinish);  // open until the server's CPU has been read
      try {
        c = connect(cluster.conninfo(database));
        Res prepared(PQprepare(c.get(), "ins",
                               "INSERT INTO raw_commits (idempotency_key, payload) VALUES ($1, $2)",
                               2, nullptr),
                     &PQclear);
        if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
          throw std::runtime_error(PQerrorMessage(c.get()));
        }
        for (std::uint64_t i = 0;; ++i) {
          const auto started = SteadyClock::now();
          if (started >= end) break;
          const std::string key = "raw-" + std::to_string(t) + "-" + std::to_string(i);
          const std::array<const char*, 2> values = {key.c_str(), payload.c_str()};
          Res r(PQexecPrepared(c.get(), "ins", 2, values.data(), nullptr, nullptr, 0), &PQclear);
          if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            throw std::runtime_error(PQerrorMessage(c.get()));
          }
          const auto finished = SteadyClock::now();
          ++all;
          if (started >= window_start && finished <= end) {
            ++in_window;
            mine.push_back(std::chrono::duration<double, std::milli>(finished - started).count());
          }
        }
      } catch (const std::exception& e) {
        error = e.what();
      }
      std::lock_guard lock(mutex);
      f.commits += in_window;
      f.total += all;
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      if (!error.empty() && f.error.empty()) f.error = error;
      ++finished;
      // A backend's CPU is read from /proc, so it must still run when the main thread reads.
      const auto limit = SteadyClock::now() + std::chrono::seconds(60);
      while (!release && SteadyClock::now() < limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  const auto limit = end + std::chrono::seconds(60);
  while (finished < connections && SteadyClock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  f.client_cpu_s = own_cpu_seconds() - cpu_before;
  f.server_cpu_s = server_cpu_since(cluster.postmaster(), server_before);
  release = true;
  for (auto& t : threads) t.join();
  f.latency = summarize(std::move(latencies));
  return f;
}

// ---- Where the backends wait -----------------------------------------------------------------

/// Samples pg_stat_activity and the row-lock queues (tuple locks by table) of one database
/// every 20 ms on its own connection until stopped.
class WaitSampler {
 public:
  WaitSampler(const std::string& conninfo, std::string database)
      : conn_(connect(conninfo)), database_(std::move(database)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~WaitSampler() { stop(); }
  WaitSampler(const WaitSampler&) = delete;
  WaitSampler& operator=(const WaitSampler&) = delete;

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::string report() const {
    std::uint64_t total = 0;
    for (const auto& [what, n] : states_) total += n;
    std::vector<std::pair<std::uint64_t, std::string>> rows;
    for (const auto& [what, n] : states_) rows.emplace_back(n, what);
    std::sort(rows.rbegin(), rows.rend());
    std::string out =
        format("     %llu samples of the hosts' backends (%llu rounds, every 20 ms):\n",
               static_cast<unsigned long long>(total), static_cast<unsigned long long>(rounds_));
    for (std::size_t i = 0; i < rows.size() && i < 10; ++i) {
      out += format("       %5.1f %%  %s\n",
                    100.0 * static_cast<double>(rows[i].first) /
                        static_cast<double>(std::max<std::uint64_t>(total, 1)),
                    rows[i].second.c_str());
    }
    std::string queues;
    for (const auto& [table, n] : row_queues_) {
      queues +=
          format(" %s %.1f;", table.c_str(),
                 static_cast<double>(n) / static_cast<double>(std::max<std::uint64_t>(rounds_, 1)));
    }
    out += "     backends queued on a row lock, mean per sample, by table:" +
           (queues.empty() ? std::string(" none") : queues) + "\n";
    return out;
  }

 private:
  void loop() {
    const std::string activity =
        "SELECT state || ' / ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU') || "
        "CASE WHEN wait_event_type = 'Lock' THEN ' in: ' || left(query, 48) ELSE '' END "
        "FROM pg_stat_activity WHERE datname = '" +
        database_ + "' AND backend_type = 'client backend' AND pid <> pg_backend_pid()";
    const std::string locks =
        "SELECT coalesce(c.relname, '?') FROM pg_locks l LEFT JOIN pg_class c ON c.oid = "
        "l.relation WHERE l.locktype = 'tuple' AND l.database = (SELECT oid FROM pg_database "
        "WHERE datname = '" +
        database_ + "')";
    while (!stop_) {
      try {
        const auto a = exec(conn_.get(), activity);
        const auto l = exec(conn_.get(), locks);
        ++rounds_;
        for (int i = 0; i < PQntuples(a.get()); ++i) ++states_[PQgetvalue(a.get(), i, 0)];
        for (int i = 0; i < PQntuples(l.get()); ++i) ++row_queues_[PQgetvalue(l.get(), i, 0)];
      } catch (const std::exception&) {
        return;  // the figures of the load do not depend on these samples
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  Conn conn_;
  std::string database_;
  std::atomic<bool> stop_{false};
  std::uint64_t rounds_ = 0;
  std::map<std::string, std::uint64_t> states_;
  std::map<std::string, std::uint64_t> row_queues_;
  std::thread thread_;
};

// ---- Statements (only when the server preloads pg_stat_statements) -----------------------------

/// Resets the statement figures of `database`; false when pg_stat_statements is not loaded
/// (BOLIGFLYT_PG_SERVER_OPTIONS="-c shared_preload_libraries=pg_stat_statements" loads it).
bool reset_statements(const std::string& conninfo) {
  try {
    auto c = connect(conninfo);
    exec(c.get(), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    exec(c.get(), "SELECT pg_stat_statements_reset()");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string statements_report(const std::string& conninfo, std::uint64_t registrations) {
  try {
    auto c = connect(conninfo);
    const auto r = exec(c.get(),
                        "SELECT calls, total_exec_time, total_plan_time, "
                        "regexp_replace(left(query, 70), '\\s+', ' ', 'g') FROM pg_stat_statements "
                        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
                        "current_database()) ORDER BY calls DESC, total_exec_time DESC LIMIT 24");
    std::string out = "     pg_stat_statements (most calls first; calls per 201, ms in all):\n";
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      const double calls = std::strtod(PQgetvalue(r.get(), i, 0), nullptr);
      out += format("       %7.2f calls/201 %9.1f ms exec %7.1f ms plan  %s\n",
                    calls / static_cast<double>(std::max<std::uint64_t>(registrations, 1)),
                    std::strtod(PQgetvalue(r.get(), i, 1), nullptr),
                    std::strtod(PQgetvalue(r.get(), i, 2), nullptr), PQgetvalue(r.get(), i, 3));
    }
    const auto sum =
        exec(c.get(),
             "SELECT sum(calls), sum(total_exec_time) FROM pg_stat_statements WHERE "
             "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
    out += format("       all statements: %.1f calls per 201, %.3f ms execution per 201\n",
                  std::strtod(PQgetvalue(sum.get(), 0, 0), nullptr) /
                      static_cast<double>(std::max<std::uint64_t>(registrations, 1)),
                  std::strtod(PQgetvalue(sum.get(), 0, 1), nullptr) /
                      static_cast<double>(std::max<std::uint64_t>(registrations, 1)));
    return out;
  } catch (const std::exception& e) {
    return std::string("     pg_stat_statements not read: ") + e.what() + "\n";
  }
}

// ---- Host nodes under load -------------------------------------------------------------------

struct NodesFigures {
  std::size_t nodes = 0;
  LoadResult load;  // both loads added up
  double host_cpu_s = 0;
  double server_cpu_s = 0;
  std::string notifications = "?";
  std::string stored = "?";
  std::string waits;
  std::string error;
  std::uint64_t all_201() const {
    return load.successes + load.warmup_successes + load.late_successes;
  }
};

void add(LoadResult& into, const LoadResult& r) {
  into.window_seconds = std::max(into.window_seconds, r.window_seconds);
  into.successes += r.successes;
  into.success_latencies_ms.insert(into.success_latencies_ms.end(), r.success_latencies_ms.begin(),
                                   r.success_latencies_ms.end());
  into.failures += r.failures;
  for (const auto& [s, n] : r.failures_by_status) into.failures_by_status[s] += n;
  into.warmup_successes += r.warmup_successes;
  into.warmup_failures += r.warmup_failures;
  into.late_successes += r.late_successes;
  into.late_failures += r.late_failures;
  for (const auto& [w, n] : r.transport_errors) into.transport_errors[w] += n;
  into.failure_samples.insert(into.failure_samples.end(), r.failure_samples.begin(),
                              r.failure_samples.end());
  into.requests_started += r.requests_started;
  into.connections_opened += r.connections_opened;
  into.drained = into.drained && r.drained;
}

std::string gauge(const std::string& metrics, const std::string& status) {
  const std::string key =
      "boligflyt_outbox_messages{topic=\"notification\",status=\"" + status + "\"} ";
  const auto at = metrics.find(key);
  return at == std::string::npos
             ? std::string("?")
             : metrics.substr(at + key.size(), metrics.find('\n', at) - at - key.size());
}

NodesFigures run_nodes(const PgBenchOptions& o, const Cluster& cluster, std::size_t node_count) {
  NodesFigures f;
  f.nodes = node_count;
  const std::string database = "bench_nodes_" + std::to_string(node_count);
  {
    auto admin = connect(cluster.conninfo("postgres"));
    exec(admin.get(), "DROP DATABASE IF EXISTS " + database);
    exec(admin.get(), "CREATE DATABASE " + database);
  }
  const std::string plugin = R"({"store":{"kind":"postgresql","connection":)" +
                             e2e::json_quote(cluster.conninfo(database)) + "}}";
  const fs::path config = o.scratch_dir / (database + ".json");
  {
    std::ofstream out(config, std::ios::binary | std::ios::trunc);
    out << e2e::json_set(e2e::default_config_json(), {"plugin"}, plugin);
  }
  std::vector<std::unique_ptr<e2e::HostProcess>> hosts;
  for (std::size_t n = 0; n < node_count; ++n) {
    e2e::HostOptions options;
    options.data_dir = o.scratch_dir / (database + "-node" + std::to_string(n));
    options.config_file = config;
    std::string failure;
    auto host = e2e::HostProcess::start(options, o.scratch_dir, failure, std::chrono::seconds(120));
    if (!host) {
      f.error = "boligflyt-host on PostgreSQL did not start: " + failure;
      return f;
    }
    hosts.push_back(std::move(host));
  }
  const std::string nonce = std::to_string(::getpid()) + "-" + std::to_string(node_count);
  const bool statements = reset_statements(cluster.conninfo(database));
  std::vector<LoadResult> results(node_count);
  std::vector<std::thread> threads;
  std::vector<double> cpu_before;
  cpu_before.reserve(hosts.size());
  for (const auto& h : hosts) cpu_before.push_back(cpu_of(h->process().pid()));
  const auto server_before = server_cpu(cluster.postmaster());
  // On the database itself, so that pg_class names the tables of its tuple locks.
  WaitSampler sampler(cluster.conninfo(database), database);
  for (std::size_t n = 0; n < node_count; ++n) {
    threads.emplace_back([&, n] {
      LoadOptions load;
      load.port = hosts[n]->port();
      // The connections split across the nodes, as a load balancer would.
      load.connections = o.connections / node_count + (n < o.connections % node_count ? 1 : 0);
      load.warmup = std::chrono::milliseconds(static_cast<long>(o.warmup_s * 1000));
      load.duration = std::chrono::milliseconds(static_cast<long>(o.duration_s * 1000));
      load.success_status = 201;
      const std::string token = hosts[n]->printed_token(o.registering_user);
      load.make_request = [&o, token, nonce, n](std::uint64_t sequence) {
        LoadRequest r;
        r.target = "/api/v1/deviations";
        r.headers = {{"Authorization", "Bearer " + token},
                     {"Content-Type", "application/json"},
                     {"Idempotency-Key",
                      "pg-" + nonce + "-" + std::to_string(n) + "-" + std::to_string(sequence)}};
        r.body = o.registration_body;
        return r;
      };
      try {
        results[n] = run_load(load);
      } catch (const std::exception& e) {
        results[n].transport_errors[e.what()] += 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  sampler.stop();
  for (std::size_t n = 0; n < node_count; ++n) {
    f.host_cpu_s += cpu_of(hosts[n]->process().pid()) - cpu_before[n];
    add(f.load, results[n]);
  }
  f.server_cpu_s = server_cpu_since(cluster.postmaster(), server_before);
  f.waits = sampler.report();
  if (statements) f.waits += statements_report(cluster.conninfo(database), f.all_201());
  try {
    e2e::HttpConnection c(hosts.front()->port(), std::chrono::seconds(60));
    const auto reader = e2e::bearer(hosts.front()->printed_token(o.reading_user));
    const auto metrics = c.request("GET", "/metrics", reader).body;
    f.notifications = "delivered " + gauge(metrics, "delivered") + ", pending " +
                      gauge(metrics, "pending") + ", dead " + gauge(metrics, "dead");
    const auto stats = c.request("GET", "/api/v1/statistics/deviations", reader);
    f.stored = e2e::json_at(stats.body, "/total").value_or("?");
  } catch (const std::exception& e) {
    f.notifications = std::string("not read: ") + e.what();
  }
  for (auto& h : hosts) h->stop(std::chrono::seconds(60));
  if (f.all_201() == 0) f.error = "no registration on PostgreSQL got 201";
  return f;
}

// ---- The report ------------------------------------------------------------------------------

std::string nodes_text(const NodesFigures& f) {
  const auto s = summarize(f.load.success_latencies_ms);
  std::uint64_t transport = 0;
  for (const auto& [what, n] : f.load.transport_errors) transport += n;
  std::string out = format(
      "   %zu node(s): 201 in window %llu -> %.1f registrations/s; latency median %.2f ms, p99 "
      "%.2f ms; errors %llu, transport errors %llu%s\n",
      f.nodes, static_cast<unsigned long long>(f.load.successes),
      static_cast<double>(f.load.successes) / std::max(f.load.window_seconds, 1e-9), s.median,
      s.p99, static_cast<unsigned long long>(f.load.failures),
      static_cast<unsigned long long>(transport), f.load.drained ? "" : " (NOT all drained)");
  for (const auto& sample : f.load.failure_samples) out += "     e.g. " + sample + "\n";
  for (const auto& [what, n] : f.load.transport_errors) {
    out += format("     transport: %s x %llu\n", what.c_str(), static_cast<unsigned long long>(n));
  }
  out += format(
      "     avvik in the database afterwards: %s; 201s in all: %llu; notifications right "
      "after the load drained: %s\n",
      f.stored.c_str(), static_cast<unsigned long long>(f.all_201()), f.notifications.c_str());
  return out + f.waits;
}

}  // namespace

PgBenchResult run_pg_bench(const PgBenchOptions& o) {
  PgBenchResult result;
  std::string report = format(
      "-- 5. PostgreSQL: POST /api/v1/deviations, %zu keep-alive connections, %.1f s "
      "window after %.1f s warm-up, on the store suite's throwaway server\n",
      o.connections, o.duration_s, o.warmup_s);
  std::error_code ec;
  bool have_server = false;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    have_server = have_server || fs::exists(entry.path() / "bin" / "initdb");
  }
  if (!have_server) {
    result.skipped = true;
    result.report = report +
                    "   SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin "
                    "(install the Debian package postgresql; packaging/bootstrap.sh test does)\n";
    return result;
  }
  try {
    fs::create_directories(o.scratch_dir);
    Cluster cluster(o.cluster_script, o.scratch_dir / "cluster");
    progress("starting the PostgreSQL server (" + o.cluster_script.string() + ")");
    cluster.start();
    report += "   server: " + cluster.banner() +
              "; fsync=on, synchronous_commit=on, full_page_writes=on (as for the hosts)\n";
    const std::string payload =
        o.registration_body + "{\"request_sha256\":\"" + std::string(64, 'a') + "\"}";
    progress("raw one-row INSERT commits, 1 connection");
    const auto raw1 = raw_inserts(cluster, "boligflyt_test", 1, o.warmup_s, o.duration_s, payload);
    progress(format("raw one-row INSERT commits, %zu connections", o.connections));
    const auto raw_n =
        raw_inserts(cluster, "boligflyt_test", o.connections, o.warmup_s, o.duration_s, payload);
    for (const auto* raw : {&raw1, &raw_n}) {
      if (!raw->error.empty()) throw std::runtime_error("raw INSERT reference: " + raw->error);
    }
    progress("one boligflyt-host node on PostgreSQL under registration load");
    const auto one = run_nodes(o, cluster, 1);
    if (!one.error.empty()) throw std::runtime_error(one.error);
    progress("two boligflyt-host nodes on one PostgreSQL database under registration load");
    const auto two = run_nodes(o, cluster, 2);
    if (!two.error.empty()) throw std::runtime_error(two.error);

    const auto rate = [](std::uint64_t n, double s) {
      return s > 0 ? static_cast<double>(n) / s : 0;
    };
    const double r1 = rate(raw1.commits, raw1.seconds);
    const double rn = rate(raw_n.commits, raw_n.seconds);
    const double one_rate = rate(one.load.successes, one.load.window_seconds);
    const double two_rate = rate(two.load.successes, two.load.window_seconds);
    const auto per = [](double cpu_s, std::uint64_t n) {
      return n > 0 ? 1000.0 * cpu_s / static_cast<double>(n) : 0.0;
    };
    report += nodes_text(one) + nodes_text(two);
    report += format(
        "   raw: %llu commits in the window from 1 connection (median %.3f ms, p99 "
        "%.3f ms), %llu from %zu (median %.3f ms, p99 %.3f ms)\n",
        static_cast<unsigned long long>(raw1.commits), raw1.latency.median, raw1.latency.p99,
        static_cast<unsigned long long>(raw_n.commits), raw_n.connections, raw_n.latency.median,
        raw_n.latency.p99);
    report += "\n   same run, same server; ratio = boligflyt / raw:\n";
    report += format("   %-44s %12s %12s %7s %12s %7s\n", "", "boligflyt", "raw 1 conn", "ratio",
                     format("raw %zu conn", o.connections).c_str(), "ratio");
    for (const auto* f : {&one, &two}) {
      const double r = f == &one ? one_rate : two_rate;
      report += format("   %-44s %12.1f %12.1f %7.3f %12.1f %7.3f\n",
                       format("durable commits/s, %zu node(s), HTTP", f->nodes).c_str(), r, r1,
                       ratio(r, r1), rn, ratio(r, rn));
    }
    const double raw1_server = per(raw1.server_cpu_s, raw1.total);
    const double rawn_server = per(raw_n.server_cpu_s, raw_n.total);
    for (const auto* f : {&one, &two}) {
      report +=
          format("   %-44s %12.3f %12.3f %7.1f %12.3f %7.1f\n",
                 format("host CPU ms per commit, %zu node(s)", f->nodes).c_str(),
                 per(f->host_cpu_s, f->all_201()), per(raw1.client_cpu_s, raw1.total),
                 ratio(per(f->host_cpu_s, f->all_201()), per(raw1.client_cpu_s, raw1.total)),
                 per(raw_n.client_cpu_s, raw_n.total),
                 ratio(per(f->host_cpu_s, f->all_201()), per(raw_n.client_cpu_s, raw_n.total)));
      const double server = per(f->server_cpu_s, f->all_201());
      report +=
          format("   %-44s %12.3f %12.3f %7.1f %12.3f %7.1f\n",
                 format("server CPU ms per commit, %zu node(s)", f->nodes).c_str(), server,
                 raw1_server, ratio(server, raw1_server), rawn_server, ratio(server, rawn_server));
    }
    report +=
        "   (raw: a prepared one-row INSERT in autocommit, one round trip and one durable commit "
        "each, into a fresh table with a unique key; client CPU = the bench process. Host CPU: "
        "all threads of the node(s) over warm-up, window and drain; server CPU: every process of "
        "the server, WAL writer and checkpointer included.)\n";
  } catch (const std::exception& e) {
    result.failure = e.what();
    report += std::string("   NOT DONE: ") + e.what() + "\n";
  }
  result.report = report;
  return result;
}

}  // namespace boligflyt::bench

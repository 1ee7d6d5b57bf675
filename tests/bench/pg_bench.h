#pragma once
// Goal 5 of issue 14: the registration benchmark against the real PostgreSQL server that the
// store and e2e tests start (tests/store/postgres_cluster.sh), beside raw one-row durable
// INSERT commits on the same server (libpq, one connection and as many as the HTTP load),
// with one boligflyt-host node and with two nodes sharing the database. While each load runs,
// the server's own view is sampled (pg_stat_activity wait events, row-lock queues by table),
// so that the report says where the registrations wait. It judges nothing.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace boligflyt::bench {

struct PgBenchOptions {
  std::filesystem::path scratch_dir;  // the cluster, host data folders and configs go here
  std::filesystem::path cluster_script;
  std::size_t connections = 64;
  double warmup_s = 1;
  double duration_s = 8;
  /// POST /api/v1/deviations body; each request gets its own Idempotency-Key.
  std::string registration_body;
  std::string registering_user = "leder-boligkontor";
  std::string reading_user = "kvalitetsleder";
};

struct PgBenchResult {
  std::string report;    // the section, ready to print
  bool skipped = false;  // no PostgreSQL server binaries on this machine
  std::string failure;   // non-empty when the phase could not run
};

/// Starts the throwaway server, measures, stops and removes it (also on failure).
PgBenchResult run_pg_bench(const PgBenchOptions& options);

}  // namespace boligflyt::bench

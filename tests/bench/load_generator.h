#pragma once
// An HTTP/1.1 load generator for the benchmarks: a fixed number of keep-alive connections to
// 127.0.0.1, each sending its next request as soon as the previous response has arrived
// (closed loop), on one or two io_context threads (Boost.Beast, asynchronous; Beast stays in
// the .cpp). It reports what it saw and judges nothing: the caller prints the figures.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace boligflyt::bench {

struct LoadRequest {
  std::string method = "POST";
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct LoadOptions {
  std::uint16_t port = 0;
  std::size_t connections = 64;
  unsigned threads = 1;
  /// Responses completed during the warm-up are counted apart and left out of the figures.
  std::chrono::milliseconds warmup{1000};
  /// The measurement window after the warm-up. No request is started after it ends; those in
  /// flight are awaited (up to drain_timeout) and counted as "late".
  std::chrono::milliseconds duration{8000};
  std::chrono::milliseconds drain_timeout{15000};
  /// Per connect, write and read.
  std::chrono::milliseconds io_timeout{30000};
  /// The one status that counts as a success; everything else is a failure.
  unsigned success_status = 201;
  /// Builds request number `sequence` (unique within the run, from 0). Called on the I/O
  /// threads, so it must be thread-safe when threads > 1.
  std::function<LoadRequest(std::uint64_t sequence)> make_request;
};

struct LoadResult {
  double window_seconds = 0;
  // Responses completed inside the measurement window.
  std::uint64_t successes = 0;
  std::vector<double> success_latencies_ms;
  std::uint64_t failures = 0;  // responses with another status
  std::map<unsigned, std::uint64_t> failures_by_status;
  // Outside the window.
  std::uint64_t warmup_successes = 0;
  std::uint64_t warmup_failures = 0;
  std::uint64_t late_successes = 0;
  std::uint64_t late_failures = 0;
  // Connect/write/read errors and timeouts over the whole run, by message.
  std::map<std::string, std::uint64_t> transport_errors;
  /// The first few distinct failures: "HTTP <status>: <start of the body>".
  std::vector<std::string> failure_samples;
  std::uint64_t requests_started = 0;
  std::uint64_t connections_opened = 0;
  /// False when requests were still in flight at the end of drain_timeout.
  bool drained = true;
};

/// Runs the load to completion; throws std::invalid_argument on unusable options.
LoadResult run_load(const LoadOptions& options);

struct Summary {
  std::size_t n = 0;
  double median = 0;
  double p99 = 0;
  double min = 0;
  double max = 0;
};

/// Nearest-rank percentiles (the median is the 50th); all zero for no values.
Summary summarize(std::vector<double> values);

}  // namespace boligflyt::bench

#include "read_bench.h"

#include <cstdio>
#include <utility>

#include "support/http_client.h"

namespace boligflyt::bench {
namespace {

namespace e2e = boligflyt::e2e;

ReadFigure run_one(std::string label, std::uint16_t port, LoadRequest request, unsigned status,
                   std::size_t connections, std::chrono::milliseconds warmup,
                   std::chrono::milliseconds duration) {
  LoadOptions o;
  o.port = port;
  o.connections = connections;
  o.warmup = warmup;
  o.duration = duration;
  o.success_status = status;
  o.make_request = [request = std::move(request)](std::uint64_t) { return request; };
  auto result = run_load(o);
  ReadFigure f;
  f.label = std::move(label);
  f.per_second =
      result.window_seconds > 0 ? static_cast<double>(result.successes) / result.window_seconds : 0;
  f.latency = summarize(std::move(result.success_latencies_ms));
  f.failures = result.failures;
  if (!result.failure_samples.empty()) f.failure_sample = result.failure_samples.front();
  std::printf("[read_bench] %-52s %10.1f req/s\n", f.label.c_str(), f.per_second);
  std::fflush(stdout);
  return f;
}

}  // namespace

std::vector<ReadFigure> measure_reads(std::uint16_t port, const std::string& token,
                                      const std::string& deviation_id,
                                      const std::string& svg_target, std::size_t connections,
                                      std::chrono::milliseconds warmup,
                                      std::chrono::milliseconds duration) {
  const std::pair<std::string, std::string> auth{"Authorization", "Bearer " + token};
  std::string etag;
  {
    e2e::HttpConnection c(port, std::chrono::seconds(60));
    etag = c.request("GET", svg_target, {auth}).header("ETag");
  }
  std::vector<ReadFigure> out;
  out.push_back(run_one("GET /healthz (no token; the reference)", port,
                        LoadRequest{"GET", "/healthz", {}, {}}, 200, connections, warmup,
                        duration));
  out.push_back(run_one("GET /api/v1/deviations/{id} with a token", port,
                        LoadRequest{"GET", "/api/v1/deviations/" + deviation_id, {auth}, {}}, 200,
                        connections, warmup, duration));
  out.push_back(run_one("GET 3.0/diagram.svg with a token (cached rendering)", port,
                        LoadRequest{"GET", svg_target, {auth}, {}}, 200, connections, warmup,
                        duration));
  out.push_back(run_one("GET 3.0/diagram.svg, If-None-Match: its ETag (304)", port,
                        LoadRequest{"GET", svg_target, {auth, {"If-None-Match", etag}}, {}}, 304,
                        connections, warmup, duration));
  return out;
}

std::string read_report(const std::vector<ReadFigure>& figures, std::size_t connections,
                        double seconds) {
  std::string out;
  char line[512];
  const double floor = figures.empty() ? 0 : figures.front().per_second;
  std::snprintf(line, sizeof line,
                "   %zu keep-alive connections, %.1f s each, closed loop; ratio = req/s / "
                "/healthz req/s of the same run\n",
                connections, seconds);
  out += line;
  std::snprintf(line, sizeof line, "   %-54s %10s %8s %10s %10s %8s\n", "request", "req/s", "ratio",
                "median ms", "p99 ms", "errors");
  out += line;
  for (const auto& f : figures) {
    std::snprintf(line, sizeof line, "   %-54s %10.1f %8.3f %10.3f %10.3f %8llu\n", f.label.c_str(),
                  f.per_second, floor > 0 ? f.per_second / floor : 0.0, f.latency.median,
                  f.latency.p99, static_cast<unsigned long long>(f.failures));
    out += line;
    if (!f.failure_sample.empty()) out += "     e.g. " + f.failure_sample + "\n";
  }
  return out;
}

}  // namespace boligflyt::bench

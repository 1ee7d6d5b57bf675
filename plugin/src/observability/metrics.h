#pragma once
// Prometheus text exposition (format 0.0.4) of what the API served: request counts by route
// template and status, and a latency histogram per route. Route templates, not raw paths,
// keep the label set bounded whatever clients send.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace boligflyt {

class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};

  void observe_request(const std::string& method, const std::string& route, int status,
                       double seconds);

  /// Render all metrics; `extra` is appended verbatim (gauges owned by other components).
  std::string render(const std::string& extra = {}) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace boligflyt

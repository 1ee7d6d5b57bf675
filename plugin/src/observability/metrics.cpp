#include "observability/metrics.h"

#include <sstream>

namespace boligflyt {
namespace {

// Label values are route templates and methods we chose ourselves, but escape anyway so a
// future caller cannot break the exposition format.
std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::observe_request(const std::string& method, const std::string& route, int status,
                              double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  auto& h = latency_[route];
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(const std::string& extra) const {
  std::ostringstream out;
  out.precision(9);
  std::lock_guard lock(mutex_);
  out << "# HELP boligflyt_http_requests_total Requests handled by the plugin API.\n"
         "# TYPE boligflyt_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out << "boligflyt_http_requests_total{method=\"" << escape_label(method) << "\",route=\""
        << escape_label(route) << "\",status=\"" << status << "\"} " << count << '\n';
  }
  out << "# HELP boligflyt_http_request_duration_seconds Time spent handling a request in the "
         "plugin.\n"
         "# TYPE boligflyt_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = "route=\"" + escape_label(route) + "\"";
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out << "boligflyt_http_request_duration_seconds_bucket{" << label << ",le=\""
          << kLatencyBuckets[i] << "\"} " << h.buckets[i] << '\n';
    }
    out << "boligflyt_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << h.count
        << '\n';
    out << "boligflyt_http_request_duration_seconds_sum{" << label << "} " << h.sum << '\n';
    out << "boligflyt_http_request_duration_seconds_count{" << label << "} " << h.count << '\n';
  }
  out << extra;
  return out.str();
}

}  // namespace boligflyt

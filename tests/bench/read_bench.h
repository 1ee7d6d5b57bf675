#pragma once
// Reads over HTTP under load (issue 14, goal 3): GET of one avvik with a token beside the same
// host's /healthz, and a published version's picture rendered (cached) and revalidated with
// If-None-Match (304), each from the same number of keep-alive connections for the same time.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "load_generator.h"

namespace boligflyt::bench {

struct ReadFigure {
  std::string label;
  double per_second = 0;
  Summary latency;
  std::uint64_t failures = 0;
  std::string failure_sample;
};

/// `deviation_id` is read with `token`; `svg_target` is a diagram.svg path.
std::vector<ReadFigure> measure_reads(std::uint16_t port, const std::string& token,
                                      const std::string& deviation_id,
                                      const std::string& svg_target, std::size_t connections,
                                      std::chrono::milliseconds warmup,
                                      std::chrono::milliseconds duration);

std::string read_report(const std::vector<ReadFigure>& figures, std::size_t connections,
                        double seconds);

}  // namespace boligflyt::bench

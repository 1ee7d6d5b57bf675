#pragma once
// Per-principal rate limiting: a token bucket per key (the signed-in user, or the client
// address for requests without one). Thread-safe; memory stays bounded.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace boligflyt::host {

class RateLimiter {
 public:
  /// `per_second` tokens flow into each bucket, which holds at most `burst`.
  RateLimiter(double per_second, unsigned burst);

  /// Takes one token from `key`'s bucket. nullopt when the request may go ahead; otherwise
  /// how long the client should wait (whole seconds, at least 1, for `Retry-After`).
  std::optional<std::chrono::seconds> take(std::string_view key);

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void forget_full_buckets(Clock::time_point now);

  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace boligflyt::host

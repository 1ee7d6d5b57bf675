#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace boligflyt::host {
namespace {

// Beyond this many keys, buckets that have filled up again are dropped: a full bucket is
// the same as no bucket, so forgetting it changes nobody's limit.
constexpr std::size_t kSweepAboveKeys = 50000;

}  // namespace

RateLimiter::RateLimiter(double per_second, unsigned burst)
    : per_second_(per_second), burst_(static_cast<double>(std::max(burst, 1U))) {}

std::optional<std::chrono::seconds> RateLimiter::take(std::string_view key) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mutex_);
  if (buckets_.size() > kSweepAboveKeys) forget_full_buckets(now);
  auto [it, fresh] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - bucket.tokens) / per_second_;
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

void RateLimiter::forget_full_buckets(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * per_second_ >= burst_;
  });
}

}  // namespace boligflyt::host

#include "util/time.h"

#include <ctime>

namespace boligflyt::util {

std::string iso_utc(std::int64_t epoch_seconds) {
  const auto secs = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace boligflyt::util

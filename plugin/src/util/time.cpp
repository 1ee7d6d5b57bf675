#include "util/time.h"

#include <cstdio>
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

std::optional<std::int64_t> parse_iso_utc(std::string_view text) {
  if (text.size() != 20 || text[19] != 'Z') return std::nullopt;
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  unsigned h = 0;
  unsigned mi = 0;
  unsigned s = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2u-%2uT%2u:%2u:%2uZ", &y, &mo, &d, &h, &mi, &s) != 6) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return (sys_days{ymd}.time_since_epoch().count() * 86400LL) + h * 3600LL + mi * 60LL + s;
}

}  // namespace boligflyt::util

#pragma once
// UTC timestamps as the store and the API write them: "2026-11-22T09:00:00Z".

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boligflyt::util {

/// ISO 8601 UTC, whole seconds, from seconds since 1970.
std::string iso_utc(std::int64_t epoch_seconds);

inline std::int64_t epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" (as iso_utc writes it), or nullopt.
std::optional<std::int64_t> parse_iso_utc(std::string_view text);

/// Seconds since 1970, now.
inline std::int64_t now_epoch() { return epoch_seconds(std::chrono::system_clock::now()); }

inline std::string iso_utc(std::chrono::system_clock::time_point t) {
  return iso_utc(epoch_seconds(t));
}

}  // namespace boligflyt::util

#include "observability/logger.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace boligflyt {
namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

Logger::Logger(LogSink sink, LogLevel min_level) : sink_(std::move(sink)), min_level_(min_level) {}

namespace {

// As boost::json::serialize writes a string: quotes, backslashes and control characters
// escaped, every other byte as it is.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4U];
          out += kHex[c & 0x0FU];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace

void Logger::log(LogLevel level, std::string_view event,
                 std::initializer_list<Field> fields) const {
  if (level < min_level_ || !sink_) return;
  // Written straight into one string: this runs for every request, and a JSON object built
  // first cost more than the rest of a small request's logging. A field named like an
  // earlier one replaces its value, as assigning into a JSON object did.
  const std::string ts = utc_now_iso();
  std::array<std::pair<std::string_view, std::string_view>, 4> fixed = {{
      {"ts", ts},
      {"level", level_name(level)},
      {"component", "boligflyt"},
      {"event", event},
  }};
  std::string line;
  line.reserve(128 + fields.size() * 32);
  line += '{';
  bool first = true;
  auto member = [&](std::string_view key, std::string_view value) {
    if (!first) line += ',';
    first = false;
    append_json_string(line, key);
    line += ':';
    append_json_string(line, value);
  };
  // The last value given for a key wins; the key keeps its first place.
  auto last_value = [&](std::string_view key, std::string_view value) {
    for (const auto& [k, v] : fields) {
      if (k == key) value = v;
    }
    return value;
  };
  for (const auto& [key, value] : fixed) member(key, last_value(key, value));
  const Field* begin = fields.begin();
  for (const Field* f = begin; f != fields.end(); ++f) {
    const bool fixed_key = std::any_of(fixed.begin(), fixed.end(),
                                       [&](const auto& entry) { return entry.first == f->first; });
    const bool earlier =
        std::any_of(begin, f, [&](const Field& other) { return other.first == f->first; });
    if (!fixed_key && !earlier) member(f->first, last_value(f->first, f->second));
  }
  line += '}';
  sink_(level, line);
}

LogSink Logger::stderr_sink() {
  return [](LogLevel, std::string_view line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  };
}

}  // namespace boligflyt

#include "log/logger.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace boligflyt::host {
namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

}  // namespace

LogLevel parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

void append_json_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
}

void Logger::log(LogLevel level, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line = "{\"ts\":\"" + utc_timestamp() + "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"source\":\"host\",\"event\":\"";
  append_json_escaped(line, event);
  line += '"';
  for (const Field& field : fields) {
    line += ",\"";
    append_json_escaped(line, field.first);
    line += "\":\"";
    append_json_escaped(line, field.second);
    line += '"';
  }
  line += "}\n";
  write_line(line);
}

void Logger::write_raw_line(LogLevel level, std::string_view json_object) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(json_object.size() + 1);
  // A raw newline is only legal as whitespace between JSON tokens; replacing it keeps the
  // object valid and the log one-record-per-line.
  for (const char c : json_object) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  write_line(line);
}

void Logger::write_line(std::string& line) {
  // write(2) of the whole line under a mutex: lines from many threads never interleave.
  std::lock_guard lock(mutex_);
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone; logging must never take the host down
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace boligflyt::host

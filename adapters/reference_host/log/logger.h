#pragma once
// One JSON object per line on stderr, shared by the host and the plugin's log service, so
// that a journal or `jq` reads both the same way.

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace boligflyt::host {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// Parses "debug" | "info" | "warn" | "error"; anything else is info.
LogLevel parse_log_level(std::string_view text);

/// Appends `text` to `out` as the inside of a JSON string (without quotes).
void append_json_escaped(std::string& out, std::string_view text);

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string_view>;

  explicit Logger(LogLevel minimum) : minimum_(minimum) {}

  bool enabled(LogLevel level) const { return level >= minimum_; }

  /// {"ts":...,"level":...,"source":"host","event":...,<fields>}
  void log(LogLevel level, std::string_view event, std::initializer_list<Field> fields = {});

  /// Writes a line that already is a JSON object (from the plugin), keeping it on one line.
  void write_raw_line(LogLevel level, std::string_view json_object);

 private:
  void write_line(std::string& line);

  LogLevel minimum_;
  std::mutex mutex_;
};

}  // namespace boligflyt::host

#pragma once
// Structured logging: every line is one JSON object handed to the host's log service, or to
// stderr when the host offers none. Fields are chosen by the caller; free text written by
// users (avvik descriptions, comments) and tokens must never be passed in.

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace boligflyt {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// Where formatted lines go. The ABI layer wires it to the host's `log` service.
using LogSink = std::function<void(LogLevel, std::string_view json_line)>;

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string>;

  explicit Logger(LogSink sink, LogLevel min_level = LogLevel::kInfo);

  void log(LogLevel level, std::string_view event, std::initializer_list<Field> fields = {}) const;
  void info(std::string_view event, std::initializer_list<Field> fields = {}) const {
    log(LogLevel::kInfo, event, fields);
  }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) const {
    log(LogLevel::kWarn, event, fields);
  }
  void error(std::string_view event, std::initializer_list<Field> fields = {}) const {
    log(LogLevel::kError, event, fields);
  }

  /// A sink writing one line per call to stderr (used when the host has no log service).
  static LogSink stderr_sink();

 private:
  LogSink sink_;
  LogLevel min_level_;
};

}  // namespace boligflyt

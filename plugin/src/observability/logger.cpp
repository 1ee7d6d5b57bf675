#include "observability/logger.h"

#include <boost/json.hpp>
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

void Logger::log(LogLevel level, std::string_view event,
                 std::initializer_list<Field> fields) const {
  if (level < min_level_ || !sink_) return;
  boost::json::object line;
  line["ts"] = utc_now_iso();
  line["level"] = level_name(level);
  line["component"] = "boligflyt";
  line["event"] = event;
  for (const auto& [key, value] : fields) line[key] = value;
  sink_(level, boost::json::serialize(line));
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

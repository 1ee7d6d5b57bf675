#include "observability/logger.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace boligflyt {
namespace {

namespace json = boost::json;

std::vector<std::string> lines_of(const std::function<void(const Logger&)>& write) {
  std::vector<std::string> lines;
  Logger logger([&](LogLevel, std::string_view line) { lines.emplace_back(line); });
  write(logger);
  return lines;
}

TEST(LoggerTest, EachLineIsOneJsonObjectWithTheFixedMembersFirst) {
  const auto lines = lines_of([](const Logger& log) {
    log.info("http_request", {{"route", "/api/v1/deviations/{id}"}, {"status", "200"}});
  });
  ASSERT_EQ(lines.size(), 1U);
  const json::object line = json::parse(lines[0]).as_object();
  ASSERT_EQ(line.size(), 6U);
  auto it = line.begin();
  EXPECT_EQ(it++->key(), "ts");
  EXPECT_EQ(it++->key(), "level");
  EXPECT_EQ(it++->key(), "component");
  EXPECT_EQ(it++->key(), "event");
  EXPECT_EQ(line.at("level"), "info");
  EXPECT_EQ(line.at("component"), "boligflyt");
  EXPECT_EQ(line.at("event"), "http_request");
  EXPECT_EQ(line.at("route"), "/api/v1/deviations/{id}");
  EXPECT_EQ(line.at("status"), "200");
  EXPECT_EQ(line.at("ts").as_string().size(), 24U);  // 2026-12-03T18:00:00.000Z
}

TEST(LoggerTest, EscapesWhatJsonRequiresAndKeepsUtf8) {
  const std::string nasty = "«æøå» \"sitat\" back\\slash\nny linje\ttab\x01\x1f end";
  const auto lines = lines_of([&](const Logger& log) { log.warn("odd", {{"what", nasty}}); });
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos) << "one record per line";
  const json::object line = json::parse(lines[0]).as_object();
  EXPECT_EQ(line.at("what").as_string(), nasty);
  EXPECT_EQ(line.at("level"), "warn");
  EXPECT_NE(lines[0].find("\\u0001"), std::string::npos);
}

TEST(LoggerTest, ALaterFieldOfTheSameNameReplacesTheValueInItsPlace) {
  const auto lines = lines_of([](const Logger& log) {
    log.error("first", {{"a", "1"}, {"event", "second"}, {"b", "2"}, {"a", "3"}});
  });
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].find("\"ts\":"), 1U);
  const json::object line = json::parse(lines[0]).as_object();
  EXPECT_EQ(line.size(), 6U);
  EXPECT_EQ(line.at("event"), "second");
  EXPECT_EQ(line.at("a"), "3");
  EXPECT_EQ(line.at("b"), "2");
  EXPECT_LT(lines[0].find("\"a\":"), lines[0].find("\"b\":"));
}

TEST(LoggerTest, LinesBelowTheLevelAreNotWritten) {
  std::vector<std::string> lines;
  Logger logger([&](LogLevel, std::string_view line) { lines.emplace_back(line); },
                LogLevel::kWarn);
  logger.info("quiet");
  logger.warn("loud");
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find("\"loud\""), std::string::npos);
}

}  // namespace
}  // namespace boligflyt

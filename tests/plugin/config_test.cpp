#include "core/config.h"

#include <gtest/gtest.h>

namespace boligflyt {
namespace {

TEST(PluginConfig, ReadsAllKeys) {
  auto config = parse_plugin_config(
      R"({"data_dir":"/var/lib/boligflyt","procedures_dir":"/usr/share/p","store":{"kind":"sqlite"},)"
      R"("limits":{"max_body_bytes":2048},"log_level":"warn","maintenance_interval_ms":500})");
  ASSERT_TRUE(config) << config.error().detail;
  EXPECT_EQ(config->data_dir, "/var/lib/boligflyt");
  EXPECT_EQ(config->procedures_dir, "/usr/share/p");
  EXPECT_EQ(config->max_body_bytes, 2048u);
  EXPECT_EQ(config->log_level, LogLevel::kWarn);
  EXPECT_EQ(config->maintenance_interval_ms, 500);
}

TEST(PluginConfig, DefaultsWhenOptionalKeysAreMissing) {
  auto config = parse_plugin_config(R"({"data_dir":"/tmp/x"})");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->store_kind, "sqlite");
  EXPECT_EQ(config->max_body_bytes, 8u * 1024 * 1024);
}

TEST(PluginConfig, ReadsPostgresqlDeviationAndNotificationSettings) {
  auto config = parse_plugin_config(
      R"({"data_dir":"/x","store":{"kind":"postgresql","connection":"host=127.0.0.1 dbname=b"},)"
      R"("deviations":{"receive_within":"P2D","close_within":"P2W"},)"
      R"("notifications":{"first_retry_seconds":5,"max_retry_seconds":60,"max_attempts":4}})");
  ASSERT_TRUE(config) << config.error().detail;
  EXPECT_EQ(config->store_kind, "postgresql");
  EXPECT_EQ(config->store_connection, "host=127.0.0.1 dbname=b");
  EXPECT_EQ(config->deviation_receive_within, "P2D");
  EXPECT_EQ(config->deviation_close_within, "P2W");
  EXPECT_EQ(config->notification_first_retry_seconds, 5);
  EXPECT_EQ(config->notification_max_retry_seconds, 60);
  EXPECT_EQ(config->notification_max_attempts, 4);
}

struct BadConfig {
  const char* json;
  const char* field;
  const char* detail_part;
};

class PluginConfigRejects : public ::testing::TestWithParam<BadConfig> {};

TEST_P(PluginConfigRejects, WithFieldAndNorwegianDetail) {
  auto config = parse_plugin_config(GetParam().json);
  ASSERT_FALSE(config) << GetParam().json;
  EXPECT_EQ(config.error().field, GetParam().field);
  EXPECT_NE(config.error().detail.find(GetParam().detail_part), std::string::npos)
      << config.error().detail;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PluginConfigRejects,
    ::testing::Values(
        BadConfig{"", "konfigurasjonen", "linje 1, kolonne 1"},
        BadConfig{"{\"data_dir\":\n  \"/x\",,}", "konfigurasjonen", "linje 2, kolonne 8"},
        BadConfig{"[]", "", "JSON-objekt"},
        BadConfig{R"({"data_dir":"relative/dir"})", "data_dir", "absolutt"},
        BadConfig{R"({"procedures_dir":"/p"})", "data_dir", "mangler"},
        BadConfig{R"({"data_dir":"/x","store":{"kind":"oracle"}})", "store.kind", "sqlite"},
        BadConfig{R"({"data_dir":"/x","limits":{"max_body_bytes":-1}})", "limits.max_body_bytes",
                  "heltall"},
        BadConfig{R"({"data_dir":"/x","limits":{"max_headers":1}})", "limits.max_headers",
                  "Ukjent"},
        BadConfig{R"({"data_dir":"/x","log_level":"loud"})", "log_level", "debug"},
        BadConfig{R"({"data_dir":"/x","datadir":"/y"})", "datadir", "Ukjent nøkkel"},
        BadConfig{R"({"data_dir":"/x","store":{"kind":"postgresql"}})", "store.connection",
                  "mangler"},
        BadConfig{R"({"data_dir":"/x","deviations":{"close_within":"30 dager"}})",
                  "deviations.close_within", "ISO 8601"},
        BadConfig{R"({"data_dir":"/x","deviations":{"close_within":"P0D"}})",
                  "deviations.close_within", "ISO 8601"},
        BadConfig{R"({"data_dir":"/x","deviations":{"remind":"P1D"}})", "deviations.remind",
                  "Ukjent nøkkel"},
        BadConfig{R"({"data_dir":"/x","notifications":{"max_attempts":0}})",
                  "notifications.max_attempts", "heltall"},
        BadConfig{"{\"data_dir\":\"/x\xff\"}", "konfigurasjonen", "UTF-8"}));

TEST(PluginConfig, ReadsThePrivacyOfficerTheEscalationDelayAndTheTestClock) {
  auto config = parse_plugin_config(
      R"({"data_dir":"/x","deviations":{"data_protection_officer":{"user":"personvernombud"},)"
      R"("escalate_after":"PT6H"},"development":{"clock_offset_seconds":270000}})");
  ASSERT_TRUE(config) << config.error().detail;
  EXPECT_EQ(config->deviation_privacy_officer_user, "personvernombud");
  EXPECT_EQ(config->deviation_privacy_officer_unit, "");
  EXPECT_EQ(config->deviation_escalate_after, "PT6H");
  EXPECT_EQ(config->development_clock_offset_seconds, 270000);
  auto by_unit = parse_plugin_config(
      R"({"data_dir":"/x","deviations":{"data_protection_officer":{"unit":"kommunedirektor"}}})");
  ASSERT_TRUE(by_unit);
  EXPECT_EQ(by_unit->deviation_privacy_officer_unit, "kommunedirektor");
  auto defaults = parse_plugin_config(R"({"data_dir":"/x"})");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->deviation_escalate_after, "P1D");
  EXPECT_EQ(defaults->development_clock_offset_seconds, 0) << "the real clock unless asked";

  for (
      const auto& [json, field] : {
          std::pair<const char*, const char*>{
              R"({"data_dir":"/x","deviations":{"data_protection_officer":{"user":"a","unit":"b"}}})",
              "deviations.data_protection_officer"},
          {R"({"data_dir":"/x","deviations":{"data_protection_officer":{"role":"x"}}})",
           "deviations.data_protection_officer.role"},
          {R"({"data_dir":"/x","deviations":{"data_protection_officer":{"user":""}}})",
           "deviations.data_protection_officer.user"},
          {R"({"data_dir":"/x","deviations":{"escalate_after":"tomorrow"}})",
           "deviations.escalate_after"},
          {R"({"data_dir":"/x","development":{"clock_offset_seconds":-5}})",
           "development.clock_offset_seconds"},
          {R"({"data_dir":"/x","development":{"speed":2}})", "development.speed"},
      }) {
    auto refused = parse_plugin_config(json);
    ASSERT_FALSE(refused) << json;
    EXPECT_EQ(refused.error().field, field) << json;
  }
}

TEST(PluginConfig, ReadsACatalogueOfCauseCodesAndRefusesAMalformedOne) {
  auto defaulted = parse_plugin_config(R"({"data_dir":"/x"})");
  ASSERT_TRUE(defaulted);
  EXPECT_TRUE(defaulted->cause_codes.empty()) << "empty: the default catalogue";
  auto config = parse_plugin_config(
      R"({"data_dir":"/x","cause_codes":[{"code":"husleie","label":"Husleie og økonomi"},)"
      R"({"code":"annet_2","label":"Annet"}]})");
  ASSERT_TRUE(config) << config.error().detail;
  ASSERT_EQ(config->cause_codes.size(), 2u);
  EXPECT_EQ(config->cause_codes[0],
            (std::pair<std::string, std::string>{"husleie", "Husleie og økonomi"}));
  for (
      const auto& [json, field] : std::vector<std::pair<std::string, std::string>>{
          {R"({"data_dir":"/x","cause_codes":[]})", "cause_codes"},
          {R"({"data_dir":"/x","cause_codes":{"a":"b"}})", "cause_codes"},
          {R"({"data_dir":"/x","cause_codes":[{"code":"Stor Bokstav","label":"x"}]})",
           "cause_codes/0"},
          {R"({"data_dir":"/x","cause_codes":[{"code":"a","label":""}]})", "cause_codes/0"},
          {R"({"data_dir":"/x","cause_codes":[{"code":"a","label":"A","extra":1}]})",
           "cause_codes/0"},
          {R"({"data_dir":"/x","cause_codes":[{"code":"a","label":"A"},{"code":"a","label":"B"}]})",
           "cause_codes/1"}}) {
    auto bad = parse_plugin_config(json);
    ASSERT_FALSE(bad) << json;
    EXPECT_EQ(bad.error().field, field) << json;
    EXPECT_FALSE(bad.error().detail.empty());
  }
}

TEST(PluginConfig, AttachmentLimitIsReadAndNeverAboveTheBodyLimit) {
  auto set = parse_plugin_config(R"({"data_dir":"/x","attachments":{"max_file_bytes":4096}})");
  ASSERT_TRUE(set) << set.error().detail;
  EXPECT_EQ(set->attachment_max_file_bytes, 4096u);
  auto defaulted = parse_plugin_config(R"({"data_dir":"/x"})");
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(defaulted->attachment_max_file_bytes, 8u * 1024 * 1024);
  auto follows = parse_plugin_config(R"({"data_dir":"/x","limits":{"max_body_bytes":2048}})");
  ASSERT_TRUE(follows);
  EXPECT_EQ(follows->attachment_max_file_bytes, 2048u);
  auto above = parse_plugin_config(
      R"({"data_dir":"/x","limits":{"max_body_bytes":2048},"attachments":{"max_file_bytes":4096}})");
  ASSERT_FALSE(above);
  EXPECT_EQ(above.error().field, "attachments.max_file_bytes");
  auto unknown = parse_plugin_config(R"({"data_dir":"/x","attachments":{"types":["gif"]}})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "attachments.types");
}

}  // namespace
}  // namespace boligflyt

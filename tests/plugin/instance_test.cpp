// The plugin instance through its C++ face: the system routes with a real SQLite store.
#include "core/instance.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"

namespace boligflyt {
namespace {

using boligflyt::testing::TempDir;

class FakeDirectoryHost final : public ports::HostServices {
 public:
  // ports::HostServices
  Result<std::optional<std::string>> directory_lookup(const std::string& query) override {
    if (query.find("eiendom") != std::string::npos) {
      return std::optional<std::string>{R"({"id":"eiendom","name":"Eiendom – kommunale boliger"})"};
    }
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string&) override { return {}; }
  Result<void> publish_document(const std::string&, std::string_view) override { return {}; }
};

class InstanceTest : public ::testing::Test {
 protected:
  std::unique_ptr<Instance> start(std::string procedures_dir = {}, bool archive = true) {
    PluginConfig config;
    config.data_dir = (dir_.path() / "data").string();
    config.procedures_dir = std::move(procedures_dir);
    config.archive_enabled = archive;
    return std::make_unique<Instance>(
        config, [](LogLevel, std::string_view) {}, std::make_unique<FakeDirectoryHost>());
  }

  api::Response call(Instance& instance, std::string_view method, std::string_view path,
                     std::string_view body = {},
                     std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    r.principal = testing::leader_of("eiendom");
    return instance.handle(std::move(r));
  }

  static std::string etag(const api::Response& r) {
    for (const auto& [k, v] : r.headers) {
      if (k == "ETag") return v;
    }
    return {};
  }

  TempDir dir_;
};

TEST_F(InstanceTest, HealthzAnswersWithoutPrincipal) {
  auto instance = start(BOLIGFLYT_SOURCE_DIR "/procedures");
  api::Request r;
  r.method = "GET";
  r.path = "/healthz";
  auto response = instance->handle(r);
  EXPECT_EQ(response.status, 200);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("status").as_string(), "ok") << response.body;
  EXPECT_EQ(body.at("checks").at("store").as_string(), "ok");
  EXPECT_TRUE(body.at("reasons").as_array().empty()) << response.body;
}

TEST_F(InstanceTest, HealthzSaysDegradedAndWhyForEveryCapabilityThatIsOff) {
  auto instance = start({}, /*archive=*/false);
  api::Request r;
  r.method = "GET";
  r.path = "/healthz";
  auto response = instance->handle(r);
  EXPECT_EQ(response.status, 200);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("status").as_string(), "degraded");
  const std::string reasons = boost::json::serialize(body.at("reasons"));
  EXPECT_NE(reasons.find("archive.enabled"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("procedures_dir"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("Ingen prosedyre er lest inn"), std::string::npos) << reasons;
}

TEST_F(InstanceTest, MeShowsThePrincipalWithUnitNamesFromTheDirectory) {
  auto instance = start();
  auto response = call(*instance, "GET", "/api/v1/me");
  ASSERT_EQ(response.status, 200);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("user_id").as_string(), "leder-eiendom");
  EXPECT_EQ(body.at("units").at(0).at("name").as_string(), "Eiendom – kommunale boliger");
  EXPECT_EQ(body.at("roles").at(0).as_string(), "unit_leader");
}

TEST_F(InstanceTest, PreferencesRoundTripWithEtagsAndSurviveRestart) {
  {
    auto instance = start();
    auto initial = call(*instance, "GET", "/api/v1/me/preferences");
    ASSERT_EQ(initial.status, 200);
    EXPECT_EQ(etag(initial), "\"0\"");
    EXPECT_EQ(boost::json::parse(initial.body).at("notify").as_string(), "immediately");

    auto put = call(*instance, "PUT", "/api/v1/me/preferences", R"({"notify":"daily_digest"})",
                    {{"If-Match", "\"0\""}});
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(etag(put), "\"1\"");

    auto stale = call(*instance, "PUT", "/api/v1/me/preferences", R"({"notify":"weekly_digest"})",
                      {{"If-Match", "\"0\""}});
    EXPECT_EQ(stale.status, 412);
    auto junk_etag =
        call(*instance, "PUT", "/api/v1/me/preferences", "{}", {{"If-Match", "W/\"x\""}});
    EXPECT_EQ(junk_etag.status, 412);
  }
  auto instance = start();
  auto after = call(*instance, "GET", "/api/v1/me/preferences");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(etag(after), "\"1\"");
  EXPECT_EQ(boost::json::parse(after.body).at("notify").as_string(), "daily_digest");
}

TEST_F(InstanceTest, InvalidPreferencesAre422WithTheField) {
  auto instance = start();
  auto r = call(*instance, "PUT", "/api/v1/me/preferences", R"({"notify":"hver time"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(boost::json::parse(r.body).at("field").as_string(), "notify");
  r = call(*instance, "PUT", "/api/v1/me/preferences", R"({"farge":"blå"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(boost::json::parse(r.body).at("field").as_string(), "farge");
  r = call(*instance, "PUT", "/api/v1/me/preferences", R"([1,2])");
  EXPECT_EQ(r.status, 422);
  // Nothing was stored by the refused writes.
  EXPECT_EQ(etag(call(*instance, "GET", "/api/v1/me/preferences")), "\"0\"");
}

TEST_F(InstanceTest, SystemDescribesTheStoreAndMetricsCountRequests) {
  auto instance = start();
  auto system = call(*instance, "GET", "/api/v1/system");
  ASSERT_EQ(system.status, 200);
  auto body = boost::json::parse(system.body).as_object();
  EXPECT_EQ(body.at("version").as_string(), BOLIGFLYT_VERSION);
  EXPECT_EQ(body.at("store").at("backend").as_string(), "sqlite");
  auto metrics = call(*instance, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(metrics.body.find("route=\"/api/v1/system\",status=\"200\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("boligflyt_build_info{version=\"" BOLIGFLYT_VERSION "\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace boligflyt

// The pages and the data only they need, through the plugin instance: the HTML shell with its
// security headers, content-hashed assets, and the swimlane picture with avvik counts.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "api/web_assets.h"
#include "core/instance.h"
#include "test_support.h"

namespace boligflyt {
namespace {

class NoHost final : public ports::HostServices {
 public:
  // ports::HostServices
  Result<std::optional<std::string>> directory_lookup(const std::string&) override {
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string&) override { return {}; }
  Result<void> publish_document(const std::string&, std::string_view) override { return {}; }
};

std::string header(const api::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (api::iequals(k, name)) return v;
  }
  return {};
}

class WebRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    PluginConfig config;
    config.data_dir = dir_.str() + "/data";
    config.procedures_dir = BOLIGFLYT_SOURCE_DIR "/procedures";
    instance_ = std::make_unique<Instance>(
        config, [](LogLevel, std::string_view) {}, std::make_unique<NoHost>());
  }

  api::Response call(std::string_view method, std::string_view path, bool signed_in = true,
                     std::string_view body = {},
                     std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers = std::move(headers);
    if (signed_in) r.principal = testing::leader_of("nav");
    return instance_->handle(std::move(r));
  }

  testing::TempDir dir_;
  std::unique_ptr<Instance> instance_;
};

TEST_F(WebRoutes, EveryPageIsTheShellWithAStrictContentSecurityPolicy) {
  for (const char* path : {"/", "/registrer", "/avvik", "/avvik/AVVIK-2026-0001", "/prosedyren",
                           "/revisjon", "/oversikt"}) {
    const auto r = call("GET", path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("style-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    EXPECT_NE(r.body.find("<html lang=\"nb\">"), std::string::npos);
    EXPECT_EQ(r.body.find("@TITLE@"), std::string::npos) << "every placeholder is filled";
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << "no inline script";
  }
  // The page for one avvik has a fixed title: no avvik text reaches the browser's history.
  EXPECT_NE(call("GET", "/avvik/AVVIK-2026-0001").body.find("<title>Avvik – boligflyt</title>"),
            std::string::npos);
  EXPECT_EQ(call("GET", "/", false).status, 401) << "pages need a principal like the API";
}

TEST_F(WebRoutes, AssetsAreServedUnderTheirContentHashAndCachedForAYear) {
  const auto page = call("GET", "/");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex(R"(/assets/app\.([0-9a-f]{16})\.js)")));
  const std::string hashed = m.str(0);
  const auto script = call("GET", hashed, false);
  ASSERT_EQ(script.status, 200) << script.body;
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(script, "Cache-Control"), "public, max-age=31536000, immutable");
  const auto& assets = api::web_assets();
  const auto js = std::find_if(assets.begin(), assets.end(),
                               [](const api::WebAsset& a) { return a.name == "app.js"; });
  ASSERT_NE(js, assets.end());
  EXPECT_EQ(script.body, js->bytes);
  EXPECT_EQ(m.str(1), js->hash);

  EXPECT_EQ(call("GET", "/assets/app.0123456789abcdef.js", false).status, 404)
      << "a stale hash is not served as if it were current";
  EXPECT_EQ(call("GET", "/assets/page.html", false).status, 404) << "the shell is not an asset";
  const auto plain = call("GET", "/assets/app.css", false);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(header(plain, "Cache-Control"), "no-cache");
  const std::string etag = header(plain, "ETag");
  const auto again = call("GET", "/assets/app.css", false, {}, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(WebRoutes, AvvikMapColoursTheStepsByTheirAvvikCount) {
  const auto before =
      call("GET", "/api/v1/procedures/boligflytprosedyre/versions/3.0/avvik-map.svg");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.body.find("avvik registrert"), std::string::npos);

  for (int i = 0; i < 2; ++i) {
    const auto created = call(
        "POST", "/api/v1/deviations", true,
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
        R"("incident_date":"2025-03-10","category":"uklart_ansvar",)"
        R"("severity":"middels","title":"Innkallingen kom ikke","description":"Ingen innkalling."})",
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const auto after =
      call("GET", "/api/v1/procedures/boligflytprosedyre/versions/3.0/avvik-map.svg");
  ASSERT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("2 avvik registrert"), std::string::npos);
  EXPECT_EQ(after.body.find("Innkallingen"), std::string::npos) << "counts only, never the text";
  EXPECT_EQ(
      call("GET", "/api/v1/procedures/boligflytprosedyre/versions/3.0/avvik-map.svg").content_type,
      "image/svg+xml; charset=utf-8");
  EXPECT_EQ(call("GET", "/api/v1/procedures/boligflytprosedyre/versions/9.0/avvik-map.svg").status,
            404);
}

TEST_F(WebRoutes, UnitsListTheRegistry) {
  const auto r = call("GET", "/api/v1/units");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto items = boost::json::parse(r.body).at("items").as_array();
  ASSERT_FALSE(items.empty());
  bool found = false;
  for (const auto& u : items) found = found || u.at("id").as_string() == "boligkontor";
  EXPECT_TRUE(found) << r.body;
}

}  // namespace
}  // namespace boligflyt

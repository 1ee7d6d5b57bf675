// The procedure read API over the shipped procedures, through the plugin instance.
#include <gtest/gtest.h>

#include <boost/json.hpp>

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

class ProcedureRoutes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    PluginConfig config;
    config.data_dir = dir_->str() + "/data";
    config.procedures_dir = BOLIGFLYT_SOURCE_DIR "/procedures";
    instance_ = new Instance(
        config, [](LogLevel, std::string_view) {}, std::make_unique<NoHost>());
  }
  static void TearDownTestSuite() {
    delete instance_;
    delete dir_;
  }

  static api::Response get(std::string_view path, std::string_view query = {},
                           std::string_view accept = "application/json") {
    api::Request r;
    r.method = "GET";
    r.path = path;
    r.query = query;
    r.headers.emplace_back("Accept", accept);
    r.principal = testing::leader_of("nav");
    return instance_->handle(std::move(r));
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline Instance* instance_ = nullptr;
};

TEST_F(ProcedureRoutes, ListsTheProcedureWithTheVersionInForce) {
  auto r = get("/api/v1/procedures");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = boost::json::parse(r.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_string(), "boligflytprosedyre");
  EXPECT_EQ(items[0].at("version_count").as_int64(), 5);
  // 4.0 is published but applies from 2027-01-01; until then 3.1 is in force.
  EXPECT_EQ(items[0].at("in_force").at("version").as_string(), "3.1");
}

TEST_F(ProcedureRoutes, VersionAsJsonAndAsTheOriginalXmlWithContentHash) {
  auto r = get("/api/v1/procedures/boligflytprosedyre/versions/3.0");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("version").as_string(), "3.0");
  std::size_t steps = 0;
  for (const auto& phase : body.at("phases").as_array())
    steps += phase.at("steps").as_array().size();
  EXPECT_EQ(static_cast<std::int64_t>(steps), body.at("step_count").as_int64());
  EXPECT_GE(steps, 30u);

  auto xml = get("/api/v1/procedures/boligflytprosedyre/versions/3.0", {}, "application/xml");
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(xml.content_type.rfind("application/xml", 0), 0u);
  EXPECT_NE(xml.body.find("<procedure"), std::string::npos);
  std::string etag;
  for (const auto& [k, v] : xml.headers) {
    if (k == "ETag") etag = v;
  }
  EXPECT_EQ(etag, "\"1-" + std::string(body.at("sha256").as_string()) + "\"");
}

TEST_F(ProcedureRoutes, VersionInForceOnADate) {
  auto r = get("/api/v1/procedures/boligflytprosedyre/in-force", "date=2022-06-01");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("version").as_string(), "2.0");
  EXPECT_EQ(get("/api/v1/procedures/boligflytprosedyre/in-force", "date=1999-01-01").status, 404);
  auto bad = get("/api/v1/procedures/boligflytprosedyre/in-force", "date=1.juni");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(boost::json::parse(bad.body).at("field").as_string(), "date");
}

TEST_F(ProcedureRoutes, DiffAsJsonAndAsNorwegianText) {
  auto r = get("/api/v1/procedures/boligflytprosedyre/diff/2.0/3.0");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = boost::json::parse(r.body).as_object();
  bool responsible_changed = false;
  for (const auto& c : body.at("changes").as_array()) {
    responsible_changed =
        responsible_changed || (c.at("kind").as_string() == "responsible_changed" &&
                                c.at("step").as_string() == "inkasso-oversendelse");
  }
  EXPECT_TRUE(responsible_changed);
  auto text = get("/api/v1/procedures/boligflytprosedyre/diff/2.0/3.0", {}, "text/plain");
  ASSERT_EQ(text.status, 200);
  EXPECT_NE(text.body.find("Nye trinn:"), std::string::npos) << text.body;
}

TEST_F(ProcedureRoutes, DocumentDiagramAndBpmnOfAVersion) {
  const std::string base = "/api/v1/procedures/boligflytprosedyre/versions/3.0";
  auto html = get(base + "/document", {}, "text/html");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(html.body.find("lang=\"nb\""), std::string::npos);
  EXPECT_NE(html.body.find("id=\"trinn-tildelingsmote\""), std::string::npos);
  EXPECT_EQ(html.body.find("http://"), html.body.find("http://www.w3.org"))
      << "no external requests besides namespace URIs";
  EXPECT_EQ(get(base + "/document").body, html.body) << "the same version renders the same bytes";

  auto svg = get(base + "/diagram.svg");
  ASSERT_EQ(svg.status, 200);
  EXPECT_EQ(svg.content_type.rfind("image/svg+xml", 0), 0u);
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);

  auto bpmn = get(base + "/bpmn");
  ASSERT_EQ(bpmn.status, 200);
  EXPECT_NE(bpmn.body.find("bpmn:definitions"), std::string::npos);
  EXPECT_NE(bpmn.body.find("bpmn:laneSet"), std::string::npos);

  auto diff = get("/api/v1/procedures/boligflytprosedyre/diff/2.0/3.0", {}, "text/html");
  ASSERT_EQ(diff.status, 200);
  EXPECT_EQ(diff.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(diff.body.find("samarbeidsmote-namsmann-inkasso"), std::string::npos);
  EXPECT_EQ(get(base + "/document/x").status, 404);
  EXPECT_EQ(get("/api/v1/procedures/boligflytprosedyre/versions/8.0/bpmn").status, 404);
}

TEST_F(ProcedureRoutes, UnknownProcedureVersionAndBadVersionText) {
  EXPECT_EQ(get("/api/v1/procedures/finnes-ikke/versions").status, 404);
  EXPECT_EQ(get("/api/v1/procedures/boligflytprosedyre/versions/9.0").status, 404);
  EXPECT_EQ(get("/api/v1/procedures/boligflytprosedyre/versions/tre").status, 400);
}

TEST_F(ProcedureRoutes, HealthReportsTheProcedures) {
  api::Request r;
  r.method = "GET";
  r.path = "/healthz";
  auto health = boost::json::parse(instance_->handle(r).body);
  EXPECT_EQ(health.at("checks").at("procedures").as_string(), "ok");
  EXPECT_EQ(health.at("checks").at("procedure_count").as_int64(), 1);
}

}  // namespace
}  // namespace boligflyt

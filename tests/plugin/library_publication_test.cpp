// Publication with the plugin's own document library (core/config.h "document_library"): the
// documents go into the outbox with the publication, and the host's publish_document is not
// called; without a library the host gets the HTML as before (procedure_lifecycle_test.cpp).
// The library here is a loopback port nobody listens on, so every message stays pending:
// the delivery itself is tested against a real WebDAV server (tests/e2e).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/instance.h"
#include "support/procedure_drafts.h"
#include "test_support.h"

namespace boligflyt {
namespace {

namespace json = boost::json;

class RecordingHost final : public ports::HostServices {
 public:
  // ports::HostServices
  Result<std::optional<std::string>> directory_lookup(const std::string& query) override {
    auto q = json::parse(query).as_object();
    if (const auto* unit = q.if_contains("leaders_of")) {
      return std::optional<std::string>{json::serialize(
          json::array{json::object{{"id", "leder-" + std::string(unit->as_string())}}})};
    }
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string&) override { return {}; }
  Result<void> publish_document(const std::string& meta, std::string_view content) override {
    documents.emplace_back(meta, std::string(content));
    return {};
  }
  std::vector<std::pair<std::string, std::string>> documents;
};

TEST(LibraryPublication, PublishingQueuesTheDocumentsForTheLibraryInsteadOfTheHost) {
  testing::TempDir dir;
  PluginConfig config;
  config.data_dir = dir.str() + "/data";
  config.procedures_dir = BOLIGFLYT_SOURCE_DIR "/procedures";
  config.maintenance_interval_ms = 60'000;
  adapters::WebDavSettings library;
  library.host = "127.0.0.1";
  library.port = 1;  // nobody listens: deliveries fail and are retried later
  library.base_path = "/dav";
  library.timeout_seconds = 1;
  config.document_library = library;
  auto host = std::make_unique<RecordingHost>();
  auto* recorded = host.get();
  Instance instance(
      config, [](LogLevel, std::string_view) {}, std::move(host));

  auto call = [&](const api::Principal& who, std::string_view method, const std::string& path,
                  std::string_view body = {}, std::string_view type = "application/json") {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers.emplace_back("Content-Type", type);
    r.principal = who;
    return instance.handle(std::move(r));
  };
  const api::Principal owner{
      "prosedyreeier", "Per Eier", {"boligsosial-koordinator"}, {"procedure_owner"}};
  const api::Principal approver{"godkjenner", "Gro Godkjenner", {"kommunedirektor"}, {"approver"}};
  const std::string v =
      "/api/v1/procedures/boligflytprosedyre/versions/" + std::string(testing::kDraftVersion);
  ASSERT_EQ(call(owner, "POST", "/api/v1/procedures/boligflytprosedyre/versions",
                 testing::draft_revision(), "application/xml")
                .status,
            201);
  ASSERT_EQ(call(owner, "POST", v + "/consultation", R"({"deadline":"2099-12-31"})").status, 200);
  for (const char* unit : {"nav", "boligkontor"}) {
    ASSERT_EQ(call(testing::leader_of(unit), "PUT", v + "/consultation/answers/" + unit,
                   R"({"answer":"agree"})")
                  .status,
              200);
  }
  ASSERT_EQ(call(approver, "POST", v + "/approval").status, 200);
  const auto published =
      call(approver, "POST", v + "/publication",
           std::string(R"({"effective_from":")") + testing::kDraftEffectiveFrom + "\"}");
  ASSERT_EQ(published.status, 200) << published.body;

  EXPECT_TRUE(recorded->documents.empty()) << "the library, not the host, gets the documents";
  // In the outbox: the new version, and (queued at start) 3.1 in force and 4.0 to come.
  const auto metrics =
      call({"kvalitetsleder", "Kari Kvalitet", {"kommunedirektor"}, {"quality_leader"}}, "GET",
           "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find(
                R"(boligflyt_outbox_messages{topic="document_library",status="pending"} 3)"),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace boligflyt

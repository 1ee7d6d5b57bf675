// What crosses the ABI, seen from a stub plugin: the plugin config, the request and its
// principal, the host services, and how the host maps plugin failures.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

class HostServicesTest : public HostTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start_stub_host()); }

  HttpResult post(const std::string& target, const std::string& body, Headers headers = {}) {
    Headers all = bearer(token("leder-boligkontor"));
    all.insert(all.end(), headers.begin(), headers.end());
    return http_request(host_->port(), "POST", target, all, body);
  }
};

TEST_F(HostServicesTest, PluginConfigHasTheContractKeysAndAbsolutePaths) {
  const HttpResult response = get("/stub/config", bearer(token("leder-boligkontor")));
  ASSERT_EQ(response.status, 200u) << response.error;
  EXPECT_EQ(json_at(response.body, "/data_dir"), data_dir().string());
  const std::optional<std::string> procedures = json_at(response.body, "/procedures_dir");
  ASSERT_TRUE(procedures.has_value());
  EXPECT_TRUE(std::filesystem::path(*procedures).is_absolute()) << *procedures;
  EXPECT_TRUE(procedures->ends_with("/procedures")) << *procedures;
  EXPECT_EQ(json_at(response.body, "/store/kind"), "sqlite");
  EXPECT_EQ(json_at(response.body, "/limits/max_body_bytes"), "8388608");
}

TEST_F(HostServicesTest, RequestReachesPluginWithPrincipalQueryAndHeadersButNoCredential) {
  const HttpResult response =
      post("/stub/echo?side=2&filter=%C3%A5pen", R"({"a":1})", {{"X-Custom", "verdi"}});
  ASSERT_EQ(response.status, 200u) << response.error;
  EXPECT_EQ(json_at(response.body, "/method"), "POST");
  EXPECT_EQ(json_at(response.body, "/path"), "/stub/echo");
  EXPECT_EQ(json_at(response.body, "/query"), "side=2&filter=%C3%A5pen");
  EXPECT_EQ(json_at(response.body, "/body"), R"({"a":1})");
  EXPECT_EQ(json_at(response.body, "/headers/x-custom"), "verdi");
  EXPECT_EQ(json_at(response.body, "/headers/x-request-id")->size(), 32u);
  EXPECT_FALSE(json_at(response.body, "/headers/authorization").has_value())
      << "the bearer token must not be handed to the plugin";
  EXPECT_EQ(json_at(response.body, "/principal/user_id"), "leder-boligkontor");
  EXPECT_EQ(json_at(response.body, "/principal/display_name"), "Kari Solberg");
  EXPECT_EQ(json_at(response.body, "/principal/units"), R"(["boligkontor"])");
  EXPECT_EQ(json_at(response.body, "/principal/roles"), R"(["unit_leader"])");
}

TEST_F(HostServicesTest, HealthzReachesPluginWithoutPrincipal) {
  const HttpResult response = get("/healthz");
  EXPECT_EQ(response.status, 200u);
}

TEST_F(HostServicesTest, DirectoryLookupAnswersUnitsUsersAndLeaders) {
  const HttpResult unit = post("/stub/directory", R"({"unit_id":"okonomi"})");
  ASSERT_EQ(unit.status, 200u) << unit.body;
  EXPECT_EQ(json_at(unit.body, "/name"), "Økonomi – innfordring");
  EXPECT_EQ(json_at(unit.body, "/parent"), "kommunedirektor");

  const HttpResult user = post("/stub/directory", R"({"user_id":"godkjenner"})");
  ASSERT_EQ(user.status, 200u) << user.body;
  EXPECT_EQ(json_at(user.body, "/roles"), R"(["approver"])");

  const HttpResult leaders = post("/stub/directory", R"({"leaders_of":"nav"})");
  ASSERT_EQ(leaders.status, 200u) << leaders.body;
  EXPECT_EQ(json_array_size(leaders.body, ""), 1u) << leaders.body;
  EXPECT_EQ(json_at(leaders.body, "/0/id"), "leder-nav");

  EXPECT_EQ(post("/stub/directory", R"({"unit_id":"finnes-ikke"})").body, "null");
  EXPECT_EQ(post("/stub/directory", R"({"leaders_of":"finnes-ikke"})").body, "[]");
  EXPECT_EQ(post("/stub/directory", R"({"something":"else"})").status, 502u);
}

TEST_F(HostServicesTest, NotifyAppendsOneLinePerNotification) {
  ASSERT_EQ(
      post("/stub/notify",
           "{\"recipient\":{\"unit_id\":\"nav\"},\n \"subject\":\"Nytt avvik\",\"key\":\"k1\"}")
          .status,
      204u);
  ASSERT_EQ(post("/stub/notify",
                 R"({"recipient":{"user_id":"leder-nav"},"subject":"Påminnelse","key":"k2"})")
                .status,
            204u);
  EXPECT_EQ(post("/stub/notify", "not json").status, 502u);

  std::ifstream in(data_dir() / "outbox" / "notifications.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json_at(lines[0], "/key"), "k1");
  EXPECT_EQ(json_at(lines[1], "/subject"), "Påminnelse");
}

TEST_F(HostServicesTest, PublishDocumentWritesContentAndMeta) {
  const std::string content = "<html><body>Boligflytprosedyre</body></html>";
  const HttpResult published = post(
      "/stub/publish", content,
      {{"X-Meta",
        R"j({"title":"Boligflytprosedyre – versjon 2 (utkast/ny)","content_type":"text/html","procedure_id":"boligflyt","version":"2"})j"}});
  ASSERT_EQ(published.status, 204u) << published.body;
  const std::filesystem::path file =
      data_dir() / "documents" / "boligflytprosedyre-versjon-2-utkast-ny.html";
  EXPECT_EQ(read_file(file), content);
  const std::string meta = read_file(file.string() + ".json");
  EXPECT_EQ(json_at(meta, "/procedure_id"), "boligflyt") << meta;
  EXPECT_EQ(json_at(meta, "/sha256")->size(), 64u) << meta;
  EXPECT_EQ(json_at(meta, "/file"), file.filename().string());

  // Same title, other bytes: both documents are kept.
  ASSERT_EQ(
      post(
          "/stub/publish", "annet innhold",
          {{"X-Meta",
            R"j({"title":"Boligflytprosedyre – versjon 2 (utkast/ny)","content_type":"text/html"})j"}})
          .status,
      204u);
  EXPECT_EQ(read_file(file), content);
  std::size_t documents = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir() / "documents")) {
    documents += entry.path().extension() == ".html" ? 1 : 0;
  }
  EXPECT_EQ(documents, 2u);

  // A checksum that does not match the bytes is refused.
  EXPECT_EQ(post("/stub/publish", "x", {{"X-Meta", R"({"title":"t","sha256":"00"})"}}).status,
            502u);
}

TEST_F(HostServicesTest, PluginLogLinesReachStderrOnOneLine) {
  ASSERT_EQ(post("/stub/log", "{\"event\":\"stub_log_test\",\n\"n\":1}").status, 204u);
  ASSERT_EQ(host_->stop(), 0);
  const std::string log = host_->stderr_text();
  EXPECT_NE(log.find("{\"event\":\"stub_log_test\", \"n\":1}\n"), std::string::npos) << log;
}

TEST_F(HostServicesTest, DispatchFailureBecomes500ProblemJson) {
  const HttpResult response = get("/stub/fail", bearer(token("leder-boligkontor")));
  EXPECT_EQ(response.status, 500u);
  EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json_at(response.body, "/status"), "500");
  // The plugin's internal message is for the log, not for the client.
  EXPECT_EQ(response.body.find("simulated"), std::string::npos);
  EXPECT_EQ(get("/healthz").status, 200u) << "one failed dispatch must not break the host";
}

TEST_F(HostServicesTest, PluginHeadersArePassedButUnsafeOnesDropped) {
  const HttpResult response = get("/stub/headers", bearer(token("leder-boligkontor")));
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.header("X-Stub"), "yes");
  EXPECT_EQ(response.header("Location"), "/stub/echo");
  EXPECT_EQ(response.header("X-Injected"), "");
  EXPECT_EQ(response.header("Set-Cookie"), "");
  EXPECT_EQ(response.header("Content-Length"), "5");
  EXPECT_EQ(response.body, "laget");
}

TEST_F(HostServicesTest, DestroyRunsOnSigterm) {
  EXPECT_EQ(host_->stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(data_dir() / "stub-destroyed")) << host_->stderr_text();
}

TEST_F(HostServicesTest, ConcurrentRequestsAreAllAnswered) {
  // Many connections at once across the host's thread pool.
  const std::string t = token("leder-boligkontor");
  std::vector<std::thread> clients;
  clients.reserve(16);
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&, i] {
      HttpConnection connection(host_->port());
      for (int j = 0; j < 10; ++j) {
        const HttpResult r =
            connection.request("GET", "/stub/echo?i=" + std::to_string(i), bearer(t));
        if (r.status == 200u && json_at(r.body, "/query") == "i=" + std::to_string(i)) ++ok;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok.load(), 160);
}

}  // namespace
}  // namespace boligflyt::e2e

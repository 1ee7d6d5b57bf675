// Two reference hosts ("nodes") sharing one real PostgreSQL database, as a municipality with
// several quality-system nodes runs the plugin: an avvik registered on one node is read and
// driven on the other, ids stay unique and gapless when both register at once, and a
// notification is delivered once although both nodes run an outbox worker.
// The server is the throwaway cluster of the CTest fixture postgres_cluster.

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

std::string server_conninfo() {
  std::ifstream in(BOLIGFLYT_TEST_PG_CONNINFO_FILE);
  std::string line;
  std::getline(in, line);
  return line;
}

class PostgresqlNodesTest : public HostTest {
 protected:
  void SetUp() override {
    const auto server = server_conninfo();
    ASSERT_FALSE(server.empty()) << "no PostgreSQL test server (" BOLIGFLYT_TEST_PG_CONNINFO_FILE
                                    "); run through ctest, whose fixture starts one";
    database_ = "e2e_nodes_" + std::to_string(::getpid());
    ASSERT_NO_FATAL_FAILURE(admin("DROP DATABASE IF EXISTS " + database_));
    ASSERT_NO_FATAL_FAILURE(admin("CREATE DATABASE " + database_));
  }
  void TearDown() override {
    host_.reset();
    second_.reset();
    admin("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  static void admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(server_conninfo().c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    const std::string error = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    ASSERT_EQ(status, PGRES_COMMAND_OK) << sql << ": " << error;
  }

  std::filesystem::path node_config(const std::string& name) {
    const std::string plugin = R"({"store":{"kind":"postgresql","connection":)" +
                               json_quote(server_conninfo() + " dbname=" + database_) + "}}";
    return write_config(json_set(default_config_json(), {"plugin"}, plugin), name);
  }

  void start_nodes() {
    ASSERT_NO_FATAL_FAILURE(start_host(node_config("a.json")));
    HostOptions options;
    options.data_dir = temp_.path() / "data-b";
    options.config_file = node_config("b.json");
    std::string failure;
    second_ = HostProcess::start(options, temp_.path(), failure);
    ASSERT_NE(second_, nullptr) << failure;
  }

  static HttpResult call(HostProcess& node, const std::string& user, const std::string& method,
                         const std::string& target, const std::string& body = {},
                         const std::string& if_match = {}) {
    Headers h = bearer(node.printed_token(user));
    h.emplace_back("Content-Type", "application/json");
    if (!if_match.empty()) h.emplace_back("If-Match", if_match);
    return http_request(node.port(), method, target, h, body);
  }

  static std::string avvik(const std::string& title) {
    return R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
           R"("incident_date":"2025-06-02","category":"annet","severity":"lav","title":")" +
           title + R"(","description":"Beskrivelse."})";
  }

  std::string database_;
  std::unique_ptr<HostProcess> second_;
};

TEST_F(PostgresqlNodesTest, AvvikRegisteredOnOneNodeIsDrivenOnTheOther) {
  ASSERT_NO_FATAL_FAILURE(start_nodes());
  const auto system = call(*second_, "kvalitetsleder", "GET", "/api/v1/system");
  EXPECT_EQ(json_at(system.body, "/store/backend"), "postgresql") << system.body;

  const auto created = call(*host_, "leder-nav", "POST", "/api/v1/deviations", avvik("På A"));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json_at(created.body, "/id").value_or("");

  const auto read = call(*second_, "leder-boligkontor", "GET", "/api/v1/deviations/" + id);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(json_at(read.body, "/title"), "På A");
  const auto received =
      call(*second_, "leder-boligkontor", "POST", "/api/v1/deviations/" + id + "/transitions",
           R"({"transition":"motta"})", read.header("ETag"));
  ASSERT_EQ(received.status, 200u) << received.body;

  // Node A's copy is stale now: its ETag is refused, the current one accepted.
  EXPECT_EQ(call(*host_, "leder-boligkontor", "POST", "/api/v1/deviations/" + id + "/transitions",
                 R"({"transition":"behandle"})", created.header("ETag"))
                .status,
            412u);
  const auto treated =
      call(*host_, "leder-boligkontor", "POST", "/api/v1/deviations/" + id + "/transitions",
           R"({"transition":"behandle"})", received.header("ETag"));
  EXPECT_EQ(treated.status, 200u) << treated.body;
  const auto history =
      call(*second_, "kvalitetsleder", "GET", "/api/v1/deviations/" + id + "/history");
  EXPECT_EQ(json_array_size(history.body, "/items"), 3u) << history.body;
  EXPECT_EQ(json_at(history.body, "/chain/valid"), "true");
}

TEST_F(PostgresqlNodesTest, BothNodesRegisteringAtOnceGetUniqueGaplessIds) {
  ASSERT_NO_FATAL_FAILURE(start_nodes());
  std::mutex mutex;
  std::set<std::string> ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HostProcess& node = t % 2 == 0 ? *host_ : *second_;
      for (int i = 0; i < 10; ++i) {
        const auto r = call(node, "leder-nav", "POST", "/api/v1/deviations",
                            avvik("Node " + std::to_string(t % 2)));
        if (r.status != 201u) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        ids.insert(json_at(r.body, "/id").value_or(""));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(ids.size(), 80u);
  const std::string year = ids.begin()->substr(6, 4);
  for (int n = 1; n <= 80; ++n) {
    char expected[32];
    std::snprintf(expected, sizeof expected, "AVVIK-%s-%04d", year.c_str(), n);
    EXPECT_TRUE(ids.count(expected)) << expected << " missing";
  }

  // Each registration notified the responsible leader once, whichever node delivered it.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string delivered;
  while (std::chrono::steady_clock::now() < deadline) {
    delivered = call(*host_, "kvalitetsleder", "GET", "/api/v1/notifications?status=pending").body;
    if (json_array_size(delivered, "/items").value_or(1) == 0) break;
    std::this_thread::sleep_for(200ms);
  }
  const auto counts = call(*second_, "kvalitetsleder", "GET", "/api/v1/notifications");
  EXPECT_EQ(json_at(counts.body, "/counts/delivered"), "80") << counts.body;
  std::size_t lines = 0;
  for (const auto& dir : {data_dir(), temp_.path() / "data-b"}) {
    std::ifstream in(dir / "outbox" / "notifications.jsonl");
    for (std::string line; std::getline(in, line);)
      lines += line.find(":registered:") != std::string::npos;
  }
  EXPECT_EQ(lines, 80u) << "each notification delivered by exactly one node";
}

}  // namespace
}  // namespace boligflyt::e2e

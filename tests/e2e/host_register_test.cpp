// ABI 1.1: the reference host's own avvik register (DATA/register/avvik.jsonl). The real
// plugin mirrors every avvik when it is registered and after each change, without its free
// text; the host keeps one line per new revision and ignores a retry or an older revision.

#include <chrono>
#include <fstream>
#include <thread>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

class HostRegisterTest : public HostTest {
 protected:
  std::filesystem::path register_file() const { return data_dir() / "register" / "avvik.jsonl"; }

  std::vector<std::string> register_lines(const std::string& needle) const {
    std::vector<std::string> out;
    std::ifstream in(register_file());
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  std::vector<std::string> wait_for_lines(const std::string& needle, std::size_t count) const {
    const auto deadline = deadline_in(20s);
    auto lines = register_lines(needle);
    while (lines.size() < count && Clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      lines = register_lines(needle);
    }
    return lines;
  }

  HttpResult post(const std::string& user, const std::string& target, const std::string& body) {
    Headers h = bearer(token(user));
    h.emplace_back("Content-Type", "application/json");
    return http_request(host_->port(), "POST", target, h, body);
  }
};

TEST_F(HostRegisterTest, EveryChangeOfAnAvvikIsMirroredWithoutItsFreeText) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto created = post("leder-nav", "/api/v1/deviations",
                            R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
                            R"("incident_date":"2025-06-02","category":"uklart_ansvar",)"
                            R"("severity":"middels","title":"Innkalling mangler",)"
                            R"("description":"Ingen innkalling til møtet."})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json_at(created.body, "/id").value_or("");
  const auto received = post("leder-boligkontor", "/api/v1/deviations/" + id + "/transitions",
                             R"({"transition":"motta"})");
  ASSERT_EQ(received.status, 200u) << received.body;

  const auto lines = wait_for_lines("\"id\":\"" + id + "\"", 2);
  ASSERT_EQ(lines.size(), 2u) << host_->stderr_text();
  EXPECT_NE(lines[0].find("\"revision\":1"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"revision\":2"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"responsible_unit\":\"boligkontor\""), std::string::npos);
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("Innkalling mangler"), std::string::npos) << line;
    EXPECT_EQ(line.find("Ingen innkalling"), std::string::npos) << line;
    EXPECT_EQ(line.find("Aisha Rahman"), std::string::npos) << line;
  }
}

TEST_F(HostRegisterTest, ARetryOrAnOlderRevisionIsNotWrittenAgain) {
  ASSERT_NO_FATAL_FAILURE(start_stub_host());
  auto mirror = [&](int revision) {
    return post("leder-nav", "/stub/mirror",
                R"({"id":"AVVIK-2026-0042","revision":)" + std::to_string(revision) +
                    R"(,"status":"registrert","key":"mirror:AVVIK-2026-0042:)" +
                    std::to_string(revision) + "\"}")
        .status;
  };
  EXPECT_EQ(mirror(2), 204u);
  EXPECT_EQ(mirror(2), 204u);  // a retry: acknowledged, not written again
  EXPECT_EQ(mirror(1), 204u);  // overtaken by revision 2
  EXPECT_EQ(register_lines("AVVIK-2026-0042").size(), 1u);
  EXPECT_EQ(mirror(3), 204u);
  EXPECT_EQ(register_lines("AVVIK-2026-0042").size(), 2u);
  // Not an avvik: refused, so the plugin would keep and retry it.
  EXPECT_EQ(post("leder-nav", "/stub/mirror", R"({"status":"x"})").status, 502u);

  // The register survives a restart: the retry of revision 3 is still recognised.
  ASSERT_EQ(host_->stop(10s), 0);
  ASSERT_NO_FATAL_FAILURE(start_stub_host());
  EXPECT_EQ(mirror(3), 204u);
  EXPECT_EQ(register_lines("AVVIK-2026-0042").size(), 2u);
}

}  // namespace
}  // namespace boligflyt::e2e

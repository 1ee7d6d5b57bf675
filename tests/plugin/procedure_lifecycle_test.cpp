// Draft → høring → approval → publication through the API, with roles and four eyes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/instance.h"
#include "support/procedure_drafts.h"
#include "test_support.h"

namespace boligflyt {
namespace {

namespace json = boost::json;

// Leaders per unit, as a host directory would answer {"leaders_of": unit}.
class DirectoryHost final : public ports::HostServices {
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
  // Called from the plugin's outbox thread.
  Result<void> notify(const std::string& n) override {
    {
      std::lock_guard lock(mutex_);
      notifications_.push_back(n);
    }
    delivered_.notify_all();
    return {};
  }
  /// Waits (bounded) until at least `n` notifications arrived.
  bool wait_for_notifications(std::size_t n) {
    std::unique_lock lock(mutex_);
    return delivered_.wait_for(lock, std::chrono::seconds(10),
                               [&] { return notifications_.size() >= n; });
  }
  Result<void> publish_document(const std::string& meta, std::string_view content) override {
    documents.emplace_back(meta, std::string(content));
    return {};
  }
  std::mutex mutex_;
  std::condition_variable delivered_;
  std::vector<std::string> notifications_;
  std::vector<std::pair<std::string, std::string>> documents;
};

using testing::draft_revision;
using testing::kDraftEffectiveFrom;

class ProcedureLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    PluginConfig config;
    config.data_dir = dir_.str() + "/data";
    config.procedures_dir = BOLIGFLYT_SOURCE_DIR "/procedures";
    auto host = std::make_unique<DirectoryHost>();
    host_ = host.get();
    instance_ = std::make_unique<Instance>(
        config, [](LogLevel, std::string_view) {}, std::move(host));
  }

  api::Response call(const api::Principal& who, std::string_view method, std::string_view path,
                     std::string_view body = {}, std::string_view content_type = "application/json",
                     std::string_view if_match = {}) {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers.emplace_back("Content-Type", content_type);
    if (!if_match.empty()) r.headers.emplace_back("If-Match", if_match);
    r.principal = who;
    return instance_->handle(std::move(r));
  }

  static std::string etag(const api::Response& r) {
    for (const auto& [k, v] : r.headers) {
      if (k == "ETag") return v;
    }
    return {};
  }

  const api::Principal owner_{
      "prosedyreeier", "Per Eier", {"boligsosial-koordinator"}, {"procedure_owner"}};
  const api::Principal approver_{"godkjenner", "Gro Godkjenner", {"kommunedirektor"}, {"approver"}};
  // Owns and approves: may do either, but never both for the same version.
  const api::Principal owner_and_approver_{
      "dobbeltrolle", "Dag Dobbel", {"kommunedirektor"}, {"procedure_owner", "approver"}};
  const std::string base_ = "/api/v1/procedures/boligflytprosedyre/versions";

  testing::TempDir dir_;
  DirectoryHost* host_ = nullptr;
  std::unique_ptr<Instance> instance_;
};

TEST_F(ProcedureLifecycle, DraftConsultationApprovalPublication) {
  // Shipped versions as publishing them in turn would have left them: 4.0 (in force from
  // 2027) follows 3.1, so 3.0 and 3.1 are superseded in the store although their files
  // still say published.
  for (const auto& [version, status] :
       std::vector<std::pair<std::string, std::string>>{{"1.0", "superseded"},
                                                        {"2.0", "superseded"},
                                                        {"3.0", "superseded"},
                                                        {"3.1", "superseded"},
                                                        {"4.0", "published"}}) {
    auto got = call(owner_, "GET", base_ + "/" + version);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(json::parse(got.body).at("status").as_string(), status) << version;
  }
  auto upload = call(owner_, "POST", base_, draft_revision(), "application/xml");
  ASSERT_EQ(upload.status, 201) << upload.body;
  EXPECT_EQ(json::parse(upload.body).at("status").as_string(), "draft");

  const std::string v4 = base_ + "/" + testing::kDraftVersion;
  auto hearing = call(owner_, "POST", v4 + "/consultation", R"({"deadline":"2099-12-31"})",
                      "application/json", etag(upload));
  ASSERT_EQ(hearing.status, 200) << hearing.body;
  auto answers = json::parse(hearing.body).at("answers").as_array();
  std::set<std::string> asked;
  for (const auto& a : answers) asked.insert(std::string(a.at("unit_id").as_string()));
  EXPECT_TRUE(asked.count("nav"));
  EXPECT_TRUE(asked.count("boligkontor"));
  EXPECT_FALSE(asked.count("klageutvalget")) << "only units whose steps change are asked";
  EXPECT_TRUE(host_->wait_for_notifications(1)) << "the høring notice reaches the host";

  // Leaders answer for their own unit only.
  EXPECT_EQ(call(testing::leader_of("eiendom"), "PUT", v4 + "/consultation/answers/nav",
                 R"({"answer":"agree"})")
                .status,
            403);
  EXPECT_EQ(call(testing::leader_of("nav"), "PUT", v4 + "/consultation/answers/nav",
                 R"({"answer":"kanskje"})")
                .status,
            422);
  EXPECT_EQ(call(testing::leader_of("nav"), "PUT", v4 + "/consultation/answers/nav",
                 R"({"answer":"disagree"})")
                .status,
            422)
      << "disagreeing needs a comment";
  ASSERT_EQ(call(testing::leader_of("nav"), "PUT", v4 + "/consultation/answers/nav",
                 R"({"answer":"agree","comment":"NAV tar dette."})")
                .status,
            200);
  ASSERT_EQ(call(testing::leader_of("boligkontor"), "PUT", v4 + "/consultation/answers/boligkontor",
                 R"({"answer":"disagree","comment":"Vi mister kontakten med leietakeren."})")
                .status,
            200);

  // Not everyone agrees: approval needs an explicit reason.
  auto refused = call(approver_, "POST", v4 + "/approval");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("type").as_string(),
            "urn:boligflyt:problem:consultation-not-agreed");
  EXPECT_EQ(call(owner_, "POST", v4 + "/approval", R"({"override_reason":"x"})").status, 403);
  auto approved = call(approver_, "POST", v4 + "/approval",
                       R"({"override_reason":"Styringsgruppen vedtok endringen 2026-11-20."})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(json::parse(approved.body).at("status").as_string(), "approved");

  EXPECT_EQ(
      call(approver_, "POST", v4 + "/publication", R"({"effective_from":"2024-01-01"})").status,
      409)
      << "must apply after the version in force";
  EXPECT_EQ(
      call(approver_, "POST", v4 + "/publication", R"({"effective_from":"2027-01-01"})").status,
      409)
      << "4.0 applies from 2027-01-01 already";
  auto published = call(approver_, "POST", v4 + "/publication",
                        std::string(R"({"effective_from":")") + kDraftEffectiveFrom + "\"}");
  ASSERT_EQ(published.status, 200) << published.body;
  auto body = json::parse(published.body).as_object();
  EXPECT_EQ(body.at("status").as_string(), "published");
  ASSERT_EQ(body.at("superseded").as_array().size(), 1u) << published.body;
  EXPECT_EQ(body.at("superseded").at(0).as_string(), "4.0");
  // The host's document library received the printable document of the new version.
  ASSERT_EQ(host_->documents.size(), 1u);
  EXPECT_NE(host_->documents[0].first.find("\"version\":\"4.1\""), std::string::npos);
  EXPECT_NE(host_->documents[0].second.find("<html"), std::string::npos);

  // The published bytes carry the approval and are what the hash says.
  api::Request get_xml;
  get_xml.method = "GET";
  get_xml.path = v4;
  get_xml.headers = {{"Accept", "application/xml"}};
  get_xml.principal = testing::leader_of("nav");
  auto xml = instance_->handle(get_xml);
  EXPECT_NE(xml.body.find(R"(person="godkjenner")"), std::string::npos);
  EXPECT_NE(
      xml.body.find("<effectiveFrom>" + std::string(kDraftEffectiveFrom) + "</effectiveFrom>"),
      std::string::npos);
  EXPECT_NE(xml.body.find(R"(status="published")"), std::string::npos);

  auto in_force_before = call(approver_, "GET", "/api/v1/procedures/boligflytprosedyre/in-force");
  api::Request later;
  later.method = "GET";
  later.path = "/api/v1/procedures/boligflytprosedyre/in-force";
  later.query = "date=2027-02-01";
  later.principal = approver_;
  EXPECT_EQ(json::parse(instance_->handle(later).body).at("version").as_string(), "4.0");
  later.query = "date=2027-08-01";
  EXPECT_EQ(json::parse(instance_->handle(later).body).at("version").as_string(), "4.1");

  // Read confirmations: who has read it, and which leaders have not yet.
  ASSERT_EQ(call(testing::leader_of("nav"), "POST", v4 + "/read-confirmations").status, 200);
  auto reads = json::parse(call(approver_, "GET", v4 + "/read-confirmations").body).as_object();
  EXPECT_EQ(reads.at("confirmed").as_array().size(), 1u);
  bool boligkontor_missing = false;
  for (const auto& m : reads.at("missing").as_array())
    boligkontor_missing |= m.as_string() == "leder-boligkontor";
  EXPECT_TRUE(boligkontor_missing);
}

TEST_F(ProcedureLifecycle, FourEyesHoldEvenForSomeoneWithBothRoles) {
  ASSERT_EQ(
      call(owner_and_approver_, "POST", base_, draft_revision("dobbeltrolle"), "application/xml")
          .status,
      201);
  const std::string v4 = base_ + "/" + testing::kDraftVersion;
  ASSERT_EQ(call(owner_and_approver_, "POST", v4 + "/consultation", R"({"deadline":"2099-01-01"})")
                .status,
            200);
  auto self =
      call(owner_and_approver_, "POST", v4 + "/approval", R"({"override_reason":"haster"})");
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(json::parse(self.body).at("type").as_string(), "urn:boligflyt:problem:four-eyes");
}

TEST_F(ProcedureLifecycle, RolesAndBadDrafts) {
  EXPECT_EQ(
      call(testing::leader_of("nav"), "POST", base_, draft_revision(), "application/xml").status,
      403);
  EXPECT_EQ(call(owner_, "POST", base_, draft_revision(), "application/json").status, 415);

  auto broken = draft_revision();
  broken.replace(broken.find(R"(<responsibleUnit unit="nav"/>)"), 29,
                 R"(<responsibleUnit unit="hvem"/>)");
  auto invalid = call(owner_, "POST", base_, broken, "application/xml");
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  auto errors = json::parse(invalid.body).at("errors").as_array();
  ASSERT_FALSE(errors.empty());
  EXPECT_GT(errors[0].at("line").as_int64(), 0);

  std::string old = draft_revision();
  old = std::regex_replace(old, std::regex(R"(version="4\.1" status)"), R"(version="2.5" status)");
  old = std::regex_replace(old, std::regex(R"(<supersedes>4\.0)"), R"(<supersedes>2.0)");
  old = std::regex_replace(old, std::regex(R"(<entry version="4\.1")"), R"(<entry version="2.5")");
  auto stale = call(owner_, "POST", base_, old, "application/xml");
  EXPECT_EQ(stale.status, 409) << stale.body;

  EXPECT_EQ(call(owner_, "POST", base_, "<procedure", "application/xml").status, 422);
  // Nothing published changed.
  EXPECT_EQ(call(approver_, "GET", base_).status, 200);
  EXPECT_EQ(json::parse(call(approver_, "GET", base_).body).at("items").as_array().size(), 5u);
}

TEST_F(ProcedureLifecycle, StaleIfMatchIsRefused) {
  auto upload = call(owner_, "POST", base_, draft_revision(), "application/xml");
  ASSERT_EQ(upload.status, 201);
  auto wrong = call(owner_, "POST", base_ + "/4.1/consultation", R"({"deadline":"2099-01-01"})",
                    "application/json", "\"7-abc\"");
  EXPECT_EQ(wrong.status, 412);
}

TEST_F(ProcedureLifecycle, ReviewsAreDueOneIntervalAfterTheEffectiveDate) {
  api::Request r;
  r.method = "GET";
  r.path = "/api/v1/procedure-reviews";
  // While 3.0 (from 2025-01-01, reviewed yearly) was in force, its review fell due on
  // 2026-01-01; 3.1, in force from 2026-10-01, would be due on 2027-10-01, but 4.0 takes over
  // on 2027-01-01 and is due on 2028-01-01.
  r.query = "date=2026-09-21&overdue=true";
  r.principal = approver_;
  auto body = json::parse(instance_->handle(r).body).as_object();
  ASSERT_EQ(body.at("items").as_array().size(), 1u);
  EXPECT_EQ(body.at("items").at(0).at("review_due").as_string(), "2026-01-01");
  EXPECT_TRUE(body.at("items").at(0).at("overdue").as_bool());
  r.query = "date=2027-10-02&overdue=true";
  EXPECT_TRUE(json::parse(instance_->handle(r).body).at("items").as_array().empty());
  r.query = "date=2028-01-02&overdue=true";
  body = json::parse(instance_->handle(r).body).as_object();
  ASSERT_EQ(body.at("items").as_array().size(), 1u);
  EXPECT_EQ(body.at("items").at(0).at("version").as_string(), "4.0");
  EXPECT_EQ(body.at("items").at(0).at("review_due").as_string(), "2028-01-01");
  r.query = "date=2026-11-21&overdue=true";
  EXPECT_TRUE(json::parse(instance_->handle(r).body).at("items").as_array().empty());
}

}  // namespace
}  // namespace boligflyt

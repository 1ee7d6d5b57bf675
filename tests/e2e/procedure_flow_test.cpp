// The revision of a procedure over real HTTP, as the demo users of the embedded default do
// it: the procedure owner uploads a draft and sends it on høring, the affected unit leaders
// answer, the approver approves and publishes; the author can never approve. Then a restart
// on the same data folder still serves the published version.

#include "support/host_test.h"
#include "support/procedure_drafts.h"

namespace boligflyt::e2e {
namespace {

using boligflyt::testing::draft_revision;
using boligflyt::testing::kDraftEffectiveFrom;
using boligflyt::testing::kDraftVersion;

class ProcedureFlowTest : public HostTest {
 protected:
  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json",
                  const std::string& if_match = {}) {
    Headers headers = bearer(token(user));
    headers.emplace_back("Content-Type", content_type);
    if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
    return http_request(host_->port(), method, target, headers, body);
  }
  const std::string base_ = "/api/v1/procedures/boligflytprosedyre/versions";
};

TEST_F(ProcedureFlowTest, DraftHoringApprovalPublicationWithFourEyes) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::string v4 = base_ + "/" + kDraftVersion;

  EXPECT_EQ(call("leder-nav", "POST", base_, draft_revision(), "application/xml").status, 403u)
      << "unit leaders do not draft";
  const auto upload = call("prosedyreeier", "POST", base_, draft_revision(), "application/xml");
  ASSERT_EQ(upload.status, 201u) << upload.body;
  EXPECT_EQ(upload.header("Location"), v4);

  const auto hearing =
      call("prosedyreeier", "POST", v4 + "/consultation", R"({"deadline":"2099-12-31"})",
           "application/json", upload.header("ETag"));
  ASSERT_EQ(hearing.status, 200u) << hearing.body;
  EXPECT_EQ(json_at(hearing.body, "/status"), "consultation");

  EXPECT_EQ(call("leder-eiendom", "PUT", v4 + "/consultation/answers/nav", R"({"answer":"agree"})")
                .status,
            403u);
  for (const char* unit : {"nav", "boligkontor"}) {
    const auto answer = call(std::string("leder-") + unit, "PUT",
                             v4 + "/consultation/answers/" + unit, R"({"answer":"agree"})");
    ASSERT_EQ(answer.status, 200u) << unit << ": " << answer.body;
  }

  // The author cannot approve, even with the right words; the approver can.
  EXPECT_EQ(call("prosedyreeier", "POST", v4 + "/approval").status, 403u);
  const auto approval = call("godkjenner", "POST", v4 + "/approval");
  ASSERT_EQ(approval.status, 200u) << approval.body;
  EXPECT_EQ(json_at(approval.body, "/status"), "approved");

  const auto published = call("godkjenner", "POST", v4 + "/publication",
                              std::string(R"({"effective_from":")") + kDraftEffectiveFrom + "\"}");
  ASSERT_EQ(published.status, 200u) << published.body;
  EXPECT_EQ(json_at(published.body, "/status"), "published");
  EXPECT_EQ(json_at(published.body, "/superseded/0"), "4.0");

  // The host's document library got the printable document (the reference host writes it to
  // the data folder).
  bool document_written = false;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(data_dir() / "documents")) {
    document_written |= entry.path().extension() != ".json" && entry.is_regular_file();
  }
  EXPECT_TRUE(document_written);

  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto in_force = get("/api/v1/procedures/boligflytprosedyre/in-force?date=2027-08-01",
                            bearer(token("leder-nav")));
  ASSERT_EQ(in_force.status, 200u) << in_force.body;
  EXPECT_EQ(json_at(in_force.body, "/version"), kDraftVersion);
  const auto document = get(v4 + "/document", bearer(token("leder-nav")));
  EXPECT_EQ(document.status, 200u);
  EXPECT_NE(document.body.find("<html lang=\"nb\""), std::string::npos);
}

}  // namespace
}  // namespace boligflyt::e2e

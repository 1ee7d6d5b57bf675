// Version 4.0 of the boligflytprosedyre through the real revision flow over HTTP, in an
// installation that has 1.0-3.1 (3.1 in force) and not yet 4.0: the procedure owner uploads
// the shipped 4.0 as a draft, the høring goes to the units whose steps 4.0 changes and to no
// other, every one of them agrees, the author cannot approve or publish, the approver does,
// and from 2027-01-01 4.0 is the version in force with the same steps as the shipped file.

#include <regex>
#include <set>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = BOLIGFLYT_SOURCE_DIR "/procedures";
const std::string kBase = "/api/v1/procedures/boligflytprosedyre/versions";

class Procedure40FlowTest : public HostTest {
 protected:
  /// The procedures folder of an installation that has not received 4.0.
  fs::path installation_before_4_0() {
    const fs::path dir = temp_.path() / "prosedyrer";
    fs::create_directories(dir / "boligflytprosedyre");
    fs::copy_file(kShipped + "/units.xml", dir / "units.xml");
    for (const char* v : {"1.0", "2.0", "3.0", "3.1"}) {
      const std::string name = std::string("boligflytprosedyre-") + v + ".xml";
      fs::copy_file(kShipped + "/boligflytprosedyre/" + name, dir / "boligflytprosedyre" / name);
    }
    return dir;
  }

  /// The shipped 4.0 as its owner uploads it: a draft, without approval or date.
  static std::string draft_of_shipped_4_0() {
    std::string xml = read_file(kShipped + "/boligflytprosedyre/boligflytprosedyre-4.0.xml");
    xml = std::regex_replace(xml, std::regex(R"(version="4\.0" status="published")"),
                             R"(version="4.0" status="draft")");
    xml = std::regex_replace(xml, std::regex(R"(\s*<approver [^>]*>[^<]*</approver>)"), "");
    xml = std::regex_replace(xml, std::regex(R"(\s*<effectiveFrom>[^<]*</effectiveFrom>)"), "");
    return xml;
  }

  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json",
                  const std::string& if_match = {}) {
    Headers headers = bearer(token(user));
    headers.emplace_back("Content-Type", content_type);
    if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
    return http_request(host_->port(), method, target, headers, body);
  }

  static std::set<std::string> strings_at(const std::string& body, const std::string& array,
                                          const std::string& field) {
    std::set<std::string> out;
    for (int i = 0; i < 100; ++i) {
      const auto value = json_at(body, array + "/" + std::to_string(i) + field);
      if (!value) break;
      out.insert(*value);
    }
    return out;
  }
};

TEST_F(Procedure40FlowTest, UploadHoringToTheAffectedUnitsFourEyesAndPublication) {
  const auto procedures = installation_before_4_0();
  ASSERT_NO_FATAL_FAILURE(start_host(write_config(
      json_set(default_config_json(), {"procedures_dir"}, json_quote(procedures.string())))));
  const std::string v4 = kBase + "/4.0";
  ASSERT_EQ(call("leder-nav", "GET", v4).status, 404u) << "this installation has no 4.0 yet";
  const auto today =
      get("/api/v1/procedures/boligflytprosedyre/in-force", bearer(token("leder-nav")));
  ASSERT_EQ(json_at(today.body, "/version"), "3.1");

  const auto upload =
      call("prosedyreeier", "POST", kBase, draft_of_shipped_4_0(), "application/xml");
  ASSERT_EQ(upload.status, 201u) << upload.body;
  EXPECT_EQ(upload.header("Location"), v4);
  EXPECT_EQ(json_at(upload.body, "/status"), "draft");

  const auto hearing =
      call("prosedyreeier", "POST", v4 + "/consultation", R"({"deadline":"2099-12-31"})",
           "application/json", upload.header("ETag"));
  ASSERT_EQ(hearing.status, 200u) << hearing.body;
  EXPECT_EQ(json_at(hearing.body, "/status"), "consultation");
  // The units responsible for, taking part in or receiving a handover in a step 4.0 changes
  // relative to 3.1, e.g. flyktningtjenesten (soknad-veiledning gets external parties), pro and
  // psykisk-helse-rus (klage-statsforvalteren), okonomi (husleierestanse-purring's handover),
  // klageutvalget (klage-klageutvalget ends in a final vedtak). Kommunedirektøren has no step
  // and is not asked, although its leader is a unit leader like the others.
  const auto asked = strings_at(hearing.body, "/answers", "/unit_id");
  EXPECT_EQ(asked, (std::set<std::string>{"boligkontor", "boligsosial-koordinator", "eiendom",
                                          "flyktningtjenesten", "klageutvalget", "nav", "okonomi",
                                          "pro", "psykisk-helse-rus"}))
      << hearing.body;
  EXPECT_FALSE(asked.count("kommunedirektor"));

  EXPECT_EQ(call("leder-eiendom", "PUT", v4 + "/consultation/answers/nav", R"({"answer":"agree"})")
                .status,
            403u)
      << "a leader answers for their own unit only";
  for (const auto& unit : asked) {
    const auto answer =
        call("leder-" + unit, "PUT", v4 + "/consultation/answers/" + unit, R"({"answer":"agree"})");
    ASSERT_EQ(answer.status, 200u) << unit << ": " << answer.body;
  }

  // Four eyes: the author neither approves nor publishes.
  EXPECT_EQ(call("prosedyreeier", "POST", v4 + "/approval").status, 403u);
  const auto approval = call("godkjenner", "POST", v4 + "/approval");
  ASSERT_EQ(approval.status, 200u) << approval.body;
  EXPECT_EQ(json_at(approval.body, "/status"), "approved");
  EXPECT_EQ(call("prosedyreeier", "POST", v4 + "/publication", R"({"effective_from":"2027-01-01"})")
                .status,
            403u);
  const auto published =
      call("godkjenner", "POST", v4 + "/publication", R"({"effective_from":"2027-01-01"})");
  ASSERT_EQ(published.status, 200u) << published.body;
  EXPECT_EQ(json_at(published.body, "/status"), "published");
  EXPECT_TRUE(strings_at(published.body, "/superseded", "").count("3.1")) << published.body;

  // 3.1 applies until new year's eve; 4.0 from 2027-01-01, with the shipped file's steps.
  const auto before = get("/api/v1/procedures/boligflytprosedyre/in-force?date=2026-12-31",
                          bearer(token("leder-nav")));
  EXPECT_EQ(json_at(before.body, "/version"), "3.1");
  const auto after = get("/api/v1/procedures/boligflytprosedyre/in-force?date=2027-01-01",
                         bearer(token("leder-nav")));
  ASSERT_EQ(after.status, 200u) << after.body;
  EXPECT_EQ(json_at(after.body, "/version"), "4.0");
  Headers xml_headers = bearer(token("leder-nav"));
  xml_headers.emplace_back("Accept", "application/xml");
  const auto stored = http_request(host_->port(), "GET", v4, xml_headers, "");
  ASSERT_EQ(stored.status, 200u);
  EXPECT_NE(stored.body.find(R"(person="godkjenner")"), std::string::npos);
  EXPECT_NE(stored.body.find("<effectiveFrom>2027-01-01</effectiveFrom>"), std::string::npos);
  for (const char* step : {"klage-iverksetting", "samarbeidsmote-fravikelse", "flytteoppfordring",
                           "nav-bolighjelp-fravikelse"}) {
    EXPECT_NE(stored.body.find(std::string("<step id=\"") + step + "\""), std::string::npos)
        << step;
  }

  // The comparison a reader gets names the new kinds of change.
  const auto diff =
      get("/api/v1/procedures/boligflytprosedyre/diff/3.1/4.0", bearer(token("leder-nav")));
  ASSERT_EQ(diff.status, 200u) << diff.body;
  const auto kinds = strings_at(diff.body, "/changes", "/kind");
  for (const char* kind : {"added", "flow_changed", "handovers_changed", "escalations_changed",
                           "parties_changed", "meeting_changed", "deadlines_changed"}) {
    EXPECT_TRUE(kinds.count(kind)) << kind;
  }
}

}  // namespace
}  // namespace boligflyt::e2e

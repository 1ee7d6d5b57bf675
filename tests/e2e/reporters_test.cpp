// Every employee may report (issue 12), over real HTTP against the real host and plugin with
// the demo users of the embedded default: an employee without a leader role reports an avvik,
// the leaders of their unit are told, the responsible leader sees who reported it and drives it
// to closure, and the employee follows it there; a leader of a third unit never learns that it
// exists, and a leader who only takes part does not see who reported it.

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/host_test.h"
#include "support/norway_date.h"

namespace boligflyt::e2e {
namespace {

// In force from 2025-01-01 (3.0): boligkontor is responsible for tildelingsmote.
constexpr const char* kRegistration =
    R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
    R"("incident_date":"2025-03-10","category":"prosedyre_ikke_fulgt","severity":"middels",)"
    R"("title":"Saken min ble ikke tatt opp i tildelingsmøtet",)"
    R"("description":"Søknaden var komplett, men sto ikke på sakslisten to møter på rad."})";

class ReportersTest : public HostTest {
 protected:
  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    Headers headers = bearer(token(user));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http_request(host_->port(), method, target, headers, body);
  }

  /// The ids in the user's first list page (the tests make few avvik).
  std::vector<std::string> listed(const std::string& user) {
    const auto list = call(user, "GET", "/api/v1/deviations?limit=500");
    EXPECT_EQ(list.status, 200u) << list.body;
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < json_array_size(list.body, "/items").value_or(0); ++i) {
      ids.push_back(json_at(list.body, "/items/" + std::to_string(i) + "/id").value_or(""));
    }
    return ids;
  }

  /// The notification lines that reached the host's outbox file for `unit`'s leaders about
  /// `id`, waiting (bounded) until at least one has.
  std::vector<std::string> unit_notifications(const std::string& unit, const std::string& id) {
    const auto file = data_dir() / "outbox" / "notifications.jsonl";
    const auto deadline = deadline_in(std::chrono::seconds(10));
    for (;;) {
      std::vector<std::string> found;
      std::error_code ec;
      if (std::filesystem::exists(file, ec)) {
        const std::string text = read_file(file);
        std::size_t start = 0;
        while (start < text.size()) {
          auto end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          const std::string line = text.substr(start, end - start);
          if (json_at(line, "/recipient/unit_id") == unit &&
              json_at(line, "/link") == "/api/v1/deviations/" + id) {
            found.push_back(line);
          }
          start = end + 1;
        }
      }
      if (!found.empty() || Clock::now() >= deadline) return found;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

void expect_hidden(const HttpResult& r, const std::string& what) {
  EXPECT_EQ(r.status, 404u) << what << ": " << r.body;
  EXPECT_EQ(json_at(r.body, "/type"), "urn:boligflyt:problem:not-found") << what;
}

TEST_F(ReportersTest, AnEmployeeReportsAndFollowsTheirAvvikToClosureWhileAThirdUnitSeesNothing) {
  ASSERT_NO_FATAL_FAILURE(start_host());

  // ansatt-nav has the role employee only, and one unit: the report comes from nav.
  const auto created = call("ansatt-nav", "POST", "/api/v1/deviations", kRegistration);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json_at(created.body, "/id").value_or("");
  const std::string path = "/api/v1/deviations/" + id;
  EXPECT_EQ(json_at(created.body, "/reporting_unit"), "nav");
  EXPECT_EQ(json_at(created.body, "/responsible_unit"), "boligkontor");
  EXPECT_EQ(json_at(created.body, "/reporter"), "ansatt-nav");
  EXPECT_EQ(json_at(created.body, "/reporter_name"), "Fatima Ali");
  EXPECT_EQ(json_at(created.body, "/reported_by_me"), "true");
  // The reporter follows it but does not handle it.
  EXPECT_EQ(json_array_size(created.body, "/allowed_transitions"), 0u) << created.body;
  const auto refused =
      call("ansatt-nav", "POST", path + "/transitions", R"({"transition":"motta"})");
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(call("ansatt-nav", "POST", path + "/actions",
                 R"({"owner_unit":"nav","description":"Noe","due_date":")" + norway_date(7) + "\"}")
                .status,
            403u);

  // The leaders of nav are told that someone in their unit reported, without the free text.
  const auto told = unit_notifications("nav", id);
  ASSERT_EQ(told.size(), 1u) << "one notification to nav's leaders";
  EXPECT_NE(json_at(told[0], "/subject").value_or("").find(id), std::string::npos) << told[0];
  EXPECT_EQ(told[0].find("tildelingsmøtet"), std::string::npos) << "title leaked: " << told[0];
  EXPECT_EQ(told[0].find("sakslisten"), std::string::npos) << "description leaked: " << told[0];
  EXPECT_EQ(told[0].find("Fatima"), std::string::npos) << "reporter leaked: " << told[0];
  EXPECT_EQ(unit_notifications("boligkontor", id).size(), 1u) << "the responsible unit too";

  // Leaders of the reporting and the responsible unit see who reported it.
  for (const char* leader : {"leder-nav", "leder-boligkontor", "kvalitetsleder"}) {
    const auto seen = call(leader, "GET", path);
    ASSERT_EQ(seen.status, 200u) << leader << ": " << seen.body;
    EXPECT_EQ(json_at(seen.body, "/reporter"), "ansatt-nav") << leader;
    EXPECT_EQ(json_at(seen.body, "/reporter_name"), "Fatima Ali") << leader;
    EXPECT_EQ(json_at(seen.body, "/reported_by_me"), "false") << leader;
  }
  const std::vector<std::string> just_it = {id};
  EXPECT_EQ(listed("leder-nav"), just_it) << "nav's leader lists what nav reported";
  EXPECT_EQ(listed("ansatt-nav"), just_it);
  // The reporting unit's leader follows it; handling is the responsible unit's.
  EXPECT_EQ(call("leder-nav", "POST", path + "/transitions", R"({"transition":"motta"})").status,
            403u);

  // A leader of a third unit, and an employee elsewhere, do not learn that it exists.
  for (const char* stranger : {"leder-okonomi", "ansatt-pro"}) {
    expect_hidden(call(stranger, "GET", path), stranger);
    expect_hidden(call(stranger, "GET", path + "/history"), stranger);
    expect_hidden(call(stranger, "POST", path + "/comments", R"({"text":"Hei"})"), stranger);
    expect_hidden(call(stranger, "POST", path + "/transitions", R"({"transition":"motta"})"),
                  stranger);
    EXPECT_TRUE(listed(stranger).empty()) << stranger;
  }

  // The responsible leader brings eiendom in: its leader works on it but does not see who
  // reported it, neither in the avvik, nor in its comments, nor in its history.
  ASSERT_EQ(
      call("ansatt-nav", "POST", path + "/comments", R"({"text":"Gjelder to møter."})").status,
      201u);
  const auto joined =
      call("leder-boligkontor", "POST", path + "/participants", R"({"unit_id":"eiendom"})");
  ASSERT_EQ(joined.status, 201u) << joined.body;
  const auto as_participant = call("leder-eiendom", "GET", path);
  ASSERT_EQ(as_participant.status, 200u) << as_participant.body;
  EXPECT_EQ(json_at(as_participant.body, "/reporter"), "null");
  EXPECT_EQ(json_at(as_participant.body, "/reporter_name"), "null");
  EXPECT_EQ(json_at(as_participant.body, "/comments/0/author"), "null");
  EXPECT_EQ(as_participant.body.find("ansatt-nav"), std::string::npos) << as_participant.body;
  const auto participant_history = call("leder-eiendom", "GET", path + "/history");
  ASSERT_EQ(participant_history.status, 200u) << participant_history.body;
  EXPECT_EQ(json_at(participant_history.body, "/items/0/kind"), "registered");
  EXPECT_EQ(json_at(participant_history.body, "/items/0/actor"), "null");
  EXPECT_EQ(participant_history.body.find("ansatt-nav"), std::string::npos);
  EXPECT_EQ(json_at(participant_history.body, "/chain/valid"), "true");
  // The responsible leader's history keeps the actor.
  EXPECT_EQ(json_at(call("leder-boligkontor", "GET", path + "/history").body, "/items/0/actor"),
            "ansatt-nav");

  // The responsible leader drives it to closure.
  for (const char* step : {R"({"transition":"motta"})", R"({"transition":"behandle"})"}) {
    const auto moved = call("leder-boligkontor", "POST", path + "/transitions", step);
    ASSERT_EQ(moved.status, 200u) << step << ": " << moved.body;
  }
  ASSERT_EQ(call("leder-boligkontor", "POST", path + "/actions",
                 R"({"owner_unit":"boligkontor","description":"Sakslisten sjekkes mot )"
                 R"(søknadslisten før hvert møte.","due_date":")" +
                     norway_date(7) + "\"}")
                .status,
            201u);
  ASSERT_EQ(call("leder-boligkontor", "POST", path + "/actions/1/completion",
                 R"({"done_date":")" + norway_date(0) + "\"}")
                .status,
            200u);
  const auto closed =
      call("leder-boligkontor", "POST", path + "/transitions",
           R"({"transition":"lukk","cause":"Sakslisten ble satt opp for hånd.",)"
           R"("evaluation":"De tre neste møtene hadde alle komplette søknader på listen.",)"
           R"("cause_codes":["rutine_ikke_fulgt"]})");
  ASSERT_EQ(closed.status, 200u) << closed.body;

  // The employee sees it closed, with cause, action and history.
  const auto followed = call("ansatt-nav", "GET", path);
  ASSERT_EQ(followed.status, 200u) << followed.body;
  EXPECT_EQ(json_at(followed.body, "/status"), "lukket");
  EXPECT_EQ(json_at(followed.body, "/cause"), "Sakslisten ble satt opp for hånd.");
  EXPECT_EQ(json_at(followed.body, "/actions/0/done_date"), norway_date(0));
  const auto history = call("ansatt-nav", "GET", path + "/history");
  ASSERT_EQ(history.status, 200u) << history.body;
  EXPECT_GE(json_array_size(history.body, "/items").value_or(0), 6u) << history.body;
  // The reporter may reopen it if the fix does not hold (and is told so), but not close it.
  ASSERT_EQ(json_array_size(followed.body, "/allowed_transitions"), 1u) << followed.body;
  EXPECT_EQ(json_at(followed.body, "/allowed_transitions/0/transition"), "gjenapne");
  // Still nothing for the third unit.
  expect_hidden(call("leder-okonomi", "GET", path), "leder-okonomi after closing");
  EXPECT_TRUE(listed("leder-okonomi").empty());

  // Where units fail each other: nav reported one against boligkontor.
  const auto stats = call("kvalitetsleder", "GET", "/api/v1/statistics/deviations");
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_EQ(json_array_size(stats.body, "/per_unit_pair"), 1u) << stats.body;
  EXPECT_EQ(json_at(stats.body, "/per_unit_pair/0/reporting_unit"), "nav");
  EXPECT_EQ(json_at(stats.body, "/per_unit_pair/0/responsible_unit"), "boligkontor");
  EXPECT_EQ(json_at(stats.body, "/per_unit_pair/0/count"), "1");
  EXPECT_EQ(stats.body.find("ansatt-nav"), std::string::npos) << "statistics are anonymous";
}

TEST_F(ReportersTest, AReportComesFromOneOfTheReportersOwnUnits) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::string elsewhere = json_set(kRegistration, {"reporting_unit"}, json_quote("okonomi"));
  const auto refused = call("ansatt-eiendom", "POST", "/api/v1/deviations", elsewhere);
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_EQ(json_at(refused.body, "/field"), "reporting_unit");
  EXPECT_NE(json_at(refused.body, "/detail").value_or("").find("enhet du selv hører til"),
            std::string::npos)
      << refused.body;
  const std::string own = json_set(kRegistration, {"reporting_unit"}, json_quote("eiendom"));
  const auto accepted = call("ansatt-eiendom", "POST", "/api/v1/deviations", own);
  ASSERT_EQ(accepted.status, 201u) << accepted.body;
  EXPECT_EQ(json_at(accepted.body, "/reporting_unit"), "eiendom");
  EXPECT_EQ(json_at(accepted.body, "/id"), "AVVIK-" + norway_date(0).substr(0, 4) + "-0001")
      << "the refused report used no number";
  // A leader reporting from their own unit tells nobody extra: nav's leader reports to
  // boligkontor, and nav's leaders get no "reported from your unit" notification.
  const auto by_leader = call("leder-nav", "POST", "/api/v1/deviations", kRegistration);
  ASSERT_EQ(by_leader.status, 201u) << by_leader.body;
  const std::string leader_id = json_at(by_leader.body, "/id").value_or("");
  ASSERT_EQ(unit_notifications("boligkontor", leader_id).size(), 1u);
  EXPECT_TRUE(unit_notifications("nav", leader_id).empty());
}

}  // namespace
}  // namespace boligflyt::e2e

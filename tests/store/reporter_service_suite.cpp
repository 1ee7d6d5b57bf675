// Every employee may report (issue 12), in the avvik service on every store engine: who may
// register from which unit, who is told, who sees the avvik and who is told it does not exist.
// The store's own part (visibility of the reporting unit, the reporter's name, statistics per
// unit pair) is in reporter_suite.cpp.

#include <boost/json.hpp>
#include <chrono>

#include "deviation/service.h"
#include "store/service_fixture.h"
#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// The avvik service over the store under test, with a clock fixed in March 2026.
class Reporting {
 public:
  explicit Reporting(Store& store)
      : store_(store),
        procedures_(store, host_, logger_, BOLIGFLYT_SOURCE_DIR "/procedures",
                    BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd"),
        service_(store, procedures_, logger_, deviation::DeviationSettings{}, [] {
          return std::chrono::system_clock::time_point(
              std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 9h);
        }) {}

  deviation::DeviationService& service() { return service_; }

  /// An avvik on tildelingsmote (boligkontor is responsible in the version in force).
  deviation::RegisterInput input() const {
    deviation::RegisterInput in;
    in.procedure_id = "boligflytprosedyre";
    in.step_id = "tildelingsmote";
    in.incident_date = "2026-03-01";
    in.category = "uklart_ansvar";
    in.severity = "middels";
    in.title = "Saken kom ikke på listen";
    in.description = "Søknaden ble ikke behandlet i tildelingsmøtet.";
    return in;
  }

  /// Notification payloads whose dedupe key contains `part`.
  std::vector<json::object> notifications(const std::string& part) {
    auto all = store_.list_outbox("notification", "", 500);
    EXPECT_TRUE(all);
    std::vector<json::object> out;
    for (const auto& m : *all) {
      if (m.dedupe_key.find(part) != std::string::npos) {
        out.push_back(json::parse(m.payload_json).as_object());
      }
    }
    return out;
  }

  std::vector<std::string> listed(const Actor& who) {
    auto page = service_.list(DeviationQuery{}, who);
    EXPECT_TRUE(page);
    std::vector<std::string> ids;
    for (const auto& r : page->items) ids.push_back(r.id);
    return ids;
  }

 private:
  Store& store_;
  QuietHost host_;
  Logger logger_{[](LogLevel, std::string_view) {}};
  procedure::ProcedureService procedures_;
  deviation::DeviationService service_;
};

TEST_P(StoreSuite, AnEmployeeReportsFromTheirUnitAndItsLeadersAreToldWithoutFreeText) {
  Reporting w(store());
  const auto created =
      w.service().register_deviation(w.input(), employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_TRUE(created) << created.error().detail;
  const auto& r = created->record;
  EXPECT_EQ(r.reporting_unit, "nav");
  EXPECT_EQ(r.reporter, "ansatt-nav");
  EXPECT_EQ(r.reporter_name, "Ansatt ansatt-nav");
  EXPECT_EQ(r.responsible_unit, "boligkontor");

  const auto told = w.notifications(":reported-from:");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].at("recipient").at("unit_id").as_string(), "nav");
  EXPECT_EQ(told[0].at("recipient").at("role").as_string(), "unit_leader");
  const std::string text = json::serialize(told[0]);
  EXPECT_NE(text.find(r.id), std::string::npos);
  EXPECT_NE(text.find("Tildelingsmøte"), std::string::npos) << "the step: " << text;
  for (const char* secret : {"Saken kom ikke", "Søknaden ble ikke", "ansatt-nav", "Ansatt "}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  EXPECT_EQ(w.notifications(":registered:boligkontor").size(), 1u) << "the responsible leaders";
}

TEST_P(StoreSuite, OnlyOwnUnitsMayReportAndLeadersOfTheirOwnUnitTellNobodyExtra) {
  Reporting w(store());
  auto in = w.input();
  in.reporting_unit = "okonomi";
  auto refused = w.service().register_deviation(in, employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  in.reporting_unit = "finnes-ikke";
  refused = w.service().register_deviation(in, employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  // Two units: say which; none: cannot report.
  refused =
      w.service().register_deviation(w.input(), employee("ansatt-to", {"nav", "pro"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  refused = w.service().register_deviation(w.input(), employee("ansatt-ingen", {}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  in.reporting_unit = "pro";
  ASSERT_TRUE(w.service().register_deviation(in, employee("ansatt-to", {"nav", "pro"}), "", ""));
  EXPECT_EQ(w.notifications(":reported-from:pro").size(), 1u);

  // The leader of nav reports from nav: nav's leaders are not told of their own report.
  ASSERT_TRUE(w.service().register_deviation(w.input(), leader_of("nav"), "", ""));
  // An employee of the responsible unit: its leaders are told once, as the responsible ones.
  ASSERT_TRUE(w.service().register_deviation(
      w.input(), employee("ansatt-boligkontor", {"boligkontor"}), "", ""));
  const auto from = w.notifications(":reported-from:");
  ASSERT_EQ(from.size(), 1u) << "only the report from pro";
}

TEST_P(StoreSuite, StrangersAreToldTheAvvikDoesNotExistAndTheReporterDoesNotHandleIt) {
  Reporting w(store());
  const auto reporter = employee("ansatt-nav", {"nav"});
  const auto created = w.service().register_deviation(w.input(), reporter, "", "");
  ASSERT_TRUE(created);
  const std::string id = created->record.id;

  for (const Actor& stranger : {leader_of("okonomi"), employee("ansatt-nav-2", {"nav"}),
                                employee("ansatt-boligkontor", {"boligkontor"})}) {
    SCOPED_TRACE(stranger.user_id);
    auto read = w.service().get(id, stranger);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().kind, ErrorKind::kNotFound);
    deviation::TransitionInput receive;
    auto moved = w.service().transition(id, receive, stranger, std::nullopt);
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().kind, ErrorKind::kNotFound);
    auto comment = w.service().add_comment(id, "Hei", stranger, std::nullopt);
    ASSERT_FALSE(comment);
    EXPECT_EQ(comment.error().kind, ErrorKind::kNotFound);
    EXPECT_FALSE(w.service().history(id, stranger));
    EXPECT_TRUE(w.listed(stranger).empty());
  }

  // The reporter and the reporting unit's leader see it and may comment, but not receive it.
  for (const Actor& follower : {reporter, leader_of("nav")}) {
    SCOPED_TRACE(follower.user_id);
    ASSERT_TRUE(w.service().get(id, follower));
    EXPECT_EQ(w.listed(follower), std::vector<std::string>{id});
    deviation::TransitionInput receive;
    auto moved = w.service().transition(id, receive, follower, std::nullopt);
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().kind, ErrorKind::kForbidden);
    EXPECT_TRUE(w.service().add_comment(id, "Følger med.", follower, std::nullopt));
  }
  deviation::ActionInput action{"nav", "Noe", "2026-04-01"};
  auto added = w.service().add_action(id, action, reporter, std::nullopt);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::kForbidden);

  // The responsible leader receives it.
  deviation::TransitionInput receive;
  auto received = w.service().transition(id, receive, leader_of("boligkontor"), std::nullopt);
  ASSERT_TRUE(received) << received.error().detail;
  EXPECT_EQ(received->status, "mottatt");
  // The reporter is told of the new status.
  EXPECT_EQ(w.notifications(":reporter").size(), 1u);
}

}  // namespace
}  // namespace boligflyt::store::testing

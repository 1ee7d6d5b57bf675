// Every employee may report (issue 12), in the avvik service over a real SQLite store: who may
// register from which unit, who is told, who sees the avvik and who is told it does not exist.
// The store's part (visibility of the reporting unit, the reporter's name, statistics per unit
// pair) runs on both engines in tests/store/reporter_suite.cpp.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "deviation/service.h"
#include "store_sqlite/sqlite_store.h"
#include "test_support.h"

namespace boligflyt {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class SilentHost final : public ports::HostServices {
 public:
  Result<std::optional<std::string>> directory_lookup(const std::string&) override {
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string&) override { return {}; }
  Result<void> publish_document(const std::string&, std::string_view) override { return {}; }
};

Actor employee(const std::string& id, std::vector<std::string> units) {
  return Actor{id, "Ansatt " + id, std::move(units), {"employee"}};
}

class ReporterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store(dir_.str() + "/s.sqlite3");
    procedures_ = std::make_unique<procedure::ProcedureService>(
        *store_, host_, logger_, BOLIGFLYT_SOURCE_DIR "/procedures",
        BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    service_ = std::make_unique<deviation::DeviationService>(
        *store_, *procedures_, logger_, deviation::DeviationSettings{}, [this] { return now_; });
  }

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
    auto all = store_->list_outbox("notification", "", 500);
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
    auto page = service_->list(store::DeviationQuery{}, who);
    EXPECT_TRUE(page);
    std::vector<std::string> ids;
    for (const auto& r : page->items) ids.push_back(r.id);
    return ids;
  }

  testing::TempDir dir_;
  SilentHost host_;
  Logger logger_{[](LogLevel, std::string_view) {}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<procedure::ProcedureService> procedures_;
  std::unique_ptr<deviation::DeviationService> service_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 9h;
};

TEST_F(ReporterServiceTest, AnEmployeeReportsFromTheirUnitAndItsLeadersAreToldWithoutFreeText) {
  const auto created =
      service_->register_deviation(input(), employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_TRUE(created) << created.error().detail;
  const auto& r = created->record;
  EXPECT_EQ(r.reporting_unit, "nav");
  EXPECT_EQ(r.reporter, "ansatt-nav");
  EXPECT_EQ(r.reporter_name, "Ansatt ansatt-nav");
  EXPECT_EQ(r.responsible_unit, "boligkontor");

  const auto told = notifications(":reported-from:");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].at("recipient").at("unit_id").as_string(), "nav");
  EXPECT_EQ(told[0].at("recipient").at("role").as_string(), "unit_leader");
  const std::string text = json::serialize(told[0]);
  EXPECT_NE(text.find(r.id), std::string::npos);
  EXPECT_NE(text.find("Tildelingsmøte"), std::string::npos) << "the step: " << text;
  for (const char* secret : {"Saken kom ikke", "Søknaden ble ikke", "ansatt-nav", "Ansatt "}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  EXPECT_EQ(notifications(":registered:boligkontor").size(), 1u) << "the responsible leaders";
}

TEST_F(ReporterServiceTest, OnlyOwnUnitsMayReportAndLeadersOfTheirOwnUnitTellNobodyExtra) {
  auto in = input();
  in.reporting_unit = "okonomi";
  auto refused = service_->register_deviation(in, employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  in.reporting_unit = "finnes-ikke";
  refused = service_->register_deviation(in, employee("ansatt-nav", {"nav"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  // Two units: say which; none: cannot report.
  refused = service_->register_deviation(input(), employee("ansatt-to", {"nav", "pro"}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  refused = service_->register_deviation(input(), employee("ansatt-ingen", {}), "", "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "reporting_unit");
  in.reporting_unit = "pro";
  ASSERT_TRUE(service_->register_deviation(in, employee("ansatt-to", {"nav", "pro"}), "", ""));
  EXPECT_EQ(notifications(":reported-from:pro").size(), 1u);

  // The leader of nav reports from nav: nav's leaders are not told of their own report.
  ASSERT_TRUE(service_->register_deviation(input(), testing::leader_of("nav"), "", ""));
  // An employee of the responsible unit: its leaders are told once, as the responsible ones.
  ASSERT_TRUE(service_->register_deviation(input(), employee("ansatt-boligkontor", {"boligkontor"}),
                                           "", ""));
  const auto from = notifications(":reported-from:");
  ASSERT_EQ(from.size(), 1u) << "only the report from pro";
}

TEST_F(ReporterServiceTest, StrangersAreToldTheAvvikDoesNotExistAndTheReporterDoesNotHandleIt) {
  const auto reporter = employee("ansatt-nav", {"nav"});
  const auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created);
  const std::string id = created->record.id;

  for (const Actor& stranger : {testing::leader_of("okonomi"), employee("ansatt-nav-2", {"nav"}),
                                employee("ansatt-boligkontor", {"boligkontor"})}) {
    SCOPED_TRACE(stranger.user_id);
    auto read = service_->get(id, stranger);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().kind, ErrorKind::kNotFound);
    deviation::TransitionInput receive;
    auto moved = service_->transition(id, receive, stranger, std::nullopt);
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().kind, ErrorKind::kNotFound);
    auto comment = service_->add_comment(id, "Hei", stranger, std::nullopt);
    ASSERT_FALSE(comment);
    EXPECT_EQ(comment.error().kind, ErrorKind::kNotFound);
    EXPECT_FALSE(service_->history(id, stranger));
    EXPECT_TRUE(listed(stranger).empty());
  }

  // The reporter and the reporting unit's leader see it and may comment, but not receive it.
  for (const Actor& follower : {reporter, testing::leader_of("nav")}) {
    SCOPED_TRACE(follower.user_id);
    ASSERT_TRUE(service_->get(id, follower));
    EXPECT_EQ(listed(follower), std::vector<std::string>{id});
    deviation::TransitionInput receive;
    auto moved = service_->transition(id, receive, follower, std::nullopt);
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().kind, ErrorKind::kForbidden);
    EXPECT_TRUE(service_->add_comment(id, "Følger med.", follower, std::nullopt));
  }
  deviation::ActionInput action{"nav", "Noe", "2026-04-01"};
  auto added = service_->add_action(id, action, reporter, std::nullopt);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::kForbidden);

  // The responsible leader receives it.
  deviation::TransitionInput receive;
  auto received =
      service_->transition(id, receive, testing::leader_of("boligkontor"), std::nullopt);
  ASSERT_TRUE(received) << received.error().detail;
  EXPECT_EQ(received->status, "mottatt");
  // The reporter is told of the new status.
  EXPECT_EQ(notifications(":reporter").size(), 1u);
}

}  // namespace
}  // namespace boligflyt

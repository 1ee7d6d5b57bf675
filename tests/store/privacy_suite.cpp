// Personvernavvik and escalation through the avvik service, on every store engine: the
// 72-hour assessment deadline from discovery, the data-protection officer's notification and
// visibility, the assessment's rules, personal_data always set, escalation once per deadline
// to the parent unit's leaders and the quality leader, and the statistics of the deadline.

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <memory>

#include "deviation/service.h"
#include "procedure/service.h"
#include "store/service_fixture.h"
#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const Actor kOfficer{
    "personvernombud", "Personvernombud", {"kommunedirektor"}, {"data_protection_officer"}};
const Actor kQualityLeader{
    "kvalitetsleder", "Kvalitetsleder", {"kommunedirektor"}, {"quality_leader"}};

/// The avvik service over the suite's store, with a clock the test moves.
struct World {
  explicit World(Store& store, deviation::PrivacyOfficer officer = {"personvernombud", ""}) {
    procedures = std::make_unique<procedure::ProcedureService>(
        store, host, logger, BOLIGFLYT_SOURCE_DIR "/procedures",
        BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    deviation::DeviationSettings settings;
    settings.receive_within = procedure::IsoDuration{.days = 3};
    settings.close_within = procedure::IsoDuration{.days = 30};
    settings.privacy_officer = std::move(officer);
    settings.escalate_after = procedure::IsoDuration{.hours = 12};
    service = std::make_unique<deviation::DeviationService>(store, *procedures, logger, settings,
                                                            [this] { return now; });
    const auto* v = procedures->snapshot()->in_force("boligflytprosedyre", "2026-03-01");
    step = v->procedure.steps.front().id;
    responsible = v->procedure.steps.front().responsible.unit;
    parent = procedures->snapshot()->units().find(responsible)->parent;
  }

  deviation::RegisterInput input(const std::string& category = "personvernavvik") const {
    deviation::RegisterInput in;
    in.procedure_id = "boligflytprosedyre";
    in.step_id = step;
    in.incident_date = "2026-03-09";
    in.category = category;
    in.severity = "hoy";
    in.title = "Vedtak sendt til feil mottaker";
    in.description = "Et vedtak med helseopplysninger ble sendt til en annen søker.";
    return in;
  }

  std::int64_t now_epoch() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  }

  QuietHost host;
  Logger logger{[](LogLevel, std::string_view) {}};
  std::unique_ptr<procedure::ProcedureService> procedures;
  std::unique_ptr<deviation::DeviationService> service;
  std::chrono::system_clock::time_point now =
      std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 9h;
  std::string step, responsible, parent;
};

std::vector<json::object> notifications(Store& store, const std::string& key_part) {
  auto all = store.list_outbox("notification", "", 500);
  EXPECT_TRUE(all);
  std::vector<json::object> out;
  for (const auto& m : *all) {
    if (m.dedupe_key.find(key_part) != std::string::npos) {
      out.push_back(json::parse(m.payload_json).as_object());
    }
  }
  return out;
}

std::size_t events_of(deviation::DeviationService& service, const std::string& id,
                      const std::string& kind) {
  auto history = service.history(id, kQualityLeader);
  EXPECT_TRUE(history);
  std::size_t n = 0;
  for (const auto& e : history->events) n += e.kind == kind ? 1 : 0;
  return n;
}

TEST_P(StoreSuite, PersonvernavvikHasA72HourDeadlineIsPersonalDataAndReachesTheOfficer) {
  World w(store());
  auto in = w.input();
  in.discovered_at = "2026-03-10T07:30:00Z";
  in.personal_data = false;  // forced: a breach of personal-data security is personal data
  auto created = w.service->register_deviation(in, leader_of("boligkontor"), "", "");
  ASSERT_TRUE(created) << created.error().detail;
  const auto& r = created->record;
  EXPECT_TRUE(r.personal_data);
  EXPECT_EQ(r.discovered_epoch, epoch_of(2026, 3, 10, 7, 30));
  EXPECT_EQ(r.assessment_due_epoch, epoch_of(2026, 3, 13, 7, 30)) << "72 hours after discovery";
  EXPECT_FALSE(r.assessment.has_value());

  const auto officer = notifications(store(), ":privacy-officer");
  ASSERT_EQ(officer.size(), 1u);
  EXPECT_EQ(officer[0].at("recipient").at("user_id").as_string(), "personvernombud");
  const std::string text = json::serialize(officer[0]);
  EXPECT_NE(text.find(r.id), std::string::npos);
  EXPECT_NE(text.find("2026-03-13T07:30:00Z"), std::string::npos) << "carries the deadline";
  for (const auto& m : notifications(store(), "deviation:" + r.id)) {
    const std::string all = json::serialize(m);
    EXPECT_EQ(all.find("feil mottaker"), std::string::npos) << "no title: " << all;
    EXPECT_EQ(all.find("helseopplysninger"), std::string::npos) << "no description: " << all;
  }
  const auto leaders = notifications(store(), ":registered:" + w.responsible);
  ASSERT_EQ(leaders.size(), 1u) << "the responsible leader is told as for every avvik";
  const std::string body(leaders[0].at("body").as_string());
  EXPECT_NE(body.find("2026-03-13T07:30:00Z"), std::string::npos) << "with the deadline: " << body;
  EXPECT_EQ(body.find("Alvorlighetsgrad"), std::string::npos) << "and nothing more: " << body;

  // Registered without a discovery time: discovered at registration.
  auto now_found = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(now_found) << now_found.error().detail;
  EXPECT_EQ(now_found->record.discovered_epoch, w.now_epoch());
  EXPECT_EQ(now_found->record.assessment_due_epoch, w.now_epoch() + 72 * 3600);

  // Other avvik have no discovery and no assessment deadline.
  auto ordinary =
      w.service->register_deviation(w.input("uklart_ansvar"), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(ordinary);
  EXPECT_EQ(ordinary->record.discovered_epoch, 0);
  EXPECT_FALSE(ordinary->record.personal_data);
}

TEST_P(StoreSuite, AnOfficerUnitMeansTheHoldersOfTheRoleThere) {
  World w(store(), {"", "kommunedirektor"});
  auto created = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(created) << created.error().detail;
  const auto officer = notifications(store(), ":privacy-officer");
  ASSERT_EQ(officer.size(), 1u);
  EXPECT_EQ(officer[0].at("recipient"),
            (json::object{{"role", "data_protection_officer"}, {"unit_id", "kommunedirektor"}}));
  const Actor elsewhere{"ombud-nav", "Ombud", {"nav"}, {"data_protection_officer"}};
  const Actor without_role{"leder-kommunedirektor", "Leder", {"kommunedirektor"}, {"unit_leader"}};
  EXPECT_TRUE(w.service->get(created->record.id, kOfficer)) << "the role in the unit";
  EXPECT_EQ(w.service->get(created->record.id, elsewhere).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(w.service->get(created->record.id, without_role).error().kind, ErrorKind::kNotFound);
  deviation::AssessmentInput a;
  a.risk = "hoy";
  a.notify_required = true;
  EXPECT_TRUE(w.service->assess_privacy(created->record.id, a, kOfficer, std::nullopt))
      << "not yet notified is a valid assessment";
  EXPECT_EQ(w.service->assess_privacy(created->record.id, a, elsewhere, std::nullopt).error().kind,
            ErrorKind::kForbidden);
}

TEST_P(StoreSuite, PersonvernavvikDiscoveryTimeIsCheckedWithTheField) {
  World w(store());
  const auto reporter = leader_of("boligkontor");
  for (const auto& [discovered, why] :
       {std::pair<std::string, std::string>{"2026-03-10T09:00:01Z", "in the future"},
        {"2026-03-08T12:00:00Z", "before the incident date"},
        {"10.03.2026 08:00", "not ISO 8601 UTC"}}) {
    auto in = w.input();
    in.discovered_at = discovered;
    auto refused = w.service->register_deviation(in, reporter, "", "");
    ASSERT_FALSE(refused) << why;
    EXPECT_EQ(refused.error().field, "discovered_at") << why;
  }
  auto in = w.input("uklart_ansvar");
  in.discovered_at = "2026-03-10T08:00:00Z";
  auto refused = w.service->register_deviation(in, reporter, "", "");
  ASSERT_FALSE(refused) << "a discovery time on an avvik that is no personvernavvik";
  EXPECT_EQ(refused.error().field, "discovered_at");
  auto page = w.service->list({}, kQualityLeader);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty()) << "nothing half-stored";
}

TEST_P(StoreSuite, TheOfficerSeesEveryPersonvernavvikAndNoOtherAvvik) {
  World w(store());
  auto privacy = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  auto ordinary =
      w.service->register_deviation(w.input("uklart_ansvar"), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(privacy && ordinary);
  EXPECT_TRUE(w.service->get(privacy->record.id, kOfficer));
  EXPECT_EQ(w.service->get(ordinary->record.id, kOfficer).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(w.service->get(privacy->record.id, leader_of("okonomi")).error().kind,
            ErrorKind::kNotFound)
      << "a leader of an unrelated unit does not";
  const Actor other_officer{"annet-ombud", "Annen", {"nav"}, {"data_protection_officer"}};
  EXPECT_EQ(w.service->get(privacy->record.id, other_officer).error().kind, ErrorKind::kNotFound)
      << "the configured officer only";
  auto page = w.service->list({}, kOfficer);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, privacy->record.id);
}

TEST_P(StoreSuite, TheAssessmentIsValidatedRecordedInTheHistoryAndVisible) {
  World w(store());
  auto created = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(created);
  const auto id = created->record.id;
  deviation::AssessmentInput a;
  a.risk = "middels";
  a.notify_required = true;
  a.notified_at = "2026-03-10T08:30:00Z";
  a.reference = "DT-2026-0042";

  EXPECT_EQ(w.service->assess_privacy(id, a, leader_of("okonomi"), std::nullopt).error().kind,
            ErrorKind::kForbidden);
  auto refused = [&](deviation::AssessmentInput in) {
    auto result = w.service->assess_privacy(id, in, kOfficer, std::nullopt);
    EXPECT_FALSE(result);
    return result ? std::string("(accepted)") : result.error().field;
  };
  auto in = a;
  in.risk = "";
  EXPECT_EQ(refused(in), "risk");
  in.risk = "katastrofal";
  EXPECT_EQ(refused(in), "risk");
  in = a;
  in.notify_required.reset();
  EXPECT_EQ(refused(in), "notify_required");
  in = a;
  in.notify_required = false;
  in.notified_at.clear();
  in.reference.clear();
  in.reason_not_notified = "Lav risiko.";
  EXPECT_EQ(refused(in), "notify_required") << "a risk to the persons must be notified";
  in.risk = "lav";
  in.reason_not_notified.clear();
  EXPECT_EQ(refused(in), "reason_not_notified") << "why not, when not";
  in = a;
  in.reference.clear();
  EXPECT_EQ(refused(in), "reference") << "notified: when and the reference together";
  in = a;
  in.notified_at = "2026-03-10T09:30:00Z";
  EXPECT_EQ(refused(in), "notified_at") << "not in the future";
  in.notified_at = "2026-03-10T08:00:00Z";
  EXPECT_EQ(refused(in), "notified_at") << "not before the breach was discovered (09:00)";

  a.notified_at = "2026-03-10T09:00:00Z";
  auto first = w.service->assess_privacy(id, a, kOfficer, std::nullopt);
  ASSERT_TRUE(first) << first.error().detail;
  // Revised two hours later (the reference corrected): the first assessment's time is kept,
  // since the deadline is about that one.
  w.now += 2h;
  a.notified_at = "2026-03-10T10:00:00Z";
  a.reference = "DT-2026-0042-B";
  auto revised = w.service->assess_privacy(id, a, kOfficer, std::nullopt);
  ASSERT_TRUE(revised) << revised.error().detail;
  ASSERT_TRUE(revised->assessment.has_value());
  EXPECT_EQ(revised->assessment->reference, "DT-2026-0042-B");
  EXPECT_EQ(revised->assessment->assessed_at, "2026-03-10T09:00:00Z");
  EXPECT_EQ(revised->assessment->assessed_by, "personvernombud");
  EXPECT_EQ(events_of(*w.service, id, "privacy_assessed"), 2u);

  auto seen = w.service->get(id, leader_of(w.responsible));
  ASSERT_TRUE(seen);
  ASSERT_TRUE(seen->assessment.has_value()) << "visible to those who see the avvik";
  EXPECT_EQ(seen->assessment->notified_at, "2026-03-10T10:00:00Z");
  EXPECT_TRUE(w.service->assess_privacy(id, a, kQualityLeader, std::nullopt))
      << "the quality leader may record it too";

  auto ordinary =
      w.service->register_deviation(w.input("uklart_ansvar"), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(ordinary);
  auto not_privacy = w.service->assess_privacy(ordinary->record.id, a, kOfficer, std::nullopt);
  ASSERT_FALSE(not_privacy);
  EXPECT_EQ(not_privacy.error().field, "category");
}

TEST_P(StoreSuite, AnOverdueAvvikIsEscalatedOncePerDeadlineAfterTheDelay) {
  World w(store());
  ASSERT_FALSE(w.parent.empty());
  auto created =
      w.service->register_deviation(w.input("uklart_ansvar"), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(created);
  const auto id = created->record.id;

  w.now += 3 * 24h + 11h;  // past the receive deadline, but not by the delay (12 h)
  EXPECT_EQ(w.service->escalate_overdue(), 0u);
  w.now += 2h;
  EXPECT_EQ(w.service->escalate_overdue(), 1u);
  EXPECT_EQ(w.service->escalate_overdue(), 0u) << "once";
  w.now += 1h;
  EXPECT_EQ(w.service->escalate_overdue(), 0u) << "once, also later";
  EXPECT_EQ(events_of(*w.service, id, "escalated"), 1u);
  const auto sent = notifications(store(), "deviation:" + id + ":escalation:receive:");
  ASSERT_EQ(sent.size(), 2u) << "one to the parent unit's leaders, one to the quality leader";
  const auto to = [&](const json::object& recipient) {
    return std::count_if(sent.begin(), sent.end(),
                         [&](const json::object& m) { return m.at("recipient") == recipient; });
  };
  EXPECT_EQ(to({{"unit_id", w.parent}, {"role", "unit_leader"}}), 1);
  EXPECT_EQ(to({{"role", "quality_leader"}}), 1);
  for (const auto& m : sent) {
    EXPECT_EQ(json::serialize(m).find("helseopplysninger"), std::string::npos);
  }
  auto record = w.service->get(id, kQualityLeader);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->escalations.size(), 1u);
  EXPECT_EQ(record->escalations[0].deadline, "receive");
  EXPECT_EQ(record->escalations[0].to_unit, w.parent);

  // Received late; then the close deadline passes: that one is escalated too, once.
  deviation::TransitionInput receive;
  receive.transition = deviation::Transition::kReceive;
  ASSERT_TRUE(w.service->transition(id, receive, leader_of(w.responsible), std::nullopt));
  w.now += 27 * 24h;
  EXPECT_EQ(w.service->escalate_overdue(), 1u);
  EXPECT_EQ(w.service->escalate_overdue(), 0u);
  EXPECT_EQ(events_of(*w.service, id, "escalated"), 2u);
  EXPECT_EQ(notifications(store(), ":escalation:close:").size(), 2u);
}

TEST_P(StoreSuite, AnUnassessedPersonvernavvikIsEscalatedWhen72HoursPass) {
  World w(store());
  auto late = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  auto assessed = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(late && assessed);
  // Received at once, so only the assessment deadline can pass within 72 hours.
  deviation::TransitionInput receive;
  receive.transition = deviation::Transition::kReceive;
  for (const auto& id : {late->record.id, assessed->record.id}) {
    ASSERT_TRUE(w.service->transition(id, receive, leader_of(w.responsible), std::nullopt));
  }
  deviation::AssessmentInput a;
  a.risk = "lav";
  a.notify_required = false;
  a.reason_not_notified = "Konvolutten ble returnert uåpnet.";
  w.now += 71h;
  ASSERT_TRUE(w.service->assess_privacy(assessed->record.id, a, kOfficer, std::nullopt));

  w.now += 1h + 12h + 1s;  // 72 hours and the delay
  EXPECT_EQ(w.service->escalate_overdue(), 1u);
  EXPECT_EQ(w.service->escalate_overdue(), 0u);
  EXPECT_EQ(events_of(*w.service, late->record.id, "escalated"), 1u);
  EXPECT_EQ(events_of(*w.service, assessed->record.id, "escalated"), 0u);
  const auto sent = notifications(store(), ":escalation:assessment:");
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(json::serialize(sent[0]).find("72 timer"), std::string::npos);

  auto stats = w.service->statistics({});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->privacy_total, 2);
  EXPECT_EQ(stats->privacy_assessed_in_time, 1);
  EXPECT_EQ(stats->privacy_open_overdue, 1);
  EXPECT_EQ(stats->privacy_assessed_late, 0);
  ASSERT_TRUE(w.service->assess_privacy(late->record.id, a, kOfficer, std::nullopt));
  stats = w.service->statistics({});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->privacy_assessed_late, 1);
  EXPECT_EQ(stats->privacy_open_overdue, 0);
  auto fresh = w.service->register_deviation(w.input(), leader_of("boligkontor"), "", "");
  ASSERT_TRUE(fresh);
  stats = w.service->statistics({});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->privacy_open_pending, 1);
  EXPECT_EQ(stats->privacy_total, 3);
}

}  // namespace
}  // namespace boligflyt::store::testing

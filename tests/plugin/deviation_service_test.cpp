// The avvik service and the notification outbox below the HTTP layer, with a clock the test
// moves: deadlines and reminders, retries with backoff, dead letters, nothing lost on restart.
// The host is a scripted stand-in (ScriptedHostFake): the reference host cannot be told to
// refuse a notification on cue, and refusing is exactly what these tests need.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>

#include "deviation/service.h"
#include "outbox/messages.h"
#include "outbox/notification_deliverer.h"
#include "outbox/relay.h"
#include "store_sqlite/sqlite_store.h"
#include "test_support.h"

namespace boligflyt {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ScriptedHostFake final : public ports::HostServices {
 public:
  Result<std::optional<std::string>> directory_lookup(const std::string&) override {
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string& n) override {
    std::lock_guard lock(mutex_);
    ++calls;
    if (failures_left > 0) {
      --failures_left;
      return make_error(ErrorKind::kUnavailable, "host-busy", "Opptatt", "Prøv igjen.", {},
                        "scripted refusal");
    }
    delivered.push_back(n);
    return {};
  }
  Result<void> publish_document(const std::string&, std::string_view) override { return {}; }

  std::mutex mutex_;
  int failures_left = 0;
  int calls = 0;
  std::vector<std::string> delivered;
};

store::OutboxMessage message(const std::string& key) {
  return outbox::notification_to_unit_leaders("nav", "Emne", "Tekst", "/x", key);
}

TEST(NotificationOutbox, BackoffDoublesFromTheFirstDelayUpToTheCap) {
  outbox::RetryPolicy p;
  p.first_delay_seconds = 30;
  p.max_delay_seconds = 200;
  EXPECT_EQ(outbox::backoff_seconds(p, 1), 30);
  EXPECT_EQ(outbox::backoff_seconds(p, 2), 60);
  EXPECT_EQ(outbox::backoff_seconds(p, 3), 120);
  EXPECT_EQ(outbox::backoff_seconds(p, 4), 200);
  EXPECT_EQ(outbox::backoff_seconds(p, 40), 200);
}

TEST(NotificationOutbox, RefusedNotificationIsRetriedWithBackoffUntilTheHostTakesIt) {
  testing::TempDir dir;
  auto store = store::open_sqlite_store(dir.str() + "/s.sqlite3");
  ScriptedHostFake host;
  host.failures_left = 2;
  Logger logger([](LogLevel, std::string_view) {});
  outbox::NotificationDeliverer notifications(host);
  outbox::OutboxRelay relay(*store, logger);
  relay.add_topic("notification", notifications, outbox::RetryPolicy{});
  auto deliver_due = [&](std::int64_t now) { return relay.deliver_due("notification", now); };
  ASSERT_TRUE(store->enqueue_outbox({message("k1")}));

  const std::int64_t t0 = 1'800'000'000;
  auto r = deliver_due(t0);
  EXPECT_EQ(r.retried, 1);
  EXPECT_EQ(deliver_due(t0 + 29).retried + deliver_due(t0 + 29).delivered, 0)
      << "not due before the first delay";
  EXPECT_EQ(deliver_due(t0 + 30).retried, 1);
  EXPECT_EQ(deliver_due(t0 + 30 + 59).delivered, 0) << "second delay is 60 s";
  EXPECT_EQ(deliver_due(t0 + 30 + 60).delivered, 1);
  EXPECT_EQ(host.calls, 3);
  ASSERT_EQ(host.delivered.size(), 1u);
  EXPECT_EQ(json::parse(host.delivered[0]).at("key").as_string(), "k1");
  auto counts = store->outbox_counts("notification");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(deliver_due(t0 + 100000).delivered, 0) << "delivered once only";
}

TEST(NotificationOutbox, AfterMaxAttemptsTheMessageIsDeadAndVisibleNotDropped) {
  testing::TempDir dir;
  auto store = store::open_sqlite_store(dir.str() + "/s.sqlite3");
  ScriptedHostFake host;
  host.failures_left = 1000;
  Logger logger([](LogLevel, std::string_view) {});
  outbox::RetryPolicy policy;
  policy.max_attempts = 3;
  outbox::NotificationDeliverer notifications(host);
  outbox::OutboxRelay relay(*store, logger);
  relay.add_topic("notification", notifications, policy);
  auto deliver_due = [&](std::int64_t now) { return relay.deliver_due("notification", now); };
  ASSERT_TRUE(store->enqueue_outbox({message("k-dead")}));
  std::int64_t t = 1'800'000'000;
  for (int i = 0; i < 3; ++i) {
    (void)deliver_due(t);
    t += 100000;
  }
  auto dead = store->list_outbox("notification", "dead", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_EQ((*dead)[0].last_error, "scripted refusal");
  EXPECT_NE(relay.metrics_text().find(
                "boligflyt_outbox_messages{topic=\"notification\",status=\"dead\"} 1"),
            std::string::npos);
  EXPECT_EQ(deliver_due(t).dead, 0) << "a dead message is not tried again";
}

TEST(NotificationOutbox, PendingMessagesSurviveARestart) {
  testing::TempDir dir;
  const auto path = dir.str() + "/s.sqlite3";
  {
    auto store = store::open_sqlite_store(path);
    ASSERT_TRUE(store->enqueue_outbox({message("k-a"), message("k-b"), message("k-a")}));
  }
  auto store = store::open_sqlite_store(path);
  ScriptedHostFake host;
  Logger logger([](LogLevel, std::string_view) {});
  outbox::NotificationDeliverer notifications(host);
  outbox::OutboxRelay relay(*store, logger);
  relay.add_topic("notification", notifications, outbox::RetryPolicy{});
  auto deliver_due = [&](std::int64_t now) { return relay.deliver_due("notification", now); };
  EXPECT_EQ(deliver_due(1'800'000'000).delivered, 2) << "dedupe key k-a once";
}

// --- the service with a movable clock --------------------------------------------------

class DeviationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store(dir_.str() + "/s.sqlite3");
    procedures_ = std::make_unique<procedure::ProcedureService>(
        *store_, host_, logger_, BOLIGFLYT_SOURCE_DIR "/procedures",
        BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    deviation::DeviationSettings settings;
    settings.receive_within = procedure::IsoDuration{.days = 3};
    settings.close_within = procedure::IsoDuration{.months = 1};
    service_ = std::make_unique<deviation::DeviationService>(*store_, *procedures_, logger_,
                                                             settings, [this] { return now_; });
  }

  deviation::RegisterInput input() const {
    deviation::RegisterInput in;
    in.procedure_id = "boligflytprosedyre";
    const auto* v = procedures_->snapshot()->in_force("boligflytprosedyre", "2026-03-01");
    in.step_id = v->procedure.steps.front().id;
    responsible_ = v->procedure.steps.front().responsible.unit;
    in.incident_date = "2026-03-01";
    in.category = "uklart_ansvar";
    in.severity = "middels";
    in.title = "Uklart hvem som kaller inn";
    in.description = "Ingen kalte inn til møtet.";
    return in;
  }

  std::vector<store::OutboxMessage> reminders() {
    auto all = store_->list_outbox("notification", "", 500);
    EXPECT_TRUE(all);
    std::vector<store::OutboxMessage> out;
    for (auto& m : *all) {
      if (m.dedupe_key.find(":reminder:") != std::string::npos) out.push_back(m);
    }
    return out;
  }

  testing::TempDir dir_;
  ScriptedHostFake host_;
  Logger logger_{[](LogLevel, std::string_view) {}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<procedure::ProcedureService> procedures_;
  std::unique_ptr<deviation::DeviationService> service_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + 9h;
  mutable std::string responsible_;
};

TEST_F(DeviationServiceTest, DeadlinesFollowTheSettingsAndRemindersComeOncePerDeadline) {
  const auto reporter = testing::leader_of("boligkontor");
  auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created) << created.error().detail;
  const auto& r = created->record;
  EXPECT_EQ(r.id, "AVVIK-2026-0001");
  const auto created_epoch = r.created_epoch;
  EXPECT_EQ(r.receive_due_epoch - created_epoch, 3 * 86400);
  EXPECT_EQ(r.close_due_epoch - created_epoch, 31 * 86400) << "one calendar month from 10 March";

  EXPECT_EQ(service_->remind_overdue(), 0u);
  EXPECT_TRUE(reminders().empty());

  now_ += 3 * 24h + 1s;  // past the time to receive
  EXPECT_EQ(service_->remind_overdue(), 1u);
  EXPECT_EQ(service_->remind_overdue(), 1u);
  auto first = reminders();
  ASSERT_EQ(first.size(), 1u) << "the same deadline reminds once";
  const auto payload = json::parse(first[0].payload_json).as_object();
  EXPECT_EQ(payload.at("recipient").at("unit_id").as_string(), responsible_);
  EXPECT_NE(std::string(payload.at("subject").as_string()).find("AVVIK-2026-0001"),
            std::string::npos);
  EXPECT_EQ(std::string(payload.at("body").as_string()).find("Ingen kalte inn"), std::string::npos)
      << "notifications never carry the free text";

  // Received: the receive deadline no longer counts; the close deadline does, later.
  const auto leader = testing::leader_of(responsible_);
  deviation::TransitionInput receive;
  receive.transition = deviation::Transition::kReceive;
  ASSERT_TRUE(service_->transition(r.id, receive, leader, std::nullopt));
  now_ += 24h;
  EXPECT_EQ(service_->remind_overdue(), 0u);
  now_ += 40 * 24h;
  EXPECT_EQ(service_->remind_overdue(), 1u);
  EXPECT_EQ(reminders().size(), 2u) << "one more: the close deadline";
}

TEST_F(DeviationServiceTest, HistoryVerificationFindsATamperedEvent) {
  const auto reporter = testing::leader_of("boligkontor");
  auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created);
  ASSERT_TRUE(service_->add_comment(created->record.id, "Første", reporter, std::nullopt));
  ASSERT_TRUE(service_->add_comment(created->record.id, "Andre", reporter, std::nullopt));
  auto history = service_->history(created->record.id, reporter);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->events.size(), 3u);
  EXPECT_TRUE(history->chain_valid);

  auto events = history->events;
  events[1].data_json = R"({"after":{"comment_no":1,"text":"Endret i ettertid"}})";
  EXPECT_EQ(deviation::verify_history(created->record.id, events), 2);
  events = history->events;
  events.erase(events.begin() + 1);
  EXPECT_EQ(deviation::verify_history(created->record.id, events), 3) << "a removed event";
  EXPECT_EQ(deviation::verify_history("AVVIK-2026-0002", history->events), 1)
      << "a history moved to another avvik";
}

TEST_F(DeviationServiceTest, ReopeningGivesAFreshCloseDeadline) {
  const auto reporter = testing::leader_of("boligkontor");
  auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created);
  const auto leader = testing::leader_of(responsible_);
  const auto& id = created->record.id;
  deviation::TransitionInput t;
  t.transition = deviation::Transition::kReject;
  t.reason = "Gjelder ikke prosedyren.";
  ASSERT_TRUE(service_->transition(id, t, leader, std::nullopt));
  now_ += 60 * 24h;
  t.transition = deviation::Transition::kReopen;
  t.reason = "Det gjelder prosedyren likevel.";
  auto reopened = service_->transition(id, t, reporter, std::nullopt);
  ASSERT_TRUE(reopened) << reopened.error().detail;
  EXPECT_EQ(reopened->status, "gjenapnet");
  const auto now_epoch =
      std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
  EXPECT_GT(reopened->close_due_epoch, now_epoch);
  EXPECT_EQ(reopened->reopen_reason, "Det gjelder prosedyren likevel.");
}

TEST_F(DeviationServiceTest, ParticipantLeadersSeeAndCompleteTheirActionsButCannotClose) {
  const auto reporter = testing::leader_of("boligkontor");
  auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created);
  const auto& id = created->record.id;
  const auto responsible = testing::leader_of(responsible_);
  const auto okonomi = testing::leader_of("okonomi");
  EXPECT_EQ(service_->get(id, okonomi).error().kind, ErrorKind::kNotFound)
      << "an avvik someone may not see does not exist for them";

  auto added = service_->add_participant(id, "okonomi", responsible, std::nullopt);
  ASSERT_TRUE(added) << added.error().detail;
  EXPECT_TRUE(service_->get(id, okonomi)) << "a participating unit's leader sees the avvik";
  EXPECT_EQ(service_->add_participant(id, "okonomi", responsible, std::nullopt).error().kind,
            ErrorKind::kConflict);
  EXPECT_EQ(service_->add_participant(id, "finnes-ikke", responsible, std::nullopt).error().field,
            "unit_id");

  deviation::ActionInput action{"okonomi", "Rutine for varsel om restanse", "2026-03-20"};
  EXPECT_EQ(service_->add_action(id, action, okonomi, std::nullopt).error().kind,
            ErrorKind::kForbidden)
      << "only the responsible leader or the quality leader plan actions";
  ASSERT_TRUE(service_->add_action(id, action, responsible, std::nullopt));

  // The action's owner unit is reminded once it is past due and not done.
  now_ += 11 * 24h;  // 2026-03-21
  deviation::TransitionInput t;
  t.transition = deviation::Transition::kReceive;
  ASSERT_TRUE(service_->transition(id, t, responsible, std::nullopt));
  EXPECT_EQ(service_->remind_overdue_actions(), 1u);
  EXPECT_EQ(service_->remind_overdue_actions(), 0u) << "at most one scan an hour";
  std::size_t action_reminders = 0;
  for (const auto& m : reminders()) {
    if (m.dedupe_key.find(":reminder:action:1:2026-03-20") != std::string::npos) {
      ++action_reminders;
      EXPECT_EQ(json::parse(m.payload_json).at("recipient").at("unit_id").as_string(), "okonomi");
    }
  }
  EXPECT_EQ(action_reminders, 1u);

  auto done = service_->complete_action(id, 1, "2026-03-21", okonomi, std::nullopt);
  ASSERT_TRUE(done) << done.error().detail;
  EXPECT_EQ(done->actions.at(0).done_date, "2026-03-21");
  EXPECT_EQ(service_->complete_action(id, 2, "2026-03-21", okonomi, std::nullopt).error().kind,
            ErrorKind::kNotFound);
  EXPECT_EQ(service_->complete_action(id, 1, "2027-01-01", okonomi, std::nullopt).error().field,
            "done_date")
      << "not in the future";

  t.transition = deviation::Transition::kStartTreatment;
  ASSERT_TRUE(service_->transition(id, t, responsible, std::nullopt));
  t.transition = deviation::Transition::kClose;
  t.cause = "Uklart hvem som varsler.";
  t.evaluation = "Varsel går nå ut innen fristen.";
  t.cause_codes = {"kommunikasjon"};
  EXPECT_EQ(service_->transition(id, t, okonomi, std::nullopt).error().kind, ErrorKind::kForbidden);
  auto closed = service_->transition(id, t, responsible, std::nullopt);
  ASSERT_TRUE(closed) << closed.error().detail;
  EXPECT_EQ(closed->status, "lukket");
  EXPECT_EQ(closed->closed_epoch - closed->created_epoch, 11 * 86400);
}

TEST_F(DeviationServiceTest, ClosedAsResolvedInAPublishedVersionAndLinkedToADraftOnly) {
  const auto reporter = testing::leader_of("boligkontor");
  auto created = service_->register_deviation(input(), reporter, "", "");
  ASSERT_TRUE(created);
  const auto& id = created->record.id;
  const auto ql = api::Principal{"kvalitetsleder", "K", {"kommunedirektor"}, {"quality_leader"}};

  // Only a draft (or a version on its way to approval) can be the fix in progress.
  auto linked = service_->link_draft(id, "3.0", ql, std::nullopt);
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().field, "version");
  EXPECT_EQ(service_->link_draft(id, "9.0", ql, std::nullopt).error().field, "version");

  deviation::TransitionInput t;
  t.transition = deviation::Transition::kReceive;
  ASSERT_TRUE(service_->transition(id, t, ql, std::nullopt));
  t.transition = deviation::Transition::kStartTreatment;
  ASSERT_TRUE(service_->transition(id, t, ql, std::nullopt));
  t.transition = deviation::Transition::kClose;
  t.cause = "Prosedyren var uklar.";
  t.evaluation = "Versjon 3.0 sier tydelig hvem som kaller inn.";
  t.cause_codes = {"rutine_mangler"};
  auto without = service_->transition(id, t, ql, std::nullopt);
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().field, "actions") << "no action done and no resolving version";
  t.resolved_in_version = "7.0";
  EXPECT_EQ(service_->transition(id, t, ql, std::nullopt).error().field, "resolved_in_version");
  t.resolved_in_version = "3.0";
  auto closed = service_->transition(id, t, ql, std::nullopt);
  ASSERT_TRUE(closed) << closed.error().detail;
  EXPECT_EQ(closed->resolved_in_version, "3.0");
  auto history = service_->history(id, ql);
  ASSERT_TRUE(history);
  EXPECT_NE(history->events.back().data_json.find(R"("resolved_in_version":"3.0")"),
            std::string::npos);
}

}  // namespace
}  // namespace boligflyt

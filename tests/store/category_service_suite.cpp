// The avvik service's rules on categories, the personal-data mark of steps and cause codes,
// on every store engine: the shipped procedures (3.0 until 2026-09-30, 3.1 from 2026-10-01)
// loaded into the engine under test, and a clock fixed in November 2026.

#include <boost/json.hpp>
#include <chrono>

#include "deviation/service.h"
#include "store/service_fixture.h"
#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

using namespace std::chrono_literals;

/// The services over the store under test.
class Services {
 public:
  explicit Services(Store& store, deviation::DeviationSettings settings = {})
      : procedures_(store, host_, logger_, BOLIGFLYT_SOURCE_DIR "/procedures",
                    BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd"),
        deviations_(store, procedures_, logger_, std::move(settings), [] {
          return std::chrono::system_clock::time_point(
              std::chrono::sys_days{std::chrono::year{2026} / 11 / 20} + 9h);
        }) {}

  deviation::DeviationService& deviations() { return deviations_; }

  /// An avvik on `step` (3.1 from 2026-10-01), reported by the leader of nav.
  Result<DeviationCreated> report(const std::string& step, const std::string& category,
                                  const std::string& date = "2026-11-02",
                                  std::optional<bool> personal_data = std::nullopt) {
    deviation::RegisterInput in;
    in.procedure_id = "boligflytprosedyre";
    in.step_id = step;
    in.incident_date = date;
    in.category = category;
    in.severity = "middels";
    in.title = "Avvik fra prosedyren";
    in.description = "Det som skjedde, uten personopplysninger.";
    if (personal_data) {
      in.personal_data = *personal_data;
      in.personal_data_stated = true;
    }
    return deviations_.register_deviation(in, leader_of("nav"), "", "");
  }

  /// Received, in treatment, and closed by the quality leader as resolved in 3.1.
  Result<DeviationRecord> close(const std::string& id, std::vector<std::string> cause_codes) {
    deviation::TransitionInput t;
    for (const auto transition :
         {deviation::Transition::kReceive, deviation::Transition::kStartTreatment}) {
      t.transition = transition;
      // Already past this step (a second attempt to close): the state says so, and that is fine.
      auto moved = deviations_.transition(id, t, quality_leader_, std::nullopt);
      if (!moved && moved.error().kind != ErrorKind::kConflict) return moved.error();
    }
    t.transition = deviation::Transition::kClose;
    t.cause = "Rutinen var ikke kjent.";
    t.evaluation = "Rutinen er gjennomgått på personalmøtet.";
    t.resolved_in_version = "3.1";
    t.cause_codes = std::move(cause_codes);
    return deviations_.transition(id, t, quality_leader_, std::nullopt);
  }

  const Actor quality_leader_{"kvalitetsleder", "K", {"kommunedirektor"}, {"quality_leader"}};

 private:
  QuietHost host_;
  Logger logger_{[](LogLevel, std::string_view) {}};
  procedure::ProcedureService procedures_;
  deviation::DeviationService deviations_;
};

TEST_P(StoreSuite, AProcedureCategoryIsAcceptedOnItsStepsAndRefusedElsewhere) {
  Services s(store());
  auto ok = s.report("tildelingsmote", "tildelingsmote-forbigatt");
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->record.procedure_version, "3.1");
  EXPECT_EQ(ok->record.category, "tildelingsmote-forbigatt");
  auto stored = store().get_deviation(ok->record.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->category, "tildelingsmote-forbigatt");

  // Declared, but for other steps: the problem names the field and what the step allows.
  auto elsewhere = s.report("utflytting", "tildelingsmote-forbigatt");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(elsewhere.error().field, "category");
  EXPECT_NE(elsewhere.error().detail.find("«Saken gikk utenom tildelingsmøtet» gjelder ikke"),
            std::string::npos)
      << elsewhere.error().detail;
  EXPECT_NE(elsewhere.error().detail.find("tillater disse kategoriene: prosedyre_ikke_fulgt"),
            std::string::npos)
      << elsewhere.error().detail;
  EXPECT_NE(elsewhere.error().detail.find("tolk-ikke-bestilt"), std::string::npos)
      << "a category without steps applies to every step: " << elsewhere.error().detail;
  EXPECT_EQ(elsewhere.error().detail.find("inkasso-uten-samarbeidsmote"), std::string::npos)
      << "only what this step allows: " << elsewhere.error().detail;

  auto unknown = s.report("tildelingsmote", "ukjent-kategori");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "category");
  EXPECT_EQ(unknown.error().detail.find("ukjent-kategori"), std::string::npos) << "not echoed";
  EXPECT_TRUE(s.report("utflytting", "tolk-ikke-bestilt"));
  EXPECT_TRUE(s.report("utflytting", "frist_overskredet")) << "the generic categories stay";

  // Before 3.1 was in force the avvik belongs to 3.0, which declares no categories.
  auto before = s.report("tildelingsmote", "tildelingsmote-forbigatt", "2026-09-30");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().field, "category");
  EXPECT_NE(before.error().detail.find("versjon 3.0"), std::string::npos);
  auto generic_in_3_0 = s.report("tildelingsmote", "uklart_ansvar", "2026-09-30");
  ASSERT_TRUE(generic_in_3_0);
  EXPECT_EQ(generic_in_3_0->record.procedure_version, "3.0");

  // Refused registrations stored nothing.
  auto all = store().list_deviations(DeviationQuery{});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 4u);
}

TEST_P(StoreSuite, AvvikOnAStepHandlingPersonalDataAlwaysCarryIt) {
  Services s(store());
  auto unstated = s.report("institusjon-varsel", "institusjonsopphold-ikke-meldt");
  ASSERT_TRUE(unstated) << unstated.error().detail;
  EXPECT_TRUE(unstated->record.personal_data);
  auto stored = store().get_deviation(unstated->record.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_TRUE((*stored)->personal_data);

  auto turned_off =
      s.report("institusjon-varsel", "institusjonsopphold-ikke-meldt", "2026-11-02", false);
  ASSERT_FALSE(turned_off) << "not silently turned off, and not silently overridden";
  EXPECT_EQ(turned_off.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(turned_off.error().field, "personal_data");
  EXPECT_NE(turned_off.error().detail.find("behandler personopplysninger"), std::string::npos);

  auto stated = s.report("utkastelse-begjaering", "annet", "2026-11-02", true);
  ASSERT_TRUE(stated);
  EXPECT_TRUE(stated->record.personal_data);
  // Another step, and the same step in 3.0 (not marked there): the reporter decides.
  auto ordinary = s.report("tildelingsmote", "annet", "2026-11-02", false);
  ASSERT_TRUE(ordinary);
  EXPECT_FALSE(ordinary->record.personal_data);
  auto in_3_0 = s.report("institusjon-varsel", "annet", "2026-09-01", false);
  ASSERT_TRUE(in_3_0) << in_3_0.error().detail;
  EXPECT_FALSE(in_3_0->record.personal_data);
}

TEST_P(StoreSuite, ClosingNeedsKnownCauseCodesWhichAreStoredAndKeptInTheHistory) {
  Services s(store());
  auto created = s.report("tildelingsmote", "tildelingsmote-forbigatt");
  ASSERT_TRUE(created);
  const auto id = created->record.id;

  auto none = s.close(id, {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kMissingField);
  EXPECT_EQ(none.error().field, "cause_codes");
  auto unknown = s.close(id, {"kapasitet", "ukjent_kode"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(unknown.error().field, "cause_codes/1");
  auto open = store().get_deviation(id);
  ASSERT_TRUE(open && open->has_value());
  EXPECT_EQ((*open)->status, "under_behandling") << "nothing half-stored";
  EXPECT_TRUE((*open)->cause_codes.empty());

  deviation::TransitionInput wrong;
  wrong.transition = deviation::Transition::kReject;
  wrong.reason = "Ikke et avvik.";
  wrong.cause_codes = {"kapasitet"};
  EXPECT_EQ(s.deviations().transition(id, wrong, s.quality_leader_, std::nullopt).error().field,
            "cause_codes");

  auto closed = s.close(id, {"kommunikasjon", "rutine_ikke_fulgt", "kommunikasjon"});
  ASSERT_TRUE(closed) << closed.error().detail;
  EXPECT_EQ(closed->status, "lukket");
  EXPECT_EQ(closed->cause_codes, (std::vector<std::string>{"kommunikasjon", "rutine_ikke_fulgt"}));
  auto stored = store().get_deviation(id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->cause_codes, closed->cause_codes) << "in the order chosen";
  auto history = s.deviations().history(id, s.quality_leader_);
  ASSERT_TRUE(history);
  EXPECT_TRUE(history->chain_valid);
  const auto last = boost::json::parse(history->events.back().data_json).as_object();
  EXPECT_EQ(boost::json::serialize(last.at("after").at("cause_codes")),
            R"(["kommunikasjon","rutine_ikke_fulgt"])");
  EXPECT_EQ(boost::json::serialize(last.at("before").at("cause_codes")), "[]");

  // Reopened and closed again without new codes: the codes stay.
  deviation::TransitionInput reopen;
  reopen.transition = deviation::Transition::kReopen;
  reopen.reason = "Skjedde igjen.";
  ASSERT_TRUE(s.deviations().transition(id, reopen, s.quality_leader_, std::nullopt));
  auto again = s.close(id, {});
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(again->cause_codes, closed->cause_codes);
  auto changed = s.close(id, {});  // already closed: the state refuses first
  EXPECT_EQ(changed.error().kind, ErrorKind::kConflict);
}

TEST_P(StoreSuite, StatisticsCountAvvikPerCauseCode) {
  Services s(store());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto created = s.report(i == 2 ? "utflytting" : "tildelingsmote", "annet");
    ASSERT_TRUE(created);
    ids.push_back(created->record.id);
  }
  ASSERT_TRUE(s.close(ids[0], {"kapasitet", "opplaering"}));
  ASSERT_TRUE(s.close(ids[1], {"kapasitet"}));
  ASSERT_TRUE(s.close(ids[2], {"it_system"}));
  auto stats = s.deviations().statistics(DeviationQuery{});
  ASSERT_TRUE(stats) << stats.error().log_message;
  ASSERT_EQ(stats->per_cause_code.size(), 3u);
  EXPECT_EQ(stats->per_cause_code[0].key, "kapasitet");
  EXPECT_EQ(stats->per_cause_code[0].count, 2);
  EXPECT_EQ(stats->per_cause_code[1].key, "it_system");
  EXPECT_EQ(stats->per_cause_code[1].count, 1);
  EXPECT_EQ(stats->per_cause_code[2].key, "opplaering");
  // With a filter the counts follow it.
  DeviationQuery step;
  step.step_id = "utflytting";
  auto filtered = s.deviations().statistics(step);
  ASSERT_TRUE(filtered);
  ASSERT_EQ(filtered->per_cause_code.size(), 1u);
  EXPECT_EQ(filtered->per_cause_code[0].key, "it_system");
}

TEST_P(StoreSuite, AConfiguredCatalogueOfCauseCodesReplacesTheDefault) {
  deviation::DeviationSettings settings;
  settings.cause_codes = {{"husleie", "Husleie og økonomi"}, {"annet", "Annet"}};
  Services s(store(), settings);
  auto created = s.report("tildelingsmote", "annet");
  ASSERT_TRUE(created);
  EXPECT_EQ(s.close(created->record.id, {"kapasitet"}).error().field, "cause_codes/0");
  auto closed = s.close(created->record.id, {"husleie"});
  ASSERT_TRUE(closed) << closed.error().detail;
  EXPECT_EQ(deviation::cause_code_label(s.deviations().cause_codes(), "husleie"),
            "Husleie og økonomi");
}

}  // namespace
}  // namespace boligflyt::store::testing

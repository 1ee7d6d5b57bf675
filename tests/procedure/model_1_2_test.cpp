// Format 1.2 as the loader reads it: external parties, meetings, handovers, escalations,
// parallel split and join, outcome codes, whom a deadline binds, and the validity of legal
// provisions (tests/procedure/data/modell-1.2.xml has each of them once).
#include <gtest/gtest.h>

#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

class Model12Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const ProcedureLoader loader;  // the schema compiled into the plugin
    auto units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    ASSERT_TRUE(units.ok());
    loaded_ = new LoadedProcedure(loader.load_procedure_file(
        BOLIGFLYT_SOURCE_DIR "/tests/procedure/data/modell-1.2.xml", &*units.registry));
  }
  static void TearDownTestSuite() { delete loaded_; }
  static const Procedure& p() { return *loaded_->procedure; }
  static LoadedProcedure* loaded_;
};

LoadedProcedure* Model12Test::loaded_ = nullptr;

TEST_F(Model12Test, TheFixtureIsValid) {
  ASSERT_TRUE(loaded_->procedure.has_value());
  for (const auto& d : loaded_->diagnostics) ADD_FAILURE() << format_diagnostic(d);
}

TEST_F(Model12Test, PartiesAndMeetings) {
  ASSERT_EQ(p().external_parties.size(), 2u);
  const auto* soker = p().find_party("soker");
  ASSERT_NE(soker, nullptr);
  EXPECT_EQ(soker->kind, "person");
  EXPECT_EQ(soker->name, "Søkeren");
  EXPECT_EQ(p().find_party("boligkontor"), nullptr);
  const auto* meeting = p().find_meeting("tildelingsmote");
  ASSERT_NE(meeting, nullptr);
  EXPECT_EQ(meeting->chair, "boligkontor");
  ASSERT_EQ(meeting->members.size(), 2u);
  EXPECT_EQ(meeting->members[0].first, "nav");
  EXPECT_EQ(meeting->members[0].second, "Økonomisk vurdering");
  EXPECT_EQ(meeting->cadence, "R/P14D");
  EXPECT_FALSE(meeting->mandate.empty());
  EXPECT_EQ(p().find_step("tildeling")->meeting, "tildelingsmote");
}

TEST_F(Model12Test, ParallelSplitIsNextWithAJoin) {
  const auto* split = p().find_step("mottak");
  ASSERT_NE(split, nullptr);
  EXPECT_TRUE(split->parallel);
  EXPECT_EQ(split->parallel_join, "tildeling");
  ASSERT_EQ(split->next.size(), 2u);
  EXPECT_EQ(split->next[0].step, "behovsvurdering");
  EXPECT_EQ(split->next[1].step, "okonomivurdering");
  EXPECT_GT(split->parallel_pos.line, 0u);
  EXPECT_EQ(p().find_step("tildeling")->join, "mottak");
  EXPECT_FALSE(p().find_step("vedtak")->parallel);
}

TEST_F(Model12Test, HandoversEscalationsAndParties) {
  const auto* nav = p().find_step("okonomivurdering");
  ASSERT_EQ(nav->handovers.size(), 1u);
  EXPECT_EQ(nav->handovers[0].id, "okonomi-til-boligkontor");
  EXPECT_EQ(nav->handovers[0].from, "");
  EXPECT_EQ(nav->handovers[0].to, "boligkontor");
  EXPECT_EQ(nav->handovers[0].within, "P2D");
  EXPECT_EQ(nav->handovers[0].channel, "Sikker melding i fagsystemet");
  EXPECT_EQ(nav->handovers[0].what, "Økonomisk vurdering");
  ASSERT_EQ(nav->escalations.size(), 1u);
  EXPECT_EQ(nav->escalations[0].after, "P4W");
  EXPECT_EQ(nav->escalations[0].to, "kommunedirektor");
  const auto* klage = p().find_step("klage");
  ASSERT_EQ(klage->participating_parties.size(), 1u);
  EXPECT_EQ(klage->participating_parties[0].party, "statsforvalteren");
}

TEST_F(Model12Test, OutcomesAndDeadlineBinding) {
  const auto* vedtak = p().find_step("vedtak");
  ASSERT_EQ(vedtak->next.size(), 2u);
  EXPECT_EQ(vedtak->next[0].outcome, "innvilget");
  EXPECT_EQ(vedtak->next[1].outcome, "avslag");
  const auto& frist = p().find_step("klage")->deadlines.at(0);
  EXPECT_EQ(frist.binds, "soker");
  EXPECT_EQ(frist.basis, "statutory");
  EXPECT_EQ(frist.source, "forvaltningsloven");
  EXPECT_EQ(frist.provision, "§ 29");
  EXPECT_EQ(p().find_step("behovsvurdering")->deadlines.at(0).basis, "local");
}

TEST_F(Model12Test, ProvisionValidity) {
  const auto& fvl = p().legal_basis.at(0);
  EXPECT_EQ(fvl.validity.from, "1967-02-10");
  EXPECT_TRUE(fvl.validity.in_force_on("2027-01-01"));
  EXPECT_FALSE(fvl.validity.in_force_on("1960-01-01"));
  const auto& hl = p().legal_basis.at(1);
  ASSERT_EQ(hl.provision_validity.count("§ 9-11"), 1u);
  EXPECT_EQ(hl.provision_validity.at("§ 9-11").from, "1999-03-26");
  const Validity repealed{"2011-07-01", "2023-12-31"};
  EXPECT_FALSE(repealed.in_force_on("2024-01-01"));
  EXPECT_TRUE(repealed.in_force_on("2023-12-31"));
}

}  // namespace
}  // namespace boligflyt::procedure

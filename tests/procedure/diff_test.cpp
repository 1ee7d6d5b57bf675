#include "procedure/diff.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fixtures.h"
#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

using testing::FixtureOptions;
using testing::procedure_xml;

Procedure load_ok(const std::string& xml) {
  static ProcedureLoader loader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
  auto loaded = loader.load_procedure(xml, "t.xml", nullptr);
  if (!loaded.procedure) throw std::runtime_error("fixture did not load");
  return *loaded.procedure;
}

TEST(ProcedureDiff, IdenticalVersionsHaveNoChanges) {
  auto a = load_ok(procedure_xml());
  auto diff = diff_procedures(a, a);
  EXPECT_TRUE(diff.changes.empty());
  EXPECT_NE(diff_as_text(diff).find("Ingen endringer"), std::string::npos);
}

TEST(ProcedureDiff, FindsEveryKindOfChange) {
  auto before = load_ok(procedure_xml());
  auto after = before;
  after.version = {2, 0};
  auto* vedtak = const_cast<Step*>(after.find_step("vedtak"));
  vedtak->title = "Fatte vedtak om kommunal bolig";  // renamed
  vedtak->responsible.unit = "nav";                  // responsible changed
  vedtak->description = "Ny tekst.";                 // text changed
  auto* mottak = const_cast<Step*>(after.find_step("mottak"));
  mottak->participants.clear();   // participants changed
  mottak->phase = "vedtak-fase";  // moved
  auto* klage = const_cast<Step*>(after.find_step("klage"));
  klage->deadlines.at(0).duration = "P4W";  // deadline changed
  after.steps.erase(std::find_if(after.steps.begin(), after.steps.end(),
                                 [](const Step& s) { return s.id == "kontrakt"; }));  // removed
  Step added = *after.find_step("avslutt");
  added.id = "tidlig-varsel";
  added.title = "Tidlig varsel";
  after.steps.push_back(added);  // added

  UnitRegistry units{{{"nav", "NAV-kontoret", "", "unit_leader", ""},
                      {"boligkontor", "Boligkontoret", "", "unit_leader", ""}}};
  auto diff = diff_procedures(before, after, &units);
  EXPECT_TRUE(diff.has(ChangeKind::kRenamed, "vedtak"));
  EXPECT_TRUE(diff.has(ChangeKind::kResponsibleChanged, "vedtak"));
  EXPECT_TRUE(diff.has(ChangeKind::kTextChanged, "vedtak"));
  EXPECT_TRUE(diff.has(ChangeKind::kParticipantsChanged, "mottak"));
  EXPECT_TRUE(diff.has(ChangeKind::kMoved, "mottak"));
  EXPECT_TRUE(diff.has(ChangeKind::kDeadlinesChanged, "klage"));
  EXPECT_TRUE(diff.has(ChangeKind::kRemoved, "kontrakt"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "tidlig-varsel"));
  EXPECT_FALSE(diff.has(ChangeKind::kRenamed, "klage"));

  const auto text = diff_as_text(diff);
  EXPECT_NE(text.find("Ansvaret for trinn «Fatte vedtak om kommunal bolig» (vedtak) er flyttet fra "
                      "Boligkontoret til NAV-kontoret."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3 uker"), std::string::npos) << text;
  EXPECT_NE(text.find("4 uker"), std::string::npos) << text;
}

// Every element of format 1.2, changed one at a time on the shared fixture, is a change the
// diff names, with the words a reviewer needs.
TEST(ProcedureDiff, FindsEveryChangeToTheElementsOfFormatOneTwo) {
  std::ifstream in(BOLIGFLYT_SOURCE_DIR "/tests/procedure/data/modell-1.2.xml");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const auto before = load_ok(buffer.str());
  ASSERT_FALSE(before.external_parties.empty());
  EXPECT_TRUE(diff_procedures(before, before).changes.empty());
  EXPECT_TRUE(diff_procedures(before, before).metadata_changes.empty());

  auto after = before;
  auto step = [&](const char* id) { return const_cast<Step*>(after.find_step(id)); };
  step("okonomivurdering")->handovers.at(0).within = "P5D";
  step("okonomivurdering")->escalations.at(0).to = "boligkontor";
  step("klage")->participating_parties.clear();
  step("tildeling")->meeting.clear();
  step("vedtak")->next.at(1).outcome = "avvist";
  step("mottak")->parallel_join.clear();
  step("behovsvurdering")->deadlines.at(0).basis = "statutory";
  step("klage")->deadlines.at(0).binds.clear();
  after.legal_basis.at(1).provision_validity["§ 9-11"].to = "2026-12-31";
  after.external_parties.at(1).name = "Statsforvalteren i Innlandet";
  after.meetings.at(0).cadence = "R/P7D";

  UnitRegistry units{{{"nav", "NAV-kontoret", "", "unit_leader", ""},
                      {"boligkontor", "Boligkontoret", "", "unit_leader", ""},
                      {"kommunedirektor", "Kommunedirektøren", "", "unit_leader", ""}}};
  const auto diff = diff_procedures(before, after, &units);
  auto find = [&](ChangeKind kind, const std::string& id) -> const StepChange* {
    for (const auto& c : diff.changes) {
      if (c.kind == kind && c.step_id == id) return &c;
    }
    return nullptr;
  };
  const auto* handover = find(ChangeKind::kHandoversChanged, "okonomivurdering");
  ASSERT_NE(handover, nullptr);
  EXPECT_NE(handover->before.find("innen 2 dager"), std::string::npos) << handover->before;
  EXPECT_NE(handover->after.find("okonomi-til-boligkontor: NAV-kontoret → Boligkontoret innen 5 "
                                 "dager (Sikker melding i fagsystemet)"),
            std::string::npos)
      << handover->after;
  const auto* escalation = find(ChangeKind::kEscalationsChanged, "okonomivurdering");
  ASSERT_NE(escalation, nullptr);
  EXPECT_NE(escalation->before.find("etter 4 uker til Kommunedirektøren"), std::string::npos);
  EXPECT_NE(escalation->after.find("til Boligkontoret"), std::string::npos);
  const auto* parties = find(ChangeKind::kPartiesChanged, "klage");
  ASSERT_NE(parties, nullptr);
  EXPECT_EQ(parties->before, "Statsforvalteren") << "the name in the older version";
  EXPECT_EQ(parties->after, "ingen");
  const auto* meeting = find(ChangeKind::kMeetingChanged, "tildeling");
  ASSERT_NE(meeting, nullptr);
  EXPECT_EQ(meeting->before, "Tildelingsmøtet");
  const auto* outcome = find(ChangeKind::kFlowChanged, "vedtak");
  ASSERT_NE(outcome, nullptr);
  EXPECT_NE(outcome->before.find("avslag → klage"), std::string::npos) << outcome->before;
  EXPECT_NE(outcome->after.find("avvist → klage"), std::string::npos) << outcome->after;
  const auto* split = find(ChangeKind::kFlowChanged, "mottak");
  ASSERT_NE(split, nullptr);
  EXPECT_NE(split->before.find("samtidig, samles i tildeling"), std::string::npos);
  EXPECT_EQ(split->after.find("samles i"), std::string::npos);
  const auto* basis = find(ChangeKind::kDeadlinesChanged, "behovsvurdering");
  ASSERT_NE(basis, nullptr);
  EXPECT_NE(basis->before.find("lokal"), std::string::npos);
  EXPECT_NE(basis->after.find("lovfestet"), std::string::npos);
  const auto* binding = find(ChangeKind::kDeadlinesChanged, "klage");
  ASSERT_NE(binding, nullptr);
  EXPECT_NE(binding->before.find("binder Søkeren"), std::string::npos) << binding->before;
  EXPECT_EQ(binding->after.find("binder"), std::string::npos);
  // The join step says it waits, in both versions, so it did not change.
  EXPECT_EQ(find(ChangeKind::kFlowChanged, "tildeling"), nullptr);

  const auto text = diff_as_text(diff);
  EXPECT_NE(text.find("Husleieloven § 9-11 er merket «gjaldt fra 1999-03-26 til og med "
                      "2026-12-31» (før: «i kraft fra 1999-03-26»)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Den eksterne parten «Statsforvalteren i Innlandet» (statsforvalteren) er "
                      "endret."),
            std::string::npos);
  EXPECT_NE(text.find("Møtet «Tildelingsmøtet» (tildelingsmote) har endret hyppighet."),
            std::string::npos);
  EXPECT_NE(text.find("Endret eskalering:"), std::string::npos);
  EXPECT_STREQ(change_kind_name(ChangeKind::kHandoversChanged), "handovers_changed");
  EXPECT_STREQ(change_kind_name(ChangeKind::kMeetingChanged), "meeting_changed");
}

}  // namespace
}  // namespace boligflyt::procedure

#include "procedure/diff.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace boligflyt::procedure

// The linter's rules for procedure format 1.2 (issue 13, part 1), one test per rule. Each test
// breaks tests/procedure/data/modell-1.2.xml (valid, every 1.2 element once) in one place and
// expects the rule's stable code at the line and column of the broken element, with a
// Norwegian message naming what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Lint12Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loader_ = new ProcedureLoader();
    auto units = loader_->load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    ASSERT_TRUE(units.ok());
    units_ = new UnitRegistry(std::move(*units.registry));
    model_ = new std::string(read(BOLIGFLYT_SOURCE_DIR "/tests/procedure/data/modell-1.2.xml"));
  }
  static void TearDownTestSuite() {
    delete loader_;
    delete units_;
    delete model_;
  }

  /// The model with `from` (which must occur exactly once) replaced by `to`.
  static std::string broken(const std::string& from, const std::string& to) {
    std::string xml = *model_;
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    EXPECT_EQ(xml.find(from, at + 1), std::string::npos) << "not unique: " << from;
    if (at != std::string::npos) xml.replace(at, from.size(), to);
    return xml;
  }

  static LoadedProcedure load(const std::string& xml) {
    return loader_->load_procedure(xml, "modell.xml", units_);
  }

  /// 1-based line of the first occurrence of `marker` in `xml`.
  static std::size_t line_of(const std::string& xml, const std::string& marker) {
    const auto at = xml.find(marker);
    EXPECT_NE(at, std::string::npos) << marker;
    std::size_t line = 1;
    for (std::size_t i = 0; i < at && i < xml.size(); ++i) line += xml[i] == '\n' ? 1 : 0;
    return line;
  }

  static std::string all(const LoadedProcedure& loaded) {
    std::string out;
    for (const auto& d : loaded.diagnostics) out += format_diagnostic(d) + "\n";
    return out;
  }

  /// Breaks the model, then expects `code` exactly once, on the line of `marker`, with a
  /// column, and a message containing `mentions`.
  static void expect_rule(const std::string& from, const std::string& to, const std::string& code,
                          const std::string& marker, const std::string& mentions) {
    const std::string xml = broken(from, to);
    const auto loaded = load(xml);
    EXPECT_FALSE(loaded.ok());
    int found = 0;
    for (const auto& d : loaded.diagnostics) {
      if (d.code != code) continue;
      ++found;
      EXPECT_EQ(d.file, "modell.xml");
      EXPECT_EQ(d.line, line_of(xml, marker)) << format_diagnostic(d);
      EXPECT_GT(d.column, 0u) << format_diagnostic(d);
      EXPECT_NE(d.message.find(mentions), std::string::npos) << format_diagnostic(d);
      EXPECT_EQ(d.severity, "error");
      EXPECT_FALSE(d.consequential);
    }
    EXPECT_EQ(found, 1) << code << " expected once:\n" << all(loaded);
  }

  /// Gives § 29 of forvaltningsloven (cited by the klage deadline and by a legalRef) the
  /// validity `attributes`; expects an error at both citations, each saying `says`.
  static void expect_provision_not_in_force(const std::string& attributes,
                                            const std::string& says) {
    const std::string xml =
        broken(R"(<provision ref="§ 29">)", "<provision ref=\"§ 29\" " + attributes + ">");
    const auto loaded = load(xml);
    std::vector<std::size_t> lines;
    for (const auto& d : loaded.diagnostics) {
      if (d.code != "provision-not-in-force") continue;
      lines.push_back(d.line);
      EXPECT_GT(d.column, 0u);
      EXPECT_NE(d.message.find(says), std::string::npos) << d.message;
      EXPECT_NE(d.message.find("2027-01-01"), std::string::npos) << d.message;
    }
    std::vector<std::size_t> expected{line_of(xml, R"(binds="soker")"), line_of(xml, "<legalRef ")};
    std::sort(lines.begin(), lines.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(lines, expected) << all(loaded);
  }

  static ProcedureLoader* loader_;
  static UnitRegistry* units_;
  static std::string* model_;
};

ProcedureLoader* Lint12Test::loader_ = nullptr;
UnitRegistry* Lint12Test::units_ = nullptr;
std::string* Lint12Test::model_ = nullptr;

TEST_F(Lint12Test, TheUnbrokenModelHasNoFindings) {
  const auto loaded = load(*model_);
  EXPECT_TRUE(loaded.ok()) << all(loaded);
  EXPECT_TRUE(citation_warnings(*loaded.procedure, "modell.xml").empty());
}

// --- parallel split and join -------------------------------------------------------------

TEST_F(Lint12Test, ASplitsJoinMustWaitForIt) {
  expect_rule(R"( join="mottak")", "", "parallel-join-mismatch", R"(<parallel join="tildeling">)",
              "«tildeling»");
}

TEST_F(Lint12Test, ASplitsJoinMustExist) {
  expect_rule(R"(<parallel join="tildeling">)", R"(<parallel join="tildelingsmotet">)",
              "parallel-join-unknown", "<parallel ", "«tildelingsmotet»");
}

TEST_F(Lint12Test, AJoinNeedsASplitNamingIt) {
  expect_rule(R"(join="mottak")", R"(join="behovsvurdering")", "join-without-split",
              R"(<step id="tildeling")", "«behovsvurdering»");
}

TEST_F(Lint12Test, EveryBranchReachesTheJoin) {
  expect_rule("</escalation>\n        <next step=\"tildeling\"/>",
              "</escalation>\n        <next step=\"avsluttet\"/>", "parallel-branch-misses-join",
              R"(<branch step="okonomivurdering">)", "«okonomivurdering»");
}

TEST_F(Lint12Test, ParallelBranchesNeedNoCondition) {
  const auto loaded = load(broken(R"(<branch step="behovsvurdering">Boligbehovet</branch>)",
                                  R"(<branch step="behovsvurdering"/>)"));
  EXPECT_TRUE(loaded.ok()) << all(loaded);
}

TEST_F(Lint12Test, AnExclusiveChoiceStillNeedsConditions) {
  expect_rule(R"(outcome="avslag"><condition>Avslag</condition></next>)", R"(outcome="avslag"/>)",
              "missing-condition", R"(<next step="klage" outcome="avslag")", "«klage»");
}

// --- handovers ---------------------------------------------------------------------------

TEST_F(Lint12Test, AHandoverGoesToAKnownUnitOrParty) {
  expect_rule(R"(to="soker" channel="Brev")", R"(to="sokeren" channel="Brev")",
              "handover-unknown-to", R"(<handover id="vedtak-til-soker")", "«sokeren»");
}

TEST_F(Lint12Test, AHandoverComesFromAKnownUnit) {
  expect_rule(R"(<handover id="okonomi-til-boligkontor" to=)",
              R"(<handover id="okonomi-til-boligkontor" from="kemneren" to=)",
              "handover-unknown-from", R"(<handover id="okonomi-til-boligkontor")", "«kemneren»");
}

TEST_F(Lint12Test, AHandoverNeverComesFromAnExternalParty) {
  expect_rule(R"(<handover id="okonomi-til-boligkontor" to=)",
              R"(<handover id="okonomi-til-boligkontor" from="soker" to=)",
              "handover-from-external", R"(<handover id="okonomi-til-boligkontor")", "«soker»");
}

// --- external parties --------------------------------------------------------------------

TEST_F(Lint12Test, TheResponsibleUnitIsNeverAnExternalParty) {
  expect_rule(
      "<responsibleUnit unit=\"boligkontor\"/>\n        <participatingParty "
      "party=\"statsforvalteren\">",
      "<responsibleUnit unit=\"statsforvalteren\"/>\n        <participatingParty "
      "party=\"statsforvalteren\">",
      "responsible-external", R"(<responsibleUnit unit="statsforvalteren"/>)",
      "«statsforvalteren»");
}

TEST_F(Lint12Test, AnExternalPartyIsNotAParticipatingUnit) {
  expect_rule("<participatingUnit unit=\"nav\"/>\n        <next step=\"vedtak\"/>",
              "<participatingUnit unit=\"soker\"/>\n        <next step=\"vedtak\"/>",
              "participant-external", R"(<participatingUnit unit="soker"/>)", "«soker»");
}

TEST_F(Lint12Test, APartyIdIsNotAUnitId) {
  expect_rule(R"(<party id="soker" kind="person">)", R"(<party id="nav" kind="person">)",
              "party-id-is-unit", R"(<party id="nav")", "«nav»");
}

TEST_F(Lint12Test, AParticipatingPartyIsDescribed) {
  expect_rule(R"(<participatingParty party="statsforvalteren">)",
              R"(<participatingParty party="fylkesmannen">)", "unknown-party",
              R"(<participatingParty party="fylkesmannen">)", "«fylkesmannen»");
}

// --- meetings and escalation -------------------------------------------------------------

TEST_F(Lint12Test, AMeetingIsChairedByAUnit) {
  expect_rule(R"(<chair unit="boligkontor"/>)", R"(<chair unit="soker"/>)",
              "meeting-chair-external", "<chair ", "«soker»");
}

TEST_F(Lint12Test, AMeetingChairIsAKnownUnit) {
  expect_rule(R"(<chair unit="boligkontor"/>)", R"(<chair unit="boligkontoret"/>)",
              "meeting-chair-unknown", "<chair ", "«boligkontoret»");
}

TEST_F(Lint12Test, MeetingMembersAreUnitsOrParties) {
  expect_rule(R"(<member ref="eiendom"/>)", R"(<member ref="vaktmester"/>)",
              "meeting-member-unknown", R"(<member ref="vaktmester"/>)", "«vaktmester»");
}

TEST_F(Lint12Test, AStepsMeetingIsDescribed) {
  expect_rule(R"(meeting="tildelingsmote")", R"(meeting="styremote")", "unknown-meeting",
              R"(<step id="tildeling")", "«styremote»");
}

TEST_F(Lint12Test, EscalationGoesToAUnit) {
  expect_rule(R"(to="kommunedirektor")", R"(to="statsforvalteren")", "escalation-to-not-unit",
              "<escalation ", "«statsforvalteren»");
}

// --- deadlines ---------------------------------------------------------------------------

TEST_F(Lint12Test, ADeadlineBindsAUnitOrParty) {
  expect_rule(R"(binds="soker")", R"(binds="leietaker")", "deadline-binds-unknown",
              R"(binds="leietaker")", "«leietaker»");
}

TEST_F(Lint12Test, AStatutoryDeadlineNamesItsSource) {
  expect_rule(R"(basis="statutory" source="forvaltningsloven" provision="§ 29")",
              R"(basis="statutory")", "statutory-deadline-without-source", R"(basis="statutory")",
              "«klage»");
}

TEST_F(Lint12Test, AStatutoryDeadlineNamesTheProvisionWhenTheSourceListsThem) {
  expect_rule(R"(basis="statutory" source="forvaltningsloven" provision="§ 29")",
              R"(basis="statutory" source="forvaltningsloven")",
              "statutory-deadline-without-provision", R"(basis="statutory")", "Forvaltningsloven");
}

TEST_F(Lint12Test, ADeadlinesSourceIsInTheLegalBasis) {
  expect_rule(R"(source="forvaltningsloven" provision="§ 29">)",
              R"(source="fvl" provision="§ 29">)", "unknown-legal-source", R"(source="fvl")",
              "«fvl»");
}

TEST_F(Lint12Test, ADeadlinesProvisionIsInTheLegalBasis) {
  expect_rule(R"(source="forvaltningsloven" provision="§ 29">)",
              R"(source="forvaltningsloven" provision="§ 28">)", "unknown-provision",
              R"(provision="§ 28")", "«§ 28»");
}

// --- outcome codes -----------------------------------------------------------------------

TEST_F(Lint12Test, OutcomeCodesAreUniqueWithinAStep) {
  expect_rule(R"(outcome="klage-ikke-medhold")", R"(outcome="klage-medhold")", "duplicate-outcome",
              R"(<next step="avsluttet" outcome="klage-medhold")", "«klage-medhold»");
}

// --- provisions in force on the effective date (2027-01-01) ------------------------------

TEST_F(Lint12Test, ACitedProvisionThatHasExpiredIsAnError) {
  expect_provision_not_in_force(R"(validTo="2026-06-30")", "ble opphevet 2026-06-30");
}

TEST_F(Lint12Test, ACitedProvisionNotYetInForceIsAnError) {
  expect_provision_not_in_force(R"(validFrom="2027-07-01")", "først trer i kraft 2027-07-01");
}

TEST_F(Lint12Test, AProvisionInForceOnTheEffectiveDateIsFine) {
  const auto loaded =
      load(broken(R"(<provision ref="§ 29">)", R"(<provision ref="§ 29" validFrom="2027-01-01">)"));
  EXPECT_TRUE(loaded.ok()) << all(loaded);
}

// --- validate's citation check: a source not in force is a warning -----------------------

TEST_F(Lint12Test, CitingASourceNotInForceIsAWarningNotAnError) {
  const std::string xml = broken(R"(kind="act" validFrom="1967-02-10">)",
                                 R"(kind="act" validFrom="1967-02-10" validTo="2026-12-31">)");
  const auto loaded = load(xml);
  EXPECT_TRUE(loaded.ok()) << all(loaded);
  const Diagnostics warnings = citation_warnings(*loaded.procedure, "modell.xml");
  std::vector<std::size_t> lines;
  for (const auto& d : warnings) {
    EXPECT_EQ(d.code, "source-not-in-force");
    EXPECT_EQ(d.severity, "warning");
    EXPECT_EQ(d.subject, "klage");
    EXPECT_GT(d.column, 0u);
    EXPECT_NE(d.message.find("gjaldt bare til 2026-12-31"), std::string::npos) << d.message;
    lines.push_back(d.line);
  }
  EXPECT_EQ(lines, (std::vector<std::size_t>{line_of(xml, "<legalRef "),
                                             line_of(xml, R"(binds="soker")")}));
}

}  // namespace
}  // namespace boligflyt::procedure

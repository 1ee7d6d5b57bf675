// Errors a procedure owner can act on (issue 13, part 4): one wrong `next` in 3.0 used to give
// 51 lines, the root cause lost among "kan ikke nås" for every step behind it. The linter
// marks what only follows from another problem; text output shows the root cause and one
// summary line per kind of consequence, and every diagnostic stays in the list (for JSON).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "fixtures.h"
#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

using testing::FixtureOptions;
using testing::procedure_xml;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::size_t count_code(const Diagnostics& all, const std::string& code) {
  std::size_t n = 0;
  for (const auto& d : all) n += d.code == code ? 1 : 0;
  return n;
}

TEST(LintCascade, OneWrongNextIn30GivesTheRootCauseAndASummary) {
  const ProcedureLoader loader;
  auto units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
  ASSERT_TRUE(units.ok());
  std::string xml =
      read(BOLIGFLYT_SOURCE_DIR "/procedures/boligflytprosedyre/boligflytprosedyre-3.0.xml");
  // A new user's typo in the first step's only way on.
  const std::string good = R"(<next step="soknad-mottak"/>)";
  const auto at = xml.find(good);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(xml.find(good, at + 1), std::string::npos);
  xml.replace(at, good.size(), R"(<next step="soknad-motak"/>)");
  const auto loaded = loader.load_procedure(xml, "3.0-feil.xml", &*units.registry);
  ASSERT_TRUE(loaded.procedure.has_value());
  const Diagnostics& all = loaded.diagnostics;

  // Complete: the schema's keyref, the root cause, 47 unreachable steps, the first step's
  // lost way to an end.
  EXPECT_EQ(count_code(all, "unreachable-step"), 47u);
  EXPECT_EQ(count_code(all, "no-exit"), 1u);
  EXPECT_EQ(count_code(all, "unknown-next-step"), 1u);
  EXPECT_EQ(count_code(all, "xsd"), 1u);
  EXPECT_EQ(all.size(), 50u);

  const Diagnostic* root = nullptr;
  for (const auto& d : all) {
    if (!d.consequential) {
      EXPECT_EQ(root, nullptr) << "a second root cause: " << format_diagnostic(d);
      root = &d;
    }
  }
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->code, "unknown-next-step");
  EXPECT_NE(root->message.find("peker videre til «soknad-motak», som ikke finnes i prosedyren. "
                               "Mente du «soknad-mottak»?"),
            std::string::npos)
      << root->message;
  for (const auto& d : all) {
    if (&d == root) continue;
    EXPECT_EQ(d.cause_code, "unknown-next-step") << format_diagnostic(d);
    EXPECT_EQ(d.cause_line, root->line) << format_diagnostic(d);
    EXPECT_EQ(d.cause_column, root->column) << format_diagnostic(d);
  }

  const auto lines = format_diagnostics_summarised(all);
  ASSERT_EQ(lines.size(), 4u) << joined(lines);
  EXPECT_EQ(lines[0], format_diagnostic(*root));
  EXPECT_NE(joined(lines).find("47 trinn blir dermed uoppnåelige: soknad-mottak, "
                               "soknad-kontroll, "),
            std::string::npos)
      << joined(lines);
  EXPECT_NE(joined(lines).find(" og 41 til. [unreachable-step]"), std::string::npos)
      << joined(lines);
  EXPECT_NE(joined(lines).find("1 trinn får dermed ingen vei til et sluttrinn: "
                               "soknad-veiledning. [no-exit]"),
            std::string::npos)
      << joined(lines);
}

class LintCascadeFixture : public ::testing::Test {
 protected:
  LoadedProcedure load(const std::string& xml) const {
    auto units = loader_.load_units(testing::kUnitsXml, "units.xml");
    EXPECT_TRUE(units.ok());
    return loader_.load_procedure(xml, "prosedyre.xml", &*units.registry);
  }
  ProcedureLoader loader_;
};

TEST_F(LintCascadeFixture, StepsBehindAnOrphanAreItsConsequences) {
  FixtureOptions o;
  // Nothing leads to "glemt", so "glemt" is the finding; "glemt-2" only follows from it.
  o.extra_steps = R"(<step id="glemt"><title>Glemt</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="glemt-2"/></step>
      <step id="glemt-2"><title>Glemt 2</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="avslutt"/></step>)";
  const auto loaded = load(procedure_xml(o));
  ASSERT_EQ(loaded.diagnostics.size(), 2u);
  const Diagnostic& orphan = loaded.diagnostics[0];
  const Diagnostic& behind = loaded.diagnostics[1];
  EXPECT_EQ(orphan.subject, "glemt");
  EXPECT_FALSE(orphan.consequential);
  EXPECT_EQ(behind.subject, "glemt-2");
  EXPECT_TRUE(behind.consequential);
  EXPECT_EQ(behind.cause_code, "unreachable-step");
  EXPECT_EQ(behind.cause_line, orphan.line);
  const auto lines = format_diagnostics_summarised(loaded.diagnostics);
  ASSERT_EQ(lines.size(), 2u) << joined(lines);
  EXPECT_NE(lines[1].find("1 trinn blir dermed uoppnåelige: glemt-2."), std::string::npos)
      << lines[1];
}

TEST_F(LintCascadeFixture, StepsBeforeALoopWithoutExitAreItsConsequences) {
  FixtureOptions o;
  o.vedtak_next = R"(<next step="forberede"><condition>Alltid</condition></next>
        <next step="kontrakt"><condition>Positivt vedtak</condition></next>
        <next step="klage"><condition>Klage</condition></next>)";
  // forberede -> runde <-> runde-2: the loop is the finding; forberede is trapped by it.
  o.extra_steps = R"(<step id="forberede"><title>F</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="runde"/></step>
      <step id="runde"><title>Runde</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="runde-2"/></step>
      <step id="runde-2"><title>Runde 2</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="runde"/></step>)";
  const auto loaded = load(procedure_xml(o));
  std::map<std::string, const Diagnostic*> by_step;
  for (const auto& d : loaded.diagnostics) {
    EXPECT_EQ(d.code, "no-exit") << format_diagnostic(d);
    by_step[d.subject] = &d;
  }
  ASSERT_EQ(by_step.size(), 3u);
  // The loop is one finding, at its first step; the rest of it and the step before it
  // follow from it.
  EXPECT_FALSE(by_step["runde"]->consequential);
  EXPECT_TRUE(by_step["runde-2"]->consequential);
  EXPECT_TRUE(by_step["forberede"]->consequential);
  EXPECT_EQ(by_step["runde-2"]->cause_line, by_step["runde"]->line);
  EXPECT_EQ(by_step["forberede"]->cause_line, by_step["runde"]->line);
  const auto lines = format_diagnostics_summarised(loaded.diagnostics);
  ASSERT_EQ(lines.size(), 2u) << joined(lines);
  EXPECT_NE(lines[1].find("2 trinn får dermed ingen vei til et sluttrinn: forberede, runde-2."),
            std::string::npos)
      << lines[1];
}

TEST_F(LintCascadeFixture, NoGuessWhenNoStepIdIsClose) {
  FixtureOptions o;
  o.vedtak_next = R"(<next step="kontrakt"><condition>Positivt vedtak</condition></next>
        <next step="utkastelse"><condition>Negativt vedtak, klage</condition></next>)";
  const auto loaded = load(procedure_xml(o));
  bool found = false;
  for (const auto& d : loaded.diagnostics) {
    if (d.code != "unknown-next-step") continue;
    found = true;
    EXPECT_EQ(d.message.find("Mente du"), std::string::npos) << d.message;
  }
  EXPECT_TRUE(found);
}

TEST(LintCascade, AFiveThousandStepLoopIsOneFinding) {
  // An upload may hold thousands of steps: the graph checks must neither recurse per step nor
  // compare every step with every other. A 5000-step loop without exit is one finding.
  constexpr int kSteps = 5000;
  std::string steps;
  for (int i = 0; i < kSteps; ++i) {
    steps += "<step id=\"s" + std::to_string(i) +
             "\"><title>T</title><description>d</description><responsibleUnit unit=\"nav\"/>"
             "<next step=\"s" +
             std::to_string((i + 1) % kSteps) + "\"/></step>\n";
  }
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<procedure xmlns="urn:no:boligflyt:prosedyre:1" id="stor" version="1.0" status="draft">
<title>Stor</title><author person="a"/><effectiveFrom>2027-01-01</effectiveFrom>
<reviewInterval>P1Y</reviewInterval>
<legalBasis><source id="fvl" kind="act"><shortTitle>F</shortTitle><title>F</title></source></legalBasis>
<phases start="s0"><phase id="p"><title>P</title>
)" + steps + R"(</phase></phases>
<changelog><entry version="1.0" date="2026-12-01"><summary>x</summary></entry></changelog>
</procedure>)";
  const ProcedureLoader loader;
  const auto loaded = loader.load_procedure(xml, "stor.xml", nullptr);
  EXPECT_EQ(count_code(loaded.diagnostics, "no-exit"), static_cast<std::size_t>(kSteps));
  const auto lines = format_diagnostics_summarised(loaded.diagnostics);
  ASSERT_EQ(lines.size(), 2u) << joined(lines);
  EXPECT_NE(lines[0].find("«s0»"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("4999 trinn får dermed ingen vei til et sluttrinn"), std::string::npos)
      << lines[1];
}

}  // namespace
}  // namespace boligflyt::procedure

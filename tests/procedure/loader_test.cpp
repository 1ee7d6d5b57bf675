#include "procedure/loader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"

namespace boligflyt::procedure {
namespace {

using testing::FixtureOptions;
using testing::procedure_xml;

class LoaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loader_ = new ProcedureLoader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    auto units = loader_->load_units(testing::kUnitsXml, "units.xml");
    ASSERT_TRUE(units.ok()) << (units.diagnostics.empty()
                                    ? ""
                                    : format_diagnostic(units.diagnostics[0]));
    units_ = new UnitRegistry(*units.registry);
  }
  static void TearDownTestSuite() {
    delete loader_;
    delete units_;
  }

  static LoadedProcedure load(const std::string& xml) {
    return loader_->load_procedure(xml, "test.xml", units_);
  }

  static bool has_code(const LoadedProcedure& loaded, std::string_view code) {
    return std::any_of(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                       [&](const Diagnostic& d) { return d.code == code; });
  }

  static std::string all(const LoadedProcedure& loaded) {
    std::string out;
    for (const auto& d : loaded.diagnostics) out += format_diagnostic(d) + "\n";
    return out;
  }

  static inline ProcedureLoader* loader_ = nullptr;
  static inline UnitRegistry* units_ = nullptr;
};

TEST_F(LoaderTest, ValidFixtureLoadsIntoTheModel) {
  auto loaded = load(procedure_xml());
  ASSERT_TRUE(loaded.ok()) << all(loaded);
  const auto& p = *loaded.procedure;
  EXPECT_EQ(p.id, "boligflytprosedyre");
  EXPECT_EQ(p.version, (Version{1, 0}));
  EXPECT_EQ(p.steps.size(), 5u);
  EXPECT_EQ(p.start_step, "mottak");
  const auto* klage = p.find_step("klage");
  ASSERT_NE(klage, nullptr);
  EXPECT_EQ(klage->phase, "vedtak-fase");
  EXPECT_EQ(klage->deadlines.at(0).duration, "P3W");
  EXPECT_EQ(klage->next.at(1).condition, "Ikke medhold");
  EXPECT_GT(klage->pos.line, 20u);
  EXPECT_TRUE(p.find_step("avslutt")->is_end);
  EXPECT_EQ(p.find_step("kontrakt")->recurrence, "R/P14D");
}

TEST_F(LoaderTest, UnknownUnitIsReportedWithPosition) {
  FixtureOptions o;
  o.vedtak_responsible = "sosialkontoret";
  auto loaded = load(procedure_xml(o));
  ASSERT_TRUE(has_code(loaded, "unknown-unit")) << all(loaded);
  const auto it = std::find_if(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code == "unknown-unit"; });
  EXPECT_EQ(it->file, "test.xml");
  EXPECT_GT(it->line, 0u);
  EXPECT_GT(it->column, 0u);
  EXPECT_NE(it->message.find("sosialkontoret"), std::string::npos);
}

TEST_F(LoaderTest, DuplicateStepIdsAreReported) {
  FixtureOptions o;
  o.extra_steps = R"(<step id="klage"><title>Igjen</title><description>x</description>
        <responsibleUnit unit="nav"/><end/></step>)";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "duplicate-step-id")) << all(loaded);
}

TEST_F(LoaderTest, UnresolvedNextStepIsReported) {
  FixtureOptions o;
  o.vedtak_next = R"(<next step="finnes-ikke"/>)";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "unknown-next-step")) << all(loaded);
}

TEST_F(LoaderTest, UnreachableStepIsReported) {
  FixtureOptions o;
  o.extra_steps = R"(<step id="foreldrelos"><title>Løst trinn</title><description>x</description>
        <responsibleUnit unit="nav"/><end/></step>)";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "unreachable-step")) << all(loaded);
}

TEST_F(LoaderTest, LoopWithoutExitIsReported) {
  FixtureOptions o;
  o.vedtak_next = R"(<next step="runde"><condition>Alltid</condition></next>
        <next step="kontrakt"><condition>Aldri</condition></next>)";
  o.extra_steps = R"(<step id="runde"><title>Runde</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="runde2"/></step>
      <step id="runde2"><title>Runde 2</title><description>x</description>
        <responsibleUnit unit="nav"/><next step="runde"/></step>)";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "no-exit")) << all(loaded);
}

TEST_F(LoaderTest, FourEyesAreRequired) {
  FixtureOptions o;
  o.approver = "prosedyreeier";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "four-eyes")) << all(loaded);
}

TEST_F(LoaderTest, AllProblemsAreReportedAtOnce) {
  FixtureOptions o;
  o.vedtak_responsible = "ukjent";
  o.approver = "prosedyreeier";
  o.vedtak_next = R"(<next step="borte"/>)";
  auto loaded = load(procedure_xml(o));
  EXPECT_TRUE(has_code(loaded, "unknown-unit"));
  EXPECT_TRUE(has_code(loaded, "four-eyes"));
  EXPECT_TRUE(has_code(loaded, "unknown-next-step"));
  EXPECT_GE(loaded.diagnostics.size(), 3u) << all(loaded);
}

TEST_F(LoaderTest, XsdViolationsAreReportedInNorwegianWithLine) {
  FixtureOptions o;
  o.klage_deadline = "tre uker";
  auto loaded = load(procedure_xml(o));
  ASSERT_TRUE(has_code(loaded, "xsd")) << all(loaded);
  const auto it = std::find_if(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code == "xsd"; });
  EXPECT_GT(it->line, 0u);
  EXPECT_EQ(it->message.rfind("Brudd på skjemaet", 0), 0u);
}

TEST_F(LoaderTest, MalformedXmlWrongRootAndWrongNamespace) {
  auto malformed = load("<procedure xmlns=\"urn:no:boligflyt:prosedyre:1\"><title>x</procedure>");
  EXPECT_TRUE(has_code(malformed, "malformed-xml")) << all(malformed);
  EXPECT_FALSE(malformed.procedure);
  auto root = load("<?xml version=\"1.0\"?><prosedyre xmlns=\"urn:no:boligflyt:prosedyre:1\"/>");
  EXPECT_TRUE(has_code(root, "wrong-root"));
  auto ns = load("<procedure xmlns=\"urn:example\"/>");
  EXPECT_TRUE(has_code(ns, "wrong-namespace"));
}

TEST_F(LoaderTest, DoctypeExternalEntityAndBillionLaughsAreRefusedUnread) {
  auto xxe = load(R"(<?xml version="1.0"?>
<!DOCTYPE procedure [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<procedure xmlns="urn:no:boligflyt:prosedyre:1"><title>&x;</title></procedure>)");
  EXPECT_TRUE(has_code(xxe, "doctype-forbidden")) << all(xxe);
  for (const auto& d : xxe.diagnostics) EXPECT_EQ(d.message.find("root:"), std::string::npos);

  std::string lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    lol += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      lol += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    lol += "\">";
  }
  lol += "]><procedure xmlns=\"urn:no:boligflyt:prosedyre:1\">&lol9;</procedure>";
  auto bomb = load(lol);
  EXPECT_TRUE(has_code(bomb, "doctype-forbidden")) << all(bomb);
}

TEST_F(LoaderTest, DeepNestingInvalidUtf8AndOversizeAreRefused) {
  std::string deep = "<procedure xmlns=\"urn:no:boligflyt:prosedyre:1\">";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  auto deep_result = load(deep);
  EXPECT_FALSE(deep_result.ok());
  EXPECT_FALSE(deep_result.diagnostics.empty());

  auto bad_utf8 =
      load("<procedure xmlns=\"urn:no:boligflyt:prosedyre:1\"><title>\xff</title></procedure>");
  EXPECT_TRUE(has_code(bad_utf8, "invalid-utf8"));

  std::string huge(kMaxXmlBytes + 1, ' ');
  EXPECT_TRUE(has_code(load(huge), "too-large"));
}

TEST_F(LoaderTest, LargeFilesLoadInLinearTime) {
  // 20 000 elements in a ~1 MB file: a per-node rescan for line numbers made this take
  // tens of seconds (and a 4 MB upload minutes); the CTest timeout catches a regression.
  FixtureOptions o;
  o.mottak_participants.clear();
  for (int i = 0; i < 20000; ++i) o.mottak_participants += R"(<participatingUnit unit="nav"/>)";
  const auto xml = procedure_xml(o);
  ASSERT_GT(xml.size(), 600000u);
  auto loaded = load(xml);
  ASSERT_TRUE(loaded.procedure);
  EXPECT_EQ(loaded.procedure->find_step("mottak")->participants.size(), 20000u);
  EXPECT_EQ(loaded.procedure->find_step("mottak")->participants.back().pos.line,
            loaded.procedure->find_step("mottak")->participants.front().pos.line);
  EXPECT_GT(loaded.procedure->find_step("klage")->pos.line, 20u);
}

TEST_F(LoaderTest, VersionSequenceMustIncrease) {
  auto a = load(procedure_xml());
  FixtureOptions o;
  o.version = "1.0";
  auto b = load(procedure_xml(o));
  ASSERT_TRUE(a.procedure && b.procedure);
  Diagnostics out;
  check_version_sequence({{"a.xml", &*a.procedure}, {"b.xml", &*b.procedure}}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].code, "duplicate-version");
}

}  // namespace
}  // namespace boligflyt::procedure

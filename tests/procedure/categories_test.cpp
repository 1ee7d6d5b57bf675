// Format 1.1 of the procedure XML: avvik categories declared by a version (optionally bound
// to steps) and steps marked as handling personal data. 1.0 documents stay valid; a category
// bound to a step that does not exist, or declared twice, is a schema error with a line.
#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"
#include "procedure/diff.h"
#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

using testing::procedure_xml;

constexpr const char* kCategories = R"(
  <deviationCategories>
    <category id="klage-ikke-vurdert">
      <label>Klagen ble ikke vurdert av vedtaksinstansen</label>
      <description>Klagen gikk rett til klageinstansen.</description>
      <appliesTo step="klage"/>
      <appliesTo step="vedtak"/>
    </category>
    <category id="tolk-ikke-bestilt">
      <label>Tolk ble ikke brukt</label>
    </category>
  </deviationCategories>
  <changelog>)";

std::string with_categories(std::string xml, const std::string& categories = kCategories) {
  xml.replace(xml.find("  <changelog>"), std::string("  <changelog>").size(), categories);
  const std::string klage = R"(<step id="klage">)";
  xml.replace(xml.find(klage), klage.size(), R"(<step id="klage" handlesPersonalData="true">)");
  return xml;
}

class CategoriesFormat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loader_ = new ProcedureLoader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    units_ = new UnitRegistry(*loader_->load_units(testing::kUnitsXml, "units.xml").registry);
  }
  static void TearDownTestSuite() {
    delete loader_;
    delete units_;
  }
  static LoadedProcedure load(const std::string& xml) {
    return loader_->load_procedure(xml, "test.xml", units_);
  }
  static std::string all(const LoadedProcedure& loaded) {
    std::string out;
    for (const auto& d : loaded.diagnostics) out += format_diagnostic(d) + "\n";
    return out;
  }
  static inline ProcedureLoader* loader_ = nullptr;
  static inline UnitRegistry* units_ = nullptr;
};

TEST_F(CategoriesFormat, CategoriesAndThePersonalDataMarkLoadIntoTheModel) {
  auto loaded = load(with_categories(procedure_xml()));
  ASSERT_TRUE(loaded.ok()) << all(loaded);
  const auto& p = *loaded.procedure;
  ASSERT_EQ(p.deviation_categories.size(), 2u);
  const auto* klage = p.find_deviation_category("klage-ikke-vurdert");
  ASSERT_NE(klage, nullptr);
  EXPECT_EQ(klage->label, "Klagen ble ikke vurdert av vedtaksinstansen");
  EXPECT_EQ(klage->description, "Klagen gikk rett til klageinstansen.");
  EXPECT_EQ(klage->steps, (std::vector<std::string>{"klage", "vedtak"}));
  EXPECT_TRUE(klage->applies_to("klage"));
  EXPECT_FALSE(klage->applies_to("kontrakt"));
  const auto* tolk = p.find_deviation_category("tolk-ikke-bestilt");
  ASSERT_NE(tolk, nullptr);
  EXPECT_TRUE(tolk->steps.empty());
  EXPECT_TRUE(tolk->applies_to("kontrakt")) << "no appliesTo: every step";
  EXPECT_EQ(tolk->description, "");
  EXPECT_GT(klage->pos.line, 0u);
  EXPECT_TRUE(p.find_step("klage")->handles_personal_data);
  EXPECT_FALSE(p.find_step("vedtak")->handles_personal_data);
}

TEST_F(CategoriesFormat, ADocumentOfFormat10IsStillValidAndHasNeither) {
  auto loaded = load(procedure_xml());
  ASSERT_TRUE(loaded.ok()) << all(loaded);
  EXPECT_TRUE(loaded.procedure->deviation_categories.empty());
  for (const auto& s : loaded.procedure->steps) EXPECT_FALSE(s.handles_personal_data) << s.id;
}

TEST_F(CategoriesFormat, ACategoryForAStepThatDoesNotExistIsASchemaErrorWithALine) {
  std::string categories = kCategories;
  const std::string vedtak = R"(step="vedtak")";
  categories.replace(categories.find(vedtak), vedtak.size(), R"(step="vedtakk")");
  auto loaded = load(with_categories(procedure_xml(), categories));
  ASSERT_FALSE(loaded.ok());
  const auto it = std::find_if(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code == "xsd"; });
  ASSERT_NE(it, loaded.diagnostics.end()) << all(loaded);
  EXPECT_GT(it->line, 0u);
  EXPECT_NE(it->message.find("vedtakk"), std::string::npos) << it->message;
}

TEST_F(CategoriesFormat, ACategoryIdDeclaredTwiceOrAMalformedMarkIsASchemaError) {
  std::string twice = kCategories;
  twice.replace(twice.find("tolk-ikke-bestilt"), 17, "klage-ikke-vurdert");
  EXPECT_FALSE(load(with_categories(procedure_xml(), twice)).ok());
  auto xml = with_categories(procedure_xml());
  xml.replace(xml.find(R"(handlesPersonalData="true")"), 26, R"(handlesPersonalData="ja")");
  const auto loaded = load(xml);
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(all(loaded).find("handlesPersonalData"), std::string::npos) << all(loaded);
  std::string no_label = kCategories;
  no_label.erase(no_label.find("<label>Tolk"),
                 std::string("<label>Tolk ble ikke brukt</label>").size());
  EXPECT_FALSE(load(with_categories(procedure_xml(), no_label)).ok());
}

TEST_F(CategoriesFormat, TheDiffNamesNewCategoriesAndNewPersonalDataMarks) {
  auto before = load(procedure_xml());
  auto after = load(with_categories(procedure_xml()));
  ASSERT_TRUE(before.ok() && after.ok());
  const auto diff = diff_procedures(*before.procedure, *after.procedure, units_);
  EXPECT_TRUE(diff.changes.empty()) << "no step changed: " << diff_as_text(diff);
  const auto text = diff_as_text(diff);
  EXPECT_NE(text.find("Ny avvikskategori «Klagen ble ikke vurdert av vedtaksinstansen» "
                      "(klage-ikke-vurdert) for klage, vedtak."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(tolk-ikke-bestilt) for alle trinn"), std::string::npos) << text;
  EXPECT_NE(text.find("Trinn «Klage» (klage) behandler nå personopplysninger"), std::string::npos)
      << text;
  const auto back = diff_procedures(*after.procedure, *before.procedure, units_);
  const auto back_text = diff_as_text(back);
  EXPECT_NE(back_text.find("(tolk-ikke-bestilt) er fjernet"), std::string::npos) << back_text;
  EXPECT_NE(back_text.find("er ikke lenger merket"), std::string::npos) << back_text;
}

}  // namespace
}  // namespace boligflyt::procedure

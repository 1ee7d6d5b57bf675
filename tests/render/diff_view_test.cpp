// The comparison view of 2.0 and 3.0: changed steps in words and marked in the picture,
// removed steps listed with the owner's reason, the owner's changelog.
#include "render/diff_view.h"

#include <gtest/gtest.h>

#include <set>

#include "procedure/diff.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::by_name;
using testing::elements;
using testing::parse;
using testing::shipped;
using testing::text_of;

class DiffView : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = render_diff_html(shipped().v2, shipped().v3, shipped().units);
    ASSERT_EQ(parse(doc_, html_), "");
    root_ = doc_.child("html");
    ASSERT_TRUE(root_);
  }
  pugi::xml_node by_id(const std::string& id) const {
    const auto found =
        elements(root_, [&](const auto& n) { return id == n.attribute("id").value(); });
    return found.empty() ? pugi::xml_node() : found.front();
  }
  bool highlighted(const std::string& step) const {
    const auto box = by_id("diagram-step-" + step);
    return box && !elements(box, [](const auto& n) {
                     return std::string(n.attribute("stroke").value()) == "#0b57d0";
                   }).empty();
  }
  std::string html_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

TEST_F(DiffView, IsANorwegianPageAboutTheTwoVersions) {
  EXPECT_STREQ(root_.attribute("lang").value(), "nb");
  const auto h1 = by_name(root_, "h1");
  ASSERT_EQ(h1.size(), 1U);
  EXPECT_EQ(text_of(h1[0]), "Boligflytprosedyre: endringer fra versjon 2.0 til 3.0");
  EXPECT_TRUE(by_name(root_, "script").empty());
}

TEST_F(DiffView, EveryChangedStepIsDescribedAndMarkedInThePicture) {
  const auto diff = procedure::diff_procedures(shipped().v2, shipped().v3, &shipped().units);
  std::set<std::string> changed;
  for (const auto& c : diff.changes) {
    if (c.kind != procedure::ChangeKind::kRemoved) changed.insert(c.step_id);
  }
  ASSERT_FALSE(changed.empty());
  for (const auto& id : changed) {
    EXPECT_TRUE(by_id("endring-" + id)) << id;
    EXPECT_TRUE(highlighted(id)) << id;
  }
  for (const auto& s : shipped().v3.steps) {
    if (!changed.count(s.id)) {
      EXPECT_FALSE(highlighted(s.id)) << s.id;
    }
  }
  // Every step of 3.0 is in the picture once.
  for (const auto& s : shipped().v3.steps) {
    EXPECT_EQ(testing::count_id(root_, "diagram-step-" + s.id), 1) << s.id;
  }
}

TEST_F(DiffView, SaysWhatChangedInWordsBeforeAndNow) {
  const std::string purring = text_of(by_id("endring-husleierestanse-purring"));
  EXPECT_NE(purring.find("Endret"), std::string::npos);
  EXPECT_NE(purring.find("Ansvarlig enhet"), std::string::npos);
  EXPECT_NE(purring.find("Eiendom – kommunale boliger"), std::string::npos);
  EXPECT_NE(purring.find("Økonomi – innfordring"), std::string::npos);

  const std::string kontakt = text_of(by_id("endring-husleierestanse-kontakt"));
  EXPECT_NE(kontakt.find("Innen 1 måned etter forfall av husleien"), std::string::npos);
  EXPECT_NE(kontakt.find("Innen 3 uker etter forfall av husleien"), std::string::npos);

  const std::string added = text_of(by_id("endring-institusjon-varsel"));
  EXPECT_NE(added.find("Ny"), std::string::npos);
  EXPECT_NE(added.find("Boligsosial koordinator"), std::string::npos);

  EXPECT_NE(
      text_of(by_id("endring-utkastelse-begjaering")).find("Begjæring om fravikelse – siste utvei"),
      std::string::npos);
}

TEST_F(DiffView, ListsRemovedStepsWithTheOwnersReason) {
  const auto row = by_id("fjernet-forlengelse-soknad");
  ASSERT_TRUE(row);
  const std::string text = text_of(row);
  EXPECT_NE(text.find("Søknad om forlengelse av leiekontrakt"), std::string::npos);
  EXPECT_NE(text.find("revurderer behovet i tildelingsmøtet"), std::string::npos);
  EXPECT_FALSE(by_id("diagram-step-forlengelse-soknad"));
}

TEST_F(DiffView, IncludesTheOwnersChangelogAndItsLinksResolve) {
  EXPECT_NE(text_of(by_id("endringslogg")).find("3.0"), std::string::npos);
  for (const auto& a : by_name(root_, "a")) {
    const std::string href = a.attribute("href").value();
    if (href.rfind('#', 0) == 0) {
      EXPECT_TRUE(by_id(href.substr(1))) << href;
    }
  }
}

TEST_F(DiffView, TwoRendersAreByteIdentical) {
  EXPECT_EQ(html_, render_diff_html(shipped().v2, shipped().v3, shipped().units));
}

TEST(DiffViewSame, AVersionComparedWithItselfHasNoChanges) {
  const std::string html = render_diff_html(shipped().v3, shipped().v3, shipped().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const std::string text = text_of(doc);
  EXPECT_NE(text.find("Ingen trinn er nye eller endret."), std::string::npos);
  EXPECT_NE(text.find("Ingen trinn er fjernet."), std::string::npos);
  EXPECT_EQ(html.find("stroke=\"#0b57d0\""), std::string::npos);
}

TEST(DiffViewSparse, ComparesAProcedureWithAStepAdded) {
  const auto before = testing::sparse_procedure();
  auto after = before;
  after.version = {0, 2};
  procedure::Step middle = after.steps.front();
  middle.id = "midten";
  middle.title = "Nytt trinn i midten";
  after.steps.front().next.front().step = "midten";
  after.steps.insert(after.steps.begin() + 1, middle);
  after.phases.front().step_ids = {"start", "midten", "slutt"};
  const std::string html = render_diff_html(before, after, procedure::UnitRegistry{});
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  EXPECT_EQ(testing::count_id(doc, "endring-midten"), 1);
  EXPECT_EQ(testing::count_id(doc, "endring-start"), 1);  // its next step changed
  EXPECT_NE(text_of(doc).find("Nytt trinn i midten"), std::string::npos);
}

}  // namespace
}  // namespace boligflyt::render

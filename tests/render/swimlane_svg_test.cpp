// The swimlane SVG, read back with an XML parser: one box per step, one lane per responsible
// unit, accessible name and description, integer coordinates, byte-identical output.
#include "render/swimlane_svg.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::by_name;
using testing::elements;
using testing::parse;
using testing::shipped;
using testing::text_of;

std::set<std::string> responsible_units(const procedure::Procedure& p) {
  std::set<std::string> units;
  for (const auto& s : p.steps) units.insert(s.responsible.unit);
  return units;
}

class SwimlaneSvg : public ::testing::Test {
 protected:
  void SetUp() override {
    svg_ = render_swimlane_svg(shipped().v3, shipped().units);
    ASSERT_EQ(parse(doc_, svg_), "");
    root_ = doc_.child("svg");
    ASSERT_TRUE(root_);
  }
  std::string svg_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

TEST_F(SwimlaneSvg, IsAnAccessibleImage) {
  EXPECT_STREQ(root_.attribute("xmlns").value(), "http://www.w3.org/2000/svg");
  EXPECT_STREQ(root_.attribute("role").value(), "img");
  const std::string title_id = root_.attribute("aria-labelledby").value();
  const std::string desc_id = root_.attribute("aria-describedby").value();
  const auto title =
      elements(root_, [&](const auto& n) { return title_id == n.attribute("id").value(); });
  const auto desc =
      elements(root_, [&](const auto& n) { return desc_id == n.attribute("id").value(); });
  ASSERT_EQ(title.size(), 1U);
  ASSERT_EQ(desc.size(), 1U);
  EXPECT_STREQ(title[0].name(), "title");
  EXPECT_EQ(text_of(title[0]), "Boligflytprosedyre 3.0 \u2013 flytdiagram");
  EXPECT_NE(text_of(desc[0]).find("Boligkontoret"), std::string::npos);
}

TEST_F(SwimlaneSvg, EveryStepIsExactlyOneBoxWithATitle) {
  for (const auto& s : shipped().v3.steps) {
    const auto boxes =
        elements(root_, [&](const auto& n) { return "step-" + s.id == n.attribute("id").value(); });
    ASSERT_EQ(boxes.size(), 1U) << s.id;
    EXPECT_STREQ(boxes[0].attribute("data-step").value(), s.id.c_str());
    EXPECT_NE(text_of(boxes[0].child("title")).find(s.title), std::string::npos) << s.id;
  }
  const auto all = elements(root_, [](const auto& n) { return n.attribute("data-step"); });
  EXPECT_EQ(all.size(), shipped().v3.steps.size());
}

TEST_F(SwimlaneSvg, LanesAreTheResponsibleUnitsInEveryBand) {
  const auto bands = elements(root_, [](const auto& n) { return n.attribute("data-band"); });
  ASSERT_GT(bands.size(), 1U);  // the default width wraps 3.0
  for (const auto& band : bands) {
    std::multiset<std::string> lanes;
    for (const auto& lane :
         elements(band, [](const auto& n) { return n.attribute("data-lane"); })) {
      lanes.insert(lane.attribute("data-lane").value());
    }
    const auto expected = responsible_units(shipped().v3);
    EXPECT_EQ(std::set<std::string>(lanes.begin(), lanes.end()), expected);
    EXPECT_EQ(lanes.size(), expected.size());
  }
}

TEST_F(SwimlaneSvg, FlowsConnectExistingSteps) {
  std::set<std::string> ids;
  for (const auto& s : shipped().v3.steps) ids.insert(s.id);
  std::size_t flows = 0;
  for (const auto& g : elements(root_, [](const auto& n) { return n.attribute("data-from"); })) {
    EXPECT_EQ(ids.count(g.attribute("data-from").value()), 1U);
    if (g.attribute("data-to")) {
      EXPECT_EQ(ids.count(g.attribute("data-to").value()), 1U);
    }
    ++flows;
  }
  std::size_t next = 0;
  for (const auto& s : shipped().v3.steps) next += s.next.size() + (s.is_end ? 1 : 0);
  EXPECT_EQ(flows, next);  // every next step, and every end marker
}

TEST_F(SwimlaneSvg, CoordinatesAreIntegers) {
  static const std::regex kInteger("-?[0-9]+");
  static const std::regex kPathData("[MLQZ0-9 -]*");
  for (const auto& n : elements(root_, [](const auto&) { return true; })) {
    for (const char* name :
         {"x", "y", "width", "height", "cx", "cy", "r", "x1", "y1", "x2", "y2", "rx"}) {
      if (const auto a = n.attribute(name)) {
        EXPECT_TRUE(std::regex_match(a.value(), kInteger))
            << n.name() << " " << name << "=" << a.value();
      }
    }
    if (std::string(n.name()) == "path" && n.parent().name() != std::string("marker")) {
      EXPECT_TRUE(std::regex_match(n.attribute("d").value(), kPathData))
          << n.attribute("d").value();
    }
  }
}

TEST_F(SwimlaneSvg, TwoRendersAreByteIdentical) {
  EXPECT_EQ(svg_, render_swimlane_svg(shipped().v3, shipped().units));
  SvgOptions options;
  options.max_band_width = 0;
  options.avvik_per_step = {{"tildelingsmote", 3}};
  EXPECT_EQ(render_swimlane_svg(shipped().v3, shipped().units, options),
            render_swimlane_svg(shipped().v3, shipped().units, options));
}

TEST_F(SwimlaneSvg, ConditionsAreInTheLegendWithTheirLetters) {
  const std::string legend = text_of(root_);
  EXPECT_NE(legend.find(
                "a) Søknaden er fullstendig, eller svarfristen for manglende opplysninger er ute"),
            std::string::npos);
  EXPECT_NE(legend.find("b) Nødvendige opplysninger mangler"), std::string::npos);
}

TEST(SwimlaneSvgOptions, OneBandWhenNotWrapped) {
  SvgOptions options;
  options.max_band_width = 0;
  const std::string svg = render_swimlane_svg(shipped().v3, shipped().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  EXPECT_EQ(elements(doc, [](const auto& n) { return n.attribute("data-band"); }).size(), 1U);
  EXPECT_EQ(elements(doc, [](const auto& n) { return n.attribute("data-connector"); }).size(), 0U);
}

TEST(SwimlaneSvgOptions, AvvikOverlayShowsCountsAndHeat) {
  SvgOptions options;
  options.avvik_per_step = {{"husleierestanse-purring", 9}, {"tildelingsmote", 2}};
  const std::string svg = render_swimlane_svg(shipped().v3, shipped().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  const auto box = [&](const std::string& id) {
    return elements(doc, [&](const auto& n) { return "step-" + id == n.attribute("id").value(); })
        .at(0);
  };
  EXPECT_NE(text_of(box("husleierestanse-purring")).find('9'), std::string::npos);
  EXPECT_NE(text_of(box("husleierestanse-purring").child("title")).find("9 avvik"),
            std::string::npos);
  EXPECT_NE(text_of(box("tildelingsmote").child("title")).find("2 avvik"), std::string::npos);
  EXPECT_EQ(text_of(box("soknad-mottak").child("title")).find("avvik"), std::string::npos);
  // The most-affected step gets the strongest colour.
  EXPECT_NE(svg.find("#f47a45"), std::string::npos);
  EXPECT_NE(text_of(doc).find("Avvik per trinn"), std::string::npos);
}

TEST(SwimlaneSvgOptions, HighlightsAndTagsMarkSteps) {
  SvgOptions options;
  options.highlight_steps = {"tildelingsmote"};
  options.step_tags = {{"tildelingsmote", "Endret"}};
  const std::string svg = render_swimlane_svg(shipped().v3, shipped().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  const auto marked = elements(doc, [](const auto& n) {
                        return std::string(n.attribute("id").value()) == "step-tildelingsmote";
                      }).at(0);
  EXPECT_NE(text_of(marked).find("Endret"), std::string::npos);
  EXPECT_FALSE(elements(marked, [](const auto& n) {
                 return std::string(n.attribute("stroke").value()) == "#0b57d0";
               }).empty());
  const auto plain = elements(doc, [](const auto& n) {
                       return std::string(n.attribute("id").value()) == "step-soknad-mottak";
                     }).at(0);
  EXPECT_TRUE(elements(plain, [](const auto& n) {
                return std::string(n.attribute("stroke").value()) == "#0b57d0";
              }).empty());
}

TEST(SwimlaneSvgOptions, TextIsEscaped) {
  const auto p = testing::with_markup_in_text();
  const std::string svg = render_swimlane_svg(p, shipped().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  EXPECT_TRUE(by_name(doc, "script").empty());
  EXPECT_TRUE(by_name(doc, "b").empty());
  EXPECT_NE(text_of(doc).find("Bolig <b>flyt</b> & \"prosedyre\" 'x'"), std::string::npos);
  EXPECT_NE(text_of(doc).find("Når <i>x</i> & \"y\""), std::string::npos);
}

TEST(SwimlaneSvgBands, EachBandIsItsOwnAccessibleImageWithUniqueIds) {
  SvgOptions options;
  options.max_band_width = 1300;
  options.id_prefix = "d-";
  const auto bands = render_swimlane_svg_bands(shipped().v3, shipped().units, options);
  ASSERT_GT(bands.size(), 1U);
  std::set<std::string> ids;
  std::size_t steps = 0;
  for (const auto& band : bands) {
    pugi::xml_document doc;
    ASSERT_EQ(parse(doc, band.svg), "");
    const auto svg = doc.child("svg");
    EXPECT_STREQ(svg.attribute("role").value(), "img");
    EXPECT_EQ(band.caption.rfind("Del ", 0), 0U);
    EXPECT_EQ(std::to_string(band.width), svg.attribute("width").value());
    for (const auto& n : elements(doc, [](const auto& e) { return e.attribute("id"); })) {
      EXPECT_TRUE(ids.insert(n.attribute("id").value()).second) << n.attribute("id").value();
    }
    steps += elements(doc, [](const auto& e) { return e.attribute("data-step"); }).size();
    const std::string labelled = svg.attribute("aria-labelledby").value();
    EXPECT_EQ(
        elements(doc, [&](const auto& e) { return labelled == e.attribute("id").value(); }).size(),
        1U);
  }
  EXPECT_EQ(steps, shipped().v3.steps.size());
  EXPECT_EQ(ids.count("d-step-soknad-veiledning"), 1U);
}

}  // namespace
}  // namespace boligflyt::render

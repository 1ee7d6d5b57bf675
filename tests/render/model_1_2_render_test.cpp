// What procedure format 1.2 adds to the HTML document and the swimlane SVG, checked from the
// model for every file in BOLIGFLYT_RENDER_MODEL_FILES (tests/render/CMakeLists.txt): each
// meeting, external party, handover, escalation, parallel split and join, outcome code and
// deadline basis of the file must show. The assertions are derived from the file, so a new
// version (4.0) is tested by adding it to that list. The BPMN export: model_1_2_bpmn_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "model_1_2_support.h"
#include "render/bpmn_export.h"
#include "render/html_document.h"
#include "render/markup.h"
#include "render/swimlane_svg.h"
#include "render/wording.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using model12::by_id;
using model12::file_test_name;
using model12::first_rect;
using model12::Model12;
using model12::model_files;
using model12::numbers_in;
using model12::party_or_unit;
using model12::SvgRect;
using procedure::Procedure;
using procedure::Step;
using testing::by_name;
using testing::elements;
using testing::parse;
using testing::text_of;

TEST_P(Model12, FileUsesTheElementsTheseTestsCover) {
  const Procedure& p = m().p;
  EXPECT_FALSE(p.meetings.empty());
  EXPECT_FALSE(p.external_parties.empty());
  const auto any = [&](auto pred) { return std::any_of(p.steps.begin(), p.steps.end(), pred); };
  EXPECT_TRUE(any([](const Step& s) { return !s.handovers.empty(); }));
  EXPECT_TRUE(any([](const Step& s) { return !s.escalations.empty(); }));
  EXPECT_TRUE(any([](const Step& s) { return s.parallel && !s.parallel_join.empty(); }));
  EXPECT_TRUE(any([](const Step& s) { return !s.join.empty(); }));
}

TEST_P(Model12, HtmlShowsMeetingsWithChairMembersCadenceMandateAndTheirSteps) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const auto toc = by_name(doc, "nav");
  ASSERT_FALSE(toc.empty());
  EXPECT_NE(text_of(toc.front()).find("Møter"), std::string::npos);
  for (const auto& meeting : m().p.meetings) {
    const auto heading = by_id(doc, "mote-" + meeting.id);
    ASSERT_TRUE(heading) << meeting.id;
    EXPECT_EQ(text_of(heading), meeting.name);
    const std::string facts = text_of(heading.next_sibling("dl"));
    EXPECT_NE(facts.find(unit_name(m().units, meeting.chair)), std::string::npos) << facts;
    EXPECT_NE(facts.find(meeting.mandate), std::string::npos) << facts;
    for (const auto& [ref, note] : meeting.members) {
      EXPECT_NE(facts.find(party_or_unit(m(), ref)), std::string::npos) << ref;
    }
    if (!meeting.cadence_text.empty()) {
      EXPECT_NE(facts.find(meeting.cadence_text), std::string::npos) << facts;
    }
    for (const auto& s : m().p.steps) {
      if (s.meeting != meeting.id) continue;
      const auto article = by_id(doc, "trinn-" + s.id);
      const auto links = elements(article, [&](const pugi::xml_node& n) {
        return std::string(n.attribute("href").value()) == "#mote-" + meeting.id;
      });
      EXPECT_EQ(links.size(), 1U) << s.id << " does not name its meeting";
      EXPECT_NE(facts.find(s.title), std::string::npos) << s.id << " missing under the meeting";
    }
  }
}

TEST_P(Model12, HtmlShowsExternalPartiesAsASectionAndOnTheirSteps) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  for (const auto& party : m().p.external_parties) {
    const auto row = by_id(doc, "part-" + party.id);
    ASSERT_TRUE(row) << party.id;
    EXPECT_NE(text_of(row).find(party.name), std::string::npos);
  }
  for (const auto& s : m().p.steps) {
    const std::string article = text_of(by_id(doc, "trinn-" + s.id));
    for (const auto& part : s.participating_parties) {
      EXPECT_NE(article.find("Eksterne parter"), std::string::npos) << s.id;
      EXPECT_NE(article.find(party_or_unit(m(), part.party)), std::string::npos) << s.id;
    }
  }
}

TEST_P(Model12, HtmlShowsEveryHandoverAndEscalationOnItsStep) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  for (const auto& s : m().p.steps) {
    const auto article = by_id(doc, "trinn-" + s.id);
    for (const auto& h : s.handovers) {
      const auto item = by_id(article, "overlevering-" + h.id);
      ASSERT_TRUE(item) << h.id << " is not on step " << s.id;
      const std::string text = text_of(item);
      const std::string from = unit_name(m().units, h.from.empty() ? s.responsible.unit : h.from);
      EXPECT_NE(text.find(from + " \u2192 " + party_or_unit(m(), h.to)), std::string::npos) << text;
      EXPECT_NE(text.find(h.what), std::string::npos) << text;
      if (!h.within.empty()) {
        EXPECT_NE(text.find("Innen " + duration_in_words(h.within)), std::string::npos) << text;
      }
      if (!h.channel.empty()) {
        EXPECT_NE(text.find(h.channel), std::string::npos) << text;
      }
    }
    const std::string text = text_of(article);
    for (const auto& e : s.escalations) {
      EXPECT_NE(
          text.find("Etter " + duration_in_words(e.after) + " til " + unit_name(m().units, e.to)),
          std::string::npos)
          << s.id << ": " << text;
    }
  }
}

TEST_P(Model12, HtmlSaysWhomEachDeadlineBindsAndOnWhatBasis) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  for (const auto& s : m().p.steps) {
    const std::string text = text_of(by_id(doc, "trinn-" + s.id));
    const auto deadlines_with = [&](auto pred) {
      return std::count_if(s.deadlines.begin(), s.deadlines.end(), pred);
    };
    EXPECT_EQ(testing::occurrences(text, "Lovfestet frist"),
              deadlines_with([](const auto& d) { return d.basis == "statutory"; }))
        << s.id;
    EXPECT_EQ(testing::occurrences(text, "Lokal frist som kommunen selv har valgt"),
              deadlines_with([](const auto& d) { return d.basis == "local"; }))
        << s.id;
    for (const auto& d : s.deadlines) {
      if (!d.binds.empty()) {
        EXPECT_NE(text.find("Fristen gjelder " + party_or_unit(m(), d.binds)), std::string::npos)
            << s.id;
      }
      if (d.basis == "statutory" && !d.provision.empty()) {
        EXPECT_NE(text.find(d.provision), std::string::npos) << s.id;
      }
      if (m().p.find_party(d.binds)) {
        EXPECT_NE(text.find("ikke et avvik"), std::string::npos) << s.id;
      }
    }
  }
}

TEST_P(Model12, HtmlShowsParallelTracksJoinsAndOutcomeCodes) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  for (const auto& s : m().p.steps) {
    const auto article = by_id(doc, "trinn-" + s.id);
    const std::string text = text_of(article);
    std::set<std::string> hrefs;
    for (const auto& a : by_name(article, "a")) hrefs.insert(a.attribute("href").value());
    if (s.parallel) {
      EXPECT_NE(text.find("Disse trinnene gjøres samtidig"), std::string::npos) << s.id;
      for (const auto& next : s.next) EXPECT_TRUE(hrefs.count("#trinn-" + next.step)) << s.id;
      if (!s.parallel_join.empty()) {
        EXPECT_NE(text.find("Grenene samles i"), std::string::npos) << s.id;
        EXPECT_TRUE(hrefs.count("#trinn-" + s.parallel_join)) << s.id;
      }
    } else {
      EXPECT_EQ(text.find("gjøres samtidig"), std::string::npos) << s.id;
    }
    if (!s.join.empty()) {
      EXPECT_NE(text.find("Starter når alle de parallelle grenene"), std::string::npos) << s.id;
      EXPECT_TRUE(hrefs.count("#trinn-" + s.join)) << s.id;
    }
    for (const auto& next : s.next) {
      if (!next.outcome.empty()) {
        EXPECT_NE(text.find("Utfall: " + next.outcome), std::string::npos) << s.id;
      }
    }
  }
}

TEST_P(Model12, HtmlOverviewExplainsWhatThePictureDrawsForTheModel) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const auto overview = by_id(doc, "oversikt").parent();
  std::string legend;
  for (const auto& ul : by_name(overview, "ul")) {
    if (std::string(ul.attribute("class").value()) == "legend") legend += text_of(ul) + "|";
  }
  EXPECT_NE(legend.find("Parallelle grener"), std::string::npos) << legend;
  EXPECT_NE(legend.find("Overlevering"), std::string::npos) << legend;
  EXPECT_NE(legend.find("Ekstern part"), std::string::npos) << legend;
  EXPECT_NE(text_of(overview).find("gjøres samtidig"), std::string::npos);
}

TEST_P(Model12, HtmlShowsWhenLegalSourcesAndProvisionsAreInForce) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const auto in_words = [](const procedure::Validity& v) {
    std::string words;
    if (!v.from.empty()) words = "i kraft fra " + date_in_words(v.from);
    if (!v.to.empty())
      words += (words.empty() ? "" : ", ") + std::string("gjaldt til ") + date_in_words(v.to);
    return words;
  };
  std::size_t checked = 0;
  for (const auto& source : m().p.legal_basis) {
    const auto term = by_id(doc, "lov-" + source.id);
    ASSERT_TRUE(term) << source.id;
    const std::string text = text_of(term.next_sibling("dd"));
    if (!source.validity.from.empty() || !source.validity.to.empty()) {
      EXPECT_NE(text.find(in_words(source.validity)), std::string::npos) << text;
      ++checked;
    }
    for (const auto& [ref, validity] : source.provision_validity) {
      EXPECT_NE(text.find(in_words(validity)), std::string::npos) << ref << ": " << text;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0U) << "the file gives no validity dates";
}

TEST_P(Model12, HtmlIdsStayUnique) {
  const std::string html = render_html_document(m().p, m().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  std::set<std::string> seen;
  for (const auto& node : elements(doc, [](const auto& n) { return n.attribute("id"); })) {
    EXPECT_TRUE(seen.insert(node.attribute("id").value()).second) << node.attribute("id").value();
  }
}

TEST_P(Model12, SvgGivesExternalPartiesTheirOwnLanesBelowTheUnits) {
  SvgOptions options;
  options.max_band_width = 0;  // one band: one lane element per unit and party
  const std::string svg = render_swimlane_svg(m().p, m().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  const auto unit_lanes = elements(doc, [](const auto& n) { return n.attribute("data-lane"); });
  const auto party_lanes = elements(doc, [](const auto& n) { return n.attribute("data-party"); });
  std::set<std::string> named;  // parties a step names
  for (const auto& s : m().p.steps) {
    for (const auto& part : s.participating_parties) named.insert(part.party);
    for (const auto& h : s.handovers) {
      if (m().p.find_party(h.to)) named.insert(h.to);
    }
  }
  ASSERT_EQ(party_lanes.size(), named.size());
  int lowest_unit = 0;
  for (const auto& lane : unit_lanes) {
    const SvgRect r = first_rect(lane);
    lowest_unit = std::max(lowest_unit, r.y + r.h);
  }
  for (const auto& lane : party_lanes) {
    EXPECT_TRUE(named.count(lane.attribute("data-party").value()));
    EXPECT_GE(first_rect(lane).y, lowest_unit) << "a party's lane lies among the units' lanes";
    // Visibly different from a unit's lane: its own fill, and marked as external.
    EXPECT_NE(std::string(lane.child("rect").attribute("fill").value()),
              std::string(unit_lanes.front().child("rect").attribute("fill").value()));
    EXPECT_NE(text_of(lane).find("EKSTERN PART"), std::string::npos);
  }
  // Each participation is drawn in its party's lane, under its step.
  for (const auto& s : m().p.steps) {
    const auto marks = elements(
        doc, [&](const auto& n) { return s.id == n.attribute("data-participation").value(); });
    EXPECT_EQ(marks.size(), s.participating_parties.size()) << s.id;
  }
}

TEST_P(Model12, SvgDrawsHandoversAsArrowsIntoTheReceivingLane) {
  SvgOptions options;
  options.max_band_width = 0;
  const std::string svg = render_swimlane_svg(m().p, m().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  std::map<std::string, SvgRect> lanes;
  for (const auto& lane : elements(doc, [](const auto& n) { return n.attribute("data-lane"); })) {
    lanes[lane.attribute("data-lane").value()] = first_rect(lane);
  }
  for (const auto& lane : elements(doc, [](const auto& n) { return n.attribute("data-party"); })) {
    lanes[lane.attribute("data-party").value()] = first_rect(lane);
  }
  for (const auto& s : m().p.steps) {
    for (const auto& h : s.handovers) {
      const auto arrows = elements(
          doc, [&](const auto& n) { return h.id == n.attribute("data-handover").value(); });
      if (h.to == s.responsible.unit) {
        EXPECT_TRUE(arrows.empty()) << h.id;
        continue;
      }
      ASSERT_EQ(arrows.size(), 1U) << h.id;
      const auto d = numbers_in(arrows.front().child("path").attribute("d").value());
      ASSERT_EQ(d.size(), 4U) << h.id;
      ASSERT_TRUE(lanes.count(h.to)) << h.id;
      const SvgRect& to = lanes.at(h.to);
      EXPECT_GT(d[3], to.y) << h.id << " ends above the receiving lane";
      EXPECT_LT(d[3], to.y + to.h) << h.id << " ends below the receiving lane";
      const SvgRect& from = lanes.at(s.responsible.unit);
      EXPECT_GE(d[1], from.y) << h.id << " does not start in the step's lane";
      EXPECT_LE(d[1], from.y + from.h) << h.id << " does not start in the step's lane";
      EXPECT_NE(text_of(arrows.front()).find(h.what), std::string::npos);
    }
  }
}

TEST_P(Model12, SvgGivesAUnitThatOnlyReceivesAHandoverALane) {
  Procedure p = m().p;
  const auto responsible = [&](const std::string& unit) {
    return std::any_of(p.steps.begin(), p.steps.end(),
                       [&](const Step& s) { return s.responsible.unit == unit; });
  };
  std::string idle;  // a unit of the registry that is responsible for no step
  for (const auto& unit : m().units.units) {
    if (!responsible(unit.id)) idle = unit.id;
  }
  ASSERT_FALSE(idle.empty());
  Step* giver = nullptr;
  for (auto& s : p.steps) {
    if (!s.handovers.empty()) giver = &s;
  }
  ASSERT_NE(giver, nullptr);
  giver->handovers.front().to = idle;
  const std::string id = giver->handovers.front().id;
  SvgOptions options;
  options.max_band_width = 0;
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, render_swimlane_svg(p, m().units, options)), "");
  const auto lanes =
      elements(doc, [&](const auto& n) { return idle == n.attribute("data-lane").value(); });
  ASSERT_EQ(lanes.size(), 1U);
  const SvgRect lane = first_rect(lanes.front());
  const auto arrows =
      elements(doc, [&](const auto& n) { return id == n.attribute("data-handover").value(); });
  ASSERT_EQ(arrows.size(), 1U);
  const auto d = numbers_in(arrows.front().child("path").attribute("d").value());
  ASSERT_EQ(d.size(), 4U);
  EXPECT_GT(d[3], lane.y);
  EXPECT_LT(d[3], lane.y + lane.h);
}

TEST_P(Model12, SvgDrawsAParallelBarAcrossEverySplitAndJoin) {
  SvgOptions options;
  options.max_band_width = 0;
  const std::string svg = render_swimlane_svg(m().p, m().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, svg), "");
  for (const auto& s : m().p.steps) {
    const auto bars =
        elements(doc, [&](const auto& n) { return s.id == n.attribute("data-parallel").value(); });
    const std::size_t expected = (s.parallel ? 1U : 0U) + (s.join.empty() ? 0U : 1U);
    ASSERT_EQ(bars.size(), expected) << s.id;
    if (!s.parallel) continue;
    // The split's bar crosses every branch where it leaves the step.
    const SvgRect bar = first_rect(bars.front());
    const auto flows = elements(doc, [&](const auto& n) {
      return s.id == n.attribute("data-from").value() && n.child("path");
    });
    ASSERT_EQ(flows.size(), s.next.size()) << s.id;
    for (const auto& flow : flows) {
      const auto d = numbers_in(flow.child("path").attribute("d").value());
      ASSERT_GE(d.size(), 2U);
      EXPECT_GE(d[1], bar.y) << s.id;
      EXPECT_LE(d[1], bar.y + bar.h) << s.id;
      EXPECT_LT(d[0], bar.x + bar.w) << s.id;
    }
    // Parallel branches all start: none is a choice with a condition.
    for (const auto& flow : flows) {
      const std::string title = flow.child_value("title");
      EXPECT_EQ(title.find(" når: "), std::string::npos) << title;
      EXPECT_NE(title.find("samtidig"), std::string::npos) << title;
    }
  }
}

TEST_P(Model12, HostileTextInNewElementsIsEscaped) {
  Procedure p = m().p;
  const std::string hostile = "<script>alert(\"x\")</script> & 'y'";
  for (auto& s : p.steps) {
    for (auto& h : s.handovers) h.what = hostile;
    for (auto& e : s.escalations) e.text = hostile;
    for (auto& part : s.participating_parties) part.note = hostile;
  }
  for (auto& party : p.external_parties) party.name = hostile;
  for (auto& meeting : p.meetings) meeting.mandate = hostile;
  for (const std::string& out : {render_html_document(p, m().units),
                                 render_swimlane_svg(p, m().units), export_bpmn(p, m().units)}) {
    pugi::xml_document doc;
    EXPECT_EQ(parse(doc, out), "");
    EXPECT_EQ(out.find("<script>"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Model12, ::testing::ValuesIn(model_files()), file_test_name);

}  // namespace
}  // namespace boligflyt::render

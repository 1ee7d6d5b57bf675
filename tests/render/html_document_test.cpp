// The HTML document of a procedure version, read back with an XML parser (the markup is
// well-formed on purpose): anchors, headings, deadlines in words, escaping, self-containment.
#include "render/html_document.h"

#include <gtest/gtest.h>

#include <set>

#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::by_name;
using testing::count_id;
using testing::elements;
using testing::occurrences;
using testing::parse;
using testing::shipped;
using testing::text_of;

class HtmlDocument : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = render_html_document(shipped().v3, shipped().units);
    ASSERT_EQ(parse(doc_, html_), "");
    root_ = doc_.child("html");
    ASSERT_TRUE(root_);
  }
  pugi::xml_node by_id(const std::string& id) const {
    const auto found =
        elements(root_, [&](const auto& n) { return id == n.attribute("id").value(); });
    return found.empty() ? pugi::xml_node() : found.front();
  }
  std::string html_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

TEST_F(HtmlDocument, IsNorwegianHtml5WithATitle) {
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_STREQ(root_.attribute("lang").value(), "nb");
  EXPECT_EQ(text_of(root_.child("head").child("title")),
            "Boligflytprosedyre, versjon 3.0 (publisert)");
  EXPECT_STREQ(root_.child("head").child("meta").attribute("charset").value(), "utf-8");
}

TEST_F(HtmlDocument, EveryStepHasExactlyOneAnchorAndATableOfContentsEntry) {
  for (const auto& s : shipped().v3.steps) {
    EXPECT_EQ(count_id(root_, "trinn-" + s.id), 1) << s.id;
    EXPECT_EQ(occurrences(html_, "id=\"trinn-" + s.id + "\""), 1U) << s.id;
    const auto toc = elements(root_.child("body").child("nav"), [&](const auto& n) {
      return std::string(n.name()) == "a" && "#trinn-" + s.id == n.attribute("href").value();
    });
    EXPECT_EQ(toc.size(), 1U) << s.id;
  }
}

TEST_F(HtmlDocument, EveryIdIsUniqueAndEveryInPageLinkHasATarget) {
  std::set<std::string> ids;
  for (const auto& n : elements(root_, [](const auto& e) { return e.attribute("id"); })) {
    EXPECT_TRUE(ids.insert(n.attribute("id").value()).second) << n.attribute("id").value();
  }
  std::size_t links = 0;
  for (const auto& a : by_name(root_, "a")) {
    const std::string href = a.attribute("href").value();
    if (href.rfind('#', 0) != 0) continue;
    EXPECT_EQ(ids.count(href.substr(1)), 1U) << href;
    ++links;
  }
  EXPECT_GT(links, 200U);
}

TEST_F(HtmlDocument, HeadingsDescendOneLevelAtATime) {
  const auto headings = elements(root_, [](const auto& n) {
    const std::string name = n.name();
    return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
  });
  ASSERT_FALSE(headings.empty());
  EXPECT_STREQ(headings.front().name(), "h1");
  int previous = 1;
  int h1 = 0;
  for (const auto& h : headings) {
    const int level = h.name()[1] - '0';
    h1 += level == 1 ? 1 : 0;
    EXPECT_LE(level, previous + 1) << text_of(h);
    previous = level;
  }
  EXPECT_EQ(h1, 1);
}

TEST_F(HtmlDocument, ShowsMetadataInNorwegian) {
  const std::string header = text_of(root_.child("body").child("header"));
  EXPECT_NE(header.find("Publisert"), std::string::npos);
  EXPECT_NE(header.find("1. januar 2025"), std::string::npos);
  EXPECT_NE(header.find("21. november 2024 av Styringsgruppen for boligsosialt arbeid"),
            std::string::npos);
  EXPECT_NE(header.find("Boligsosial koordinator"), std::string::npos);
  EXPECT_NE(header.find("Versjon 2.0"), std::string::npos);
  EXPECT_NE(header.find("Hvert år"), std::string::npos);
}

TEST_F(HtmlDocument, WritesDeadlinesAndRecurrencesInWords) {
  EXPECT_NE(text_of(by_id("trinn-klage-mottak")).find("Innen 3 uker etter at vedtaket er mottatt."),
            std::string::npos);
  EXPECT_NE(text_of(by_id("trinn-revurdering-leieforhold"))
                .find("Senest 3 måneder før leieperioden utløper."),
            std::string::npos);
  EXPECT_NE(text_of(by_id("trinn-husleierestanse-kontakt"))
                .find("Innen 3 uker etter forfall av husleien."),
            std::string::npos);
  EXPECT_NE(text_of(by_id("trinn-tildelingsmote")).find("Hver 14. dag"), std::string::npos);
  // Never the codes alone.
  EXPECT_EQ(text_of(by_id("trinn-klage-mottak")).find("P3W"), std::string::npos);
  EXPECT_EQ(html_.find("decisionReceived"), std::string::npos);
}

TEST_F(HtmlDocument, StepsNameUnitsDocumentsAndTheirNextStepsAsLinks) {
  const auto step = by_id("trinn-soknad-kontroll");
  const std::string text = text_of(step);
  EXPECT_NE(text.find("Boligkontoret"), std::string::npos);
  EXPECT_NE(text.find("Søknadsskjema for kommunal bolig"), std::string::npos);
  EXPECT_NE(text.find("Forvaltningsloven § 17"), std::string::npos);
  std::set<std::string> links;
  for (const auto& a : by_name(step, "a")) links.insert(a.attribute("href").value());
  EXPECT_EQ(links.count("#trinn-saksbehandling-kartlegging"), 1U);
  EXPECT_EQ(links.count("#trinn-soknad-innhente-opplysninger"), 1U);
  EXPECT_EQ(links.count("#dok-soknadsskjema"), 1U);
  EXPECT_EQ(links.count("#lov-forvaltningsloven"), 1U);
  EXPECT_NE(text.find("Nødvendige opplysninger mangler"), std::string::npos);
  const std::string participants = text_of(by_id("trinn-soknad-veiledning"));
  EXPECT_NE(participants.find("NAV-kontoret – Veileder brukere"), std::string::npos);
}

TEST_F(HtmlDocument, LinksTheLegalBasisAndListsTheChangelog) {
  const auto lovdata = elements(root_, [](const auto& n) {
    return std::string(n.attribute("href").value()) == "https://lovdata.no/lov/1999-03-26-17";
  });
  EXPECT_EQ(lovdata.size(), 1U);
  EXPECT_EQ(text_of(lovdata.front()), "Husleieloven");
  for (const char* version : {"versjon-3.0", "versjon-2.0", "versjon-1.0"}) {
    EXPECT_EQ(count_id(root_, version), 1) << version;
  }
  EXPECT_NE(text_of(by_id("endringslogg")).find("Endringslogg"), std::string::npos);
}

TEST_F(HtmlDocument, EmbedsTheSwimlanePictureAsAccessibleImages) {
  const auto svgs = by_name(root_, "svg");
  ASSERT_GT(svgs.size(), 1U);
  std::size_t boxes = 0;
  for (const auto& svg : svgs) {
    EXPECT_STREQ(svg.attribute("role").value(), "img");
    const std::string title = svg.attribute("aria-labelledby").value();
    const auto t = by_id(title);
    ASSERT_TRUE(t) << title;
    EXPECT_STREQ(t.name(), "title");
    EXPECT_FALSE(text_of(t).empty());
    EXPECT_FALSE(text_of(by_id(svg.attribute("aria-describedby").value())).empty());
    EXPECT_STREQ(svg.parent().name(), "figure");
    EXPECT_FALSE(text_of(svg.parent().child("figcaption")).empty());
    boxes += elements(svg, [](const auto& n) { return n.attribute("data-step"); }).size();
  }
  EXPECT_EQ(boxes, shipped().v3.steps.size());
}

TEST_F(HtmlDocument, IsSelfContainedAndPrintable) {
  EXPECT_TRUE(by_name(root_, "script").empty());
  EXPECT_TRUE(by_name(root_, "link").empty());
  EXPECT_TRUE(by_name(root_, "img").empty());
  EXPECT_EQ(html_.find("src="), std::string::npos);
  EXPECT_EQ(html_.find("url(http"), std::string::npos);
  EXPECT_EQ(html_.find("@import"), std::string::npos);
  const std::string css = text_of(root_.child("head").child("style"));
  EXPECT_NE(css.find("@media print"), std::string::npos);
  EXPECT_NE(css.find("size: A4"), std::string::npos);
}

TEST_F(HtmlDocument, TwoRendersAreByteIdentical) {
  EXPECT_EQ(html_, render_html_document(shipped().v3, shipped().units));
}

TEST(HtmlDocumentOptions, EscapesTextFromTheProcedure) {
  const auto p = testing::with_markup_in_text();
  const std::string html = render_html_document(p, shipped().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  EXPECT_TRUE(by_name(doc, "script").empty());
  EXPECT_TRUE(by_name(doc, "b").empty());
  EXPECT_TRUE(by_name(doc, "i").empty());
  EXPECT_EQ(text_of(doc.child("html").child("body").child("header").child("div").child("h1")),
            p.title);
  EXPECT_NE(html.find("Veiledning &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mer"),
            std::string::npos);
  EXPECT_NE(html.find("A &lt; B &amp;&amp; C &gt; D &quot;sitat&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(HtmlDocumentOptions, StatusFromTheStoreAndAvvikCounts) {
  RenderOptions options;
  options.status = "superseded";
  options.avvik_per_step = {{"tildelingsmote", 3}};
  options.footer_note = "Publisert i kvalitetssystemet.";
  const std::string html = render_html_document(shipped().v3, shipped().units, options);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const std::string text = text_of(doc);
  EXPECT_NE(text.find("Erstattet"), std::string::npos);
  EXPECT_NE(text.find("er erstattet av en nyere versjon"), std::string::npos);
  EXPECT_NE(text.find("3 avvik registrert"), std::string::npos);
  EXPECT_NE(text.find("Publisert i kvalitetssystemet."), std::string::npos);
  EXPECT_NE(html.find("versjon 3.0 (erstattet)"), std::string::npos);
}

TEST(HtmlDocumentOptions, RendersASparseDraft) {
  const auto p = testing::sparse_procedure();
  const std::string html = render_html_document(p, procedure::UnitRegistry{});
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, html), "");
  const std::string text = text_of(doc);
  EXPECT_NE(text.find("Dette er et utkast"), std::string::npos);
  EXPECT_NE(text.find("Ikke godkjent ennå"), std::string::npos);
  EXPECT_NE(text.find("ukjent-enhet"), std::string::npos);  // the id when the registry has no name
  EXPECT_EQ(testing::count_id(doc, "trinn-start"), 1);
  EXPECT_EQ(testing::count_id(doc, "trinn-slutt"), 1);
  EXPECT_EQ(testing::count_id(doc, "diagram-step-slutt"), 1);
}

}  // namespace
}  // namespace boligflyt::render

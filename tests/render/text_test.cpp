// Escaping, ids, text measurement and the Norwegian wording the renderers share.
#include <gtest/gtest.h>

#include "render/markup.h"
#include "render/text_metrics.h"
#include "render/wording.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

TEST(Markup, EscapesEverythingThatCouldOpenMarkup) {
  EXPECT_EQ(xml_escape(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("æøå ÆØÅ – §"), "æøå ÆØÅ – §");
}

TEST(Markup, DropsControlCharactersXmlForbids) {
  EXPECT_EQ(xml_escape(std::string("a\x01"
                                   "b\tc\nd\x1f",
                                   8)),
            "ab\tc\nd");
}

TEST(Markup, MakesValidUniqueLookingNcNames) {
  EXPECT_EQ(to_ncname("soknad-mottak"), "soknad-mottak");
  EXPECT_EQ(to_ncname("1abc"), "_1abc");
  EXPECT_EQ(to_ncname("a b/c:d"), "a_b_c_d");
  EXPECT_EQ(to_ncname(""), "_");
  EXPECT_EQ(to_ncname("Å"), "__");  // two UTF-8 bytes, each replaced
}

TEST(Markup, BranchLettersCountLikeSpreadsheetColumns) {
  EXPECT_EQ(branch_letter(0), "a");
  EXPECT_EQ(branch_letter(6), "g");
  EXPECT_EQ(branch_letter(25), "z");
  EXPECT_EQ(branch_letter(26), "aa");
  EXPECT_EQ(branch_letter(27), "ab");
}

TEST(TextMetrics, MeasuresLikeArial) {
  // "Boligkontoret" in Arial 12 px is 70 px; the estimate rounds up with 3 % to spare.
  const int w = text_width("Boligkontoret", {12, false});
  EXPECT_GE(w, 71);
  EXPECT_LE(w, 74);
  EXPECT_GT(text_width("Boligkontoret", {12, true}), w);
  EXPECT_EQ(text_width("", {12, false}), 0);
  EXPECT_GT(text_width("ææææ", {12, false}), text_width("aaaa", {12, false}));
}

TEST(TextMetrics, WrapsWithinTheWidthAndMarksCutText) {
  const Font font{12, true};
  const auto lines = wrap_text("Tverrfaglig samarbeidsmøte før inkasso eller namsmann", font, 134);
  ASSERT_GE(lines.size(), 2U);
  for (const auto& line : lines) EXPECT_LE(text_width(line, font), 134) << line;

  const auto cut = wrap_text("Tverrfaglig samarbeidsmøte før inkasso eller namsmann", font, 134, 2);
  ASSERT_EQ(cut.size(), 2U);
  EXPECT_EQ(cut.back().substr(cut.back().size() - 3), "\u2026");
  EXPECT_LE(text_width(cut.back(), font), 134);

  const auto broken = wrap_text("Tvangsfullbyrdelseslovsbestemmelsene", font, 80);
  ASSERT_GE(broken.size(), 2U);
  for (const auto& line : broken) EXPECT_LE(text_width(line, font), 80) << line;

  EXPECT_EQ(fit_with_ellipsis("Kort", font, 200), "Kort");
  EXPECT_LE(text_width(fit_with_ellipsis("Eiendom – kommunale boliger", font, 90), font), 90);
}

TEST(Wording, StatusesDatesAndKinds) {
  EXPECT_EQ(status_in_words("published"), "publisert");
  EXPECT_EQ(status_in_words("superseded"), "erstattet");
  EXPECT_EQ(status_in_words("draft"), "utkast");
  EXPECT_EQ(status_in_words("consultation"), "på høring");
  EXPECT_EQ(date_in_words("2025-01-01"), "1. januar 2025");
  EXPECT_EQ(date_in_words("2024-11-21"), "21. november 2024");
  EXPECT_EQ(date_in_words("i morgen"), "i morgen");
  EXPECT_EQ(step_kind_in_words("meeting"), "møte");
  EXPECT_EQ(capitalized("øvrige"), "Øvrige");
  EXPECT_EQ(capitalized("innen"), "Innen");
  EXPECT_EQ(recurrence_in_words("R/P14D"), "hver 14. dag");
  EXPECT_EQ(change_kind_in_words("responsibleUnitChanged"), "Ny ansvarlig enhet");
  EXPECT_EQ(without_final_period("Søknaden og samtykket. "), "Søknaden og samtykket");
  EXPECT_EQ(without_final_period("Kopi av vedtaket"), "Kopi av vedtaket");
  EXPECT_EQ(without_final_period("..."), "");
}

TEST(Wording, DeadlinesAreWrittenInWords) {
  const auto& p = testing::shipped().v3;
  procedure::Deadline d;
  d.duration = "P3W";
  d.relative_to = "decisionReceived";
  d.relation = "after";
  d.kind = "latest";
  EXPECT_EQ(deadline_in_words(d, p), "innen 3 uker etter at vedtaket er mottatt");
  d.duration = "P3M";
  d.relative_to = "leaseEnd";
  d.relation = "before";
  EXPECT_EQ(deadline_in_words(d, p), "senest 3 måneder før leieperioden utløper");
  EXPECT_EQ(deadline_brief(d), "3 måneder før utløp");
  d.kind = "earliest";
  EXPECT_EQ(deadline_in_words(d, p), "tidligst 3 måneder før leieperioden utløper");
  d = {};
  d.duration = "P2W";
  d.relative_to = "stepCompleted";
  d.step = "visning-bolig";
  d.relation = "after";
  d.kind = "latest";
  EXPECT_EQ(deadline_in_words(d, p),
            "innen 2 uker etter at trinnet «Visning og søkerens vurdering av boligen» er fullført");
  EXPECT_EQ(deadline_brief(d), "Frist 2 uker");
}

TEST(Wording, StepsAreNumberedByPhase) {
  const auto numbers = step_numbers(testing::shipped().v3);
  EXPECT_EQ(numbers.at("soknad-veiledning"), "1.1");
  EXPECT_EQ(numbers.at("soknad-innhente-opplysninger"), "1.4");
  EXPECT_EQ(numbers.at("saksbehandling-kartlegging"), "2.1");
  EXPECT_EQ(numbers.size(), testing::shipped().v3.steps.size());
}

}  // namespace
}  // namespace boligflyt::render

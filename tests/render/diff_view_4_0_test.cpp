// The comparison view of 3.1 and 4.0: the elements of format 1.2 appear as rows a reader can
// compare (handovers, escalations, external parties, meetings, whom a deadline binds, parallel
// tracks and outcome codes), in words from each version.
#include <gtest/gtest.h>

#include "render/diff_view.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::elements;
using testing::parse;
using testing::text_of;

struct Versions {
  procedure::UnitRegistry units;
  procedure::Procedure v31;
  procedure::Procedure v40;
};

const Versions& versions() {
  static const std::unique_ptr<Versions> data = [] {
    const procedure::ProcedureLoader loader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    auto units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    if (!units.ok()) throw std::runtime_error("units.xml does not load");
    auto v = std::make_unique<Versions>();
    v->units = *units.registry;
    const std::string dir = BOLIGFLYT_SOURCE_DIR "/procedures/boligflytprosedyre/";
    for (auto [file, target] : {std::pair{"boligflytprosedyre-3.1.xml", &v->v31},
                                std::pair{"boligflytprosedyre-4.0.xml", &v->v40}}) {
      auto loaded = loader.load_procedure_file(dir + file, &v->units);
      if (!loaded.ok()) throw std::runtime_error(std::string(file) + " does not load");
      *target = std::move(*loaded.procedure);
    }
    return v;
  }();
  return *data;
}

class DiffViewFourZero : public ::testing::Test {
 protected:
  void SetUp() override {
    html_ = render_diff_html(versions().v31, versions().v40, versions().units);
    ASSERT_EQ(parse(doc_, html_), "");
    root_ = doc_.child("html");
    ASSERT_TRUE(root_);
  }
  std::string article(const std::string& step) const {
    const auto found = elements(
        root_, [&](const auto& n) { return "endring-" + step == n.attribute("id").value(); });
    return found.empty() ? std::string() : text_of(found.front());
  }
  std::string html_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

TEST_F(DiffViewFourZero, HandoversAndWhomTheDeadlinesBindAreRowsOfTheTable) {
  const auto notice = article("oppsigelse-heving");
  ASSERT_FALSE(notice.empty());
  EXPECT_NE(notice.find("Overleveringer"), std::string::npos) << notice;
  EXPECT_NE(notice.find("varsel-nav-oppsigelse: Eiendom – kommunale boliger → NAV-kontoret"),
            std::string::npos)
      << notice;
  EXPECT_NE(notice.find("Eksterne parter"), std::string::npos);
  EXPECT_NE(notice.find("(utfall: innsigelse)"), std::string::npos) << notice;

  const auto klage = article("klage-mottak");
  EXPECT_NE(klage.find("binder Søkeren eller leietakeren, lovfestet (Forvaltningsloven § 29)"),
            std::string::npos)
      << klage;
}

TEST_F(DiffViewFourZero, ParallelTracksMeetingsAndEscalationsAreNamed) {
  const auto petition = article("utkastelse-begjaering");
  EXPECT_NE(petition.find("Grenene over gjøres samtidig; de samles i"), std::string::npos)
      << petition;
  EXPECT_NE(petition.find("Fravikelse eller trukket begjæring"), std::string::npos);
  EXPECT_NE(petition.find("Tidligst 2 uker"), std::string::npos) << petition;
  EXPECT_EQ(petition.find("(tidligst"), std::string::npos) << "said once";
  EXPECT_NE(petition.find("lovfestet (Tvangsfullbyrdelsesloven § 4-18)"), std::string::npos);
  EXPECT_NE(article("husbanken-screening").find("Starter når alle grenene fra"), std::string::npos);
  const auto meeting = article("tildelingsmote");
  EXPECT_NE(meeting.find("Møte"), std::string::npos);
  EXPECT_NE(meeting.find("Tildelingsmøtet"), std::string::npos) << meeting;
  EXPECT_NE(
      article("institusjon-husleieavklaring").find("Etter 14 dager til Boligsosial koordinator"),
      std::string::npos);
  // The version-level changes are in the summary.
  EXPECT_NE(html_.find("Ny ekstern part «Statsforvalteren» (statsforvalteren)."),
            std::string::npos);
}

TEST(DiffViewOlderVersions, TwoVersionsWithoutFormatOneTwoShowNoneOfIt) {
  // 2.0 -> 3.0 changes many steps, none with elements of format 1.2.
  const auto& old = testing::shipped();
  const auto html = render_diff_html(old.v2, old.v3, old.units);
  ASSERT_NE(html.find("Neste trinn"), std::string::npos) << "flow rows are there";
  for (const char* word : {"Overleveringer", "Eskalering", "Eksterne parter", "Grenene over",
                           "binder ", "(utfall:", "lovfestet", "Starter når alle grenene"}) {
    EXPECT_EQ(html.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace boligflyt::render

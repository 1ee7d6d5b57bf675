// The boligflytprosedyre as shipped in procedures/: every version loads without a single
// diagnostic, the versions form a proper series, and the diffs between them are what the
// changelogs promise.
#include <gtest/gtest.h>

#include <set>

#include "procedure/catalog.h"
#include "procedure/diff.h"
#include "shipped_fixture.h"

namespace boligflyt::procedure {
namespace {

class ShippedProcedures : public testing::ShippedCatalogTest {};

TEST_F(ShippedProcedures, AllVersionsLoadWithoutDiagnostics) {
  std::string text;
  for (const auto& d : *problems_) text += format_diagnostic(d) + "\n";
  EXPECT_TRUE(problems_->empty()) << text;
  EXPECT_EQ(catalog_->units().units.size(), 10u);
  ASSERT_EQ(catalog_->versions("boligflytprosedyre").size(), 5u);
  EXPECT_GE(version(3).steps.size(), 30u);
  EXPECT_EQ(version(3, 1).status, "published");
  // 4.0 is approved and published, but applies only from 2027-01-01.
  EXPECT_EQ(version(4).status, "published");
  EXPECT_EQ(version(4).effective_from, "2027-01-01");
  // 3.0's published bytes stay as they were shipped (an installation has stored them).
  EXPECT_EQ(version(3).status, "published");
  EXPECT_EQ(version(2).status, "superseded");
}

TEST_F(ShippedProcedures, EveryStepHasExactlyOneKnownResponsibleUnit) {
  for (const auto& [major, minor] : {std::pair{1, 0}, {2, 0}, {3, 0}, {3, 1}, {4, 0}}) {
    for (const auto& step : version(major, minor).steps) {
      EXPECT_NE(catalog_->units().find(step.responsible.unit), nullptr) << step.id;
    }
  }
}

TEST_F(ShippedProcedures, ExactlyOneVersionIsInForceOnAnyDate) {
  EXPECT_EQ(catalog_->in_force("boligflytprosedyre", "2000-01-01"), nullptr);
  const auto* first = catalog_->in_force("boligflytprosedyre", version(1).effective_from);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->procedure.version, (Version{1, 0}));
  const auto* before = catalog_->in_force("boligflytprosedyre", "2026-09-30");
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->procedure.version, (Version{3, 0}));
  const auto* now = catalog_->in_force("boligflytprosedyre", "2026-11-21");
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->procedure.version, (Version{3, 1}));
  EXPECT_EQ(now->procedure.effective_from, "2026-10-01");
  EXPECT_EQ(now->sha256.size(), 64u);
  const auto* last_day = catalog_->in_force("boligflytprosedyre", "2026-12-31");
  ASSERT_NE(last_day, nullptr);
  EXPECT_EQ(last_day->procedure.version, (Version{3, 1}));
  const auto* next = catalog_->in_force("boligflytprosedyre", "2027-01-01");
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->procedure.version, (Version{4, 0}));
}

TEST_F(ShippedProcedures, SecondVersionIntroducesTheAllocationMeetingAndHusbanken) {
  auto diff = diff_procedures(version(1), version(2), &catalog_->units());
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "tildelingsmote"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "husbanken-screening"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "bofa-utarbeiding"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "revurdering-leieforhold"));
  EXPECT_TRUE(diff.has(ChangeKind::kRemoved, "saksbehandling-drofting"));
  EXPECT_TRUE(diff.has(ChangeKind::kResponsibleChanged, "tildeling-bolig"));
  const auto* meeting = version(2).find_step("tildelingsmote");
  ASSERT_NE(meeting, nullptr);
  EXPECT_EQ(meeting->recurrence, "R/P14D");
  std::set<std::string> units{meeting->responsible.unit};
  for (const auto& p : meeting->participants) units.insert(p.unit);
  for (const char* unit : {"flyktningtjenesten", "psykisk-helse-rus", "boligkontor", "eiendom",
                           "nav", "boligsosial-koordinator"}) {
    EXPECT_TRUE(units.count(unit)) << unit;
  }
}

TEST_F(ShippedProcedures, ThirdVersionChangesAreAllFound) {
  auto diff = diff_procedures(version(2), version(3), &catalog_->units());
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "institusjon-varsel"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "institusjon-husleieavklaring"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "samarbeidsmote-namsmann-inkasso"));
  EXPECT_TRUE(diff.has(ChangeKind::kRemoved, "forlengelse-soknad"));
  EXPECT_TRUE(diff.has(ChangeKind::kRenamed, "utkastelse-begjaering"));
  EXPECT_TRUE(diff.has(ChangeKind::kMoved, "bofa-utarbeiding"));
  EXPECT_TRUE(diff.has(ChangeKind::kResponsibleChanged, "husleierestanse-purring"));
  EXPECT_TRUE(diff.has(ChangeKind::kResponsibleChanged, "inkasso-oversendelse"));
  EXPECT_TRUE(diff.has(ChangeKind::kParticipantsChanged, "tildelingsmote"));
  EXPECT_TRUE(diff.has(ChangeKind::kDeadlinesChanged, "husleierestanse-kontakt"));
  EXPECT_TRUE(diff.has(ChangeKind::kTextChanged, "vedtak-avslag"));
  EXPECT_TRUE(diff.has(ChangeKind::kFlowChanged, "inkasso-oversendelse"));
  EXPECT_TRUE(diff.has(ChangeKind::kLegalBasisChanged, "soknad-veiledning"));
  // Nothing outside what the changelog lists: no step renamed or moved by accident.
  for (const auto& c : diff.changes) {
    if (c.kind == ChangeKind::kRenamed) {
      EXPECT_EQ(c.step_id, "utkastelse-begjaering");
    }
    if (c.kind == ChangeKind::kMoved) {
      EXPECT_EQ(c.step_id, "bofa-utarbeiding");
    }
  }
  const auto text = diff_as_text(diff);
  EXPECT_NE(text.find("Ansvaret for trinn"), std::string::npos);
  EXPECT_NE(text.find("Økonomi – innfordring"), std::string::npos) << text;
}

TEST_F(ShippedProcedures, EvictionIsOnlyReachedThroughTheCrossUnitMeeting) {
  // In 3.0 nothing goes to inkasso or namsmann without the samarbeidsmøte first.
  const auto& p = version(3);
  for (const auto& step : p.steps) {
    for (const auto& next : step.next) {
      if (next.step == "inkasso-oversendelse" || next.step == "utkastelse-begjaering" ||
          next.step == "oppsigelse-heving") {
        EXPECT_TRUE(step.id == "samarbeidsmote-namsmann-inkasso" ||
                    step.id == "inkasso-oversendelse" || step.id == "oppsigelse-heving")
            << step.id << " -> " << next.step;
      }
    }
  }
}

TEST_F(ShippedProcedures, VersionThreeOneDeclaresTheAvvikCategoriesOfTheSeedsOnTheirSteps) {
  const auto& p = version(3, 1);
  EXPECT_TRUE(version(1).deviation_categories.empty());
  EXPECT_TRUE(version(2).deviation_categories.empty());
  EXPECT_TRUE(version(3).deviation_categories.empty());
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"tildelingsmote-forbigatt", {"tildelingsmote", "vedtak-fatte"}},
      {"vedtak-mangler-begrunnelse-klage", {"vedtak-fatte", "vedtak-avslag"}},
      {"forelopig-svar-mangler", {"soknad-mottak", "klage-mottak"}},
      {"vilkar-ikke-kontrollert", {"tildeling-vilkarskontroll", "innflytting-sjekkliste"}},
      {"bofa-utlopt-uten-evaluering", {"bofa-evaluering"}},
      {"leieforhold-utlopt-uten-revurdering", {"revurdering-leieforhold"}},
      {"institusjonsopphold-ikke-meldt", {"institusjon-varsel"}},
      {"inkasso-uten-samarbeidsmote", {"samarbeidsmote-namsmann-inkasso", "inkasso-oversendelse"}},
      {"uenighet-nav-eiendom-betaling", {"institusjon-husleieavklaring"}},
      {"tolk-ikke-bestilt", {}},
  };
  ASSERT_EQ(p.deviation_categories.size(), expected.size());
  for (const auto& [id, steps] : expected) {
    const auto* c = p.find_deviation_category(id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_FALSE(c->label.empty()) << id;
    EXPECT_FALSE(c->description.empty()) << id;
    for (const auto& step : steps) EXPECT_TRUE(c->applies_to(step)) << id << " on " << step;
    for (const auto& step : c->steps) EXPECT_NE(p.find_step(step), nullptr) << id << ": " << step;
  }
  EXPECT_TRUE(p.find_deviation_category("tolk-ikke-bestilt")->steps.empty()) << "every step";
  EXPECT_FALSE(p.find_deviation_category("tildelingsmote-forbigatt")->applies_to("utflytting"));
}

TEST_F(ShippedProcedures, VersionThreeOneMarksInstitutionStaysAndEvictionAsPersonalData) {
  std::set<std::string> marked;
  for (const auto& s : version(3, 1).steps) {
    if (s.handles_personal_data) marked.insert(s.id);
  }
  EXPECT_EQ(marked, (std::set<std::string>{"institusjon-varsel", "institusjon-husleieavklaring",
                                           "oppsigelse-heving", "utkastelse-begjaering"}));
  for (const auto& s : version(3).steps) EXPECT_FALSE(s.handles_personal_data) << s.id;
}

TEST_F(ShippedProcedures, TheDiffFromThreeZeroToThreeOneIsWhatItsChangelogSays) {
  const auto diff = diff_procedures(version(3), version(3, 1), &catalog_->units());
  EXPECT_TRUE(diff.changes.empty())
      << "steps and responsibility are unchanged: " << diff_as_text(diff);
  const auto text = diff_as_text(diff);
  for (const auto& c : version(3, 1).deviation_categories) {
    EXPECT_NE(text.find("Ny avvikskategori «" + c.label + "» (" + c.id + ")"), std::string::npos)
        << c.id << "\n"
        << text;
  }
  for (const char* step : {"institusjon-varsel", "institusjon-husleieavklaring",
                           "oppsigelse-heving", "utkastelse-begjaering"}) {
    EXPECT_NE(text.find("(" + std::string(step) + ") behandler nå personopplysninger"),
              std::string::npos)
        << step;
  }
  ASSERT_FALSE(version(3, 1).changelog.empty());
  EXPECT_EQ(version(3, 1).changelog.back().version, "3.1");
  EXPECT_EQ(std::get<0>(version(3, 1).changelog.back().changes.front()), "other");
}

}  // namespace
}  // namespace boligflyt::procedure

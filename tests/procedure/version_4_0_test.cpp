// Version 4.0 of the boligflytprosedyre as shipped: the legal errors of 3.0/3.1 that issue 13
// lists are corrected in the graph itself (not only in words), it uses the elements of
// format 1.2 where 3.1 could not say what happens, and the diff from 3.0 names the klage,
// eviction and lease-expiry changes.
#include <gtest/gtest.h>

#include <set>

#include "procedure/catalog.h"
#include "procedure/diff.h"
#include "shipped_fixture.h"

namespace boligflyt::procedure {
namespace {

class VersionFourZero : public testing::ShippedCatalogTest {
 protected:
  static const Procedure& v4() { return version(4); }
  static const Step& step(const std::string& id) {
    const auto* s = v4().find_step(id);
    if (!s) throw std::runtime_error("4.0 has no step " + id);
    return *s;
  }
  static std::set<std::string> next_of(const std::string& id) {
    std::set<std::string> out;
    for (const auto& n : step(id).next) out.insert(n.step);
    return out;
  }
  static std::set<std::string> predecessors_of(const std::string& id) {
    std::set<std::string> out;
    for (const auto& s : v4().steps) {
      for (const auto& n : s.next) {
        if (n.step == id) out.insert(s.id);
      }
    }
    return out;
  }
  static const NextStep* next_with_outcome(const std::string& id, const std::string& outcome) {
    for (const auto& n : step(id).next) {
      if (n.outcome == outcome) return &n;
    }
    return nullptr;
  }
  static const StepChange* change(const ProcedureDiff& diff, ChangeKind kind,
                                  const std::string& step_id) {
    for (const auto& c : diff.changes) {
      if (c.kind == kind && c.step_id == step_id) return &c;
    }
    return nullptr;
  }
};

TEST_F(VersionFourZero, LoadsWithoutDiagnosticsAndSupersedesThreeOne) {
  std::string text;
  for (const auto& d : *problems_) text += format_diagnostic(d) + "\n";
  EXPECT_TRUE(problems_->empty()) << text;
  ASSERT_TRUE(v4().supersedes.has_value());
  EXPECT_EQ(*v4().supersedes, (Version{3, 1}));
  EXPECT_FALSE(v4().approver.empty());
  EXPECT_NE(v4().approver, v4().author);
  ASSERT_FALSE(v4().changelog.empty());
  EXPECT_EQ(v4().changelog.back().version, "4.0");
}

TEST_F(VersionFourZero, AKlagevedtakIsFinalAndAFailedKlageOnAPositiveVedtakKeepsIt) {
  // Steps that offer klage: none of the klage instances leads straight back to one.
  const std::set<std::string> offering_klage = {"vedtak-positivt", "vedtak-avslag", "klage-mottak",
                                                "vedtak-leieforhold"};
  for (const char* instance : {"klage-klageutvalget", "klage-statsforvalteren"}) {
    EXPECT_EQ(next_of(instance), (std::set<std::string>{"klage-iverksetting"})) << instance;
  }
  // Only a vedtak the klageinstans has set aside is decided anew, with a new right of klage.
  for (const auto& n : step("klage-iverksetting").next) {
    if (offering_klage.count(n.step)) {
      EXPECT_TRUE(n.outcome.starts_with("opphevet")) << "klage-iverksetting -> " << n.step;
    }
  }
  // A positive vedtak that stands after the klage leads to the waiting list, not to "endelig
  // avslag".
  const auto* granted = next_with_outcome("klage-iverksetting", "innvilget");
  ASSERT_NE(granted, nullptr);
  EXPECT_EQ(granted->step, "venteliste");
  const auto* refused = next_with_outcome("klage-iverksetting", "avslag");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->step, "avslutning-avslag");
}

TEST_F(VersionFourZero, AnAvvisningCanBeAppealedAndStatsforvalterenIsAKlageinstans) {
  const auto* rejected = next_with_outcome("klage-vurdering-vedtaksinstans", "avvist");
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->step, "klage-avvisning");
  const auto* appealed = next_with_outcome("klage-avvisning", "klage");
  ASSERT_NE(appealed, nullptr);
  EXPECT_EQ(appealed->step, "klage-oversendelse");
  EXPECT_TRUE(next_of("klage-oversendelse").count("klage-statsforvalteren"));
  EXPECT_TRUE(next_of("klage-oversendelse").count("klage-klageutvalget"));
  std::set<std::string> parties;
  for (const auto& p : step("klage-statsforvalteren").participating_parties)
    parties.insert(p.party);
  EXPECT_TRUE(parties.count("statsforvalteren"));
  std::set<std::string> refs;
  for (const auto& [source, provision] : step("klage-statsforvalteren").legal_refs)
    refs.insert(source + " " + provision);
  EXPECT_TRUE(refs.count("sosialtjenesteloven § 48"));
  EXPECT_TRUE(refs.count("pasient-og-brukerrettighetsloven kapittel 7"));
  EXPECT_TRUE(refs.count("boligsosialloven § 6"));
}

TEST_F(VersionFourZero, NothingGoesToTheNamsmannWithoutTheMeetingAndTwoWeeksAfterTheVarsel) {
  EXPECT_EQ(predecessors_of("utkastelse-begjaering"), (std::set<std::string>{"varsel-fravikelse"}));
  EXPECT_EQ(predecessors_of("varsel-fravikelse"),
            (std::set<std::string>{"samarbeidsmote-fravikelse"}));
  EXPECT_EQ(step("samarbeidsmote-fravikelse").meeting, "samarbeidsmotet");
  EXPECT_EQ(step("samarbeidsmote-namsmann-inkasso").meeting, "samarbeidsmotet");
  // Every way into eviction passes the meeting: notice, protest and lease expiry.
  EXPECT_EQ(
      predecessors_of("samarbeidsmote-fravikelse"),
      (std::set<std::string>{"oppsigelse-heving", "oppsigelse-protest", "flytteoppfordring"}));

  ASSERT_EQ(step("utkastelse-begjaering").deadlines.size(), 1u);
  const auto& earliest = step("utkastelse-begjaering").deadlines[0];
  EXPECT_EQ(earliest.kind, "earliest");
  EXPECT_EQ(earliest.duration, "P2W");
  EXPECT_EQ(earliest.relative_to, "stepCompleted");
  EXPECT_EQ(earliest.step, "varsel-fravikelse");
  EXPECT_EQ(earliest.basis, "statutory");
  EXPECT_EQ(earliest.source, "tvangsfullbyrdelsesloven");
  EXPECT_EQ(earliest.provision, "§ 4-18");
}

TEST_F(VersionFourZero, NavIsToldOfEveryNoticeAndWorksAlongsideTheNamsmann) {
  for (const char* id :
       {"oppsigelse-heving", "varsel-fravikelse", "flytteoppfordring", "utkastelse-begjaering"}) {
    bool to_nav = false;
    for (const auto& h : step(id).handovers) to_nav |= h.to == "nav";
    EXPECT_TRUE(to_nav) << id << " hands a copy to NAV (husleieloven § 9-11)";
  }
  const auto& split = step("utkastelse-begjaering");
  EXPECT_TRUE(split.parallel);
  EXPECT_EQ(split.parallel_join, "fravikelse-avklart");
  EXPECT_EQ(next_of("utkastelse-begjaering"),
            (std::set<std::string>{"fravikelse-namsmann", "nav-bolighjelp-fravikelse"}));
  EXPECT_EQ(step("nav-bolighjelp-fravikelse").responsible.unit, "nav");
  EXPECT_EQ(step("fravikelse-avklart").join, "utkastelse-begjaering");
  // The tenant's protest has its own route, with the tenant's one-month deadline.
  const auto* protest = next_with_outcome("oppsigelse-heving", "innsigelse");
  ASSERT_NE(protest, nullptr);
  EXPECT_EQ(protest->step, "oppsigelse-protest");
  bool tenant_deadline = false;
  for (const auto& d : step("oppsigelse-protest").deadlines) {
    tenant_deadline |= d.binds == "soker" && d.provision == "§ 9-8" && d.duration == "P1M";
  }
  EXPECT_TRUE(tenant_deadline);
}

TEST_F(VersionFourZero, ALeaseThatRunsOutGetsAVedtakAndAFlytteoppfordring) {
  EXPECT_EQ(next_of("revurdering-leieforhold"), (std::set<std::string>{"vedtak-leieforhold"}));
  const auto* renewed = next_with_outcome("vedtak-leieforhold", "fornyet");
  const auto* not_renewed = next_with_outcome("vedtak-leieforhold", "ikke-fornyet");
  const auto* klage = next_with_outcome("vedtak-leieforhold", "klage");
  ASSERT_TRUE(renewed && not_renewed && klage);
  EXPECT_EQ(renewed->step, "kontrakt-forlengelse");
  EXPECT_EQ(klage->step, "klage-mottak");
  EXPECT_TRUE(next_of("overgang-egen-bolig").count("flytteoppfordring"));
  const auto& move_out = step("flytteoppfordring");
  ASSERT_EQ(move_out.deadlines.size(), 1u);
  EXPECT_EQ(move_out.deadlines[0].relative_to, "leaseEnd");
  EXPECT_EQ(move_out.deadlines[0].provision, "§ 9-2");
  std::set<std::string> refs;
  for (const auto& [source, provision] : move_out.legal_refs) refs.insert(source + " " + provision);
  EXPECT_TRUE(refs.count("tvangsfullbyrdelsesloven § 13-2"));
  // § 9-3 was cited where § 9-2 is meant; no step cites § 9-3 any more.
  for (const auto& s : v4().steps) {
    for (const auto& [source, provision] : s.legal_refs) {
      EXPECT_FALSE(source == "husleieloven" && provision == "§ 9-3") << s.id;
    }
  }
}

TEST_F(VersionFourZero, BostotteIsTheKommunesAndTheRightToBeHeardIsBoligsosialloven) {
  EXPECT_EQ(step("innflytting-bostotte").responsible.unit, "boligkontor");
  EXPECT_EQ(version(3, 1).find_step("innflytting-bostotte")->responsible.unit, "nav");
  // The right to be heard is stated under boligsosialloven § 6, and nowhere under the
  // health acts (the model keeps no source notes, so the file itself is read).
  const auto* stored = catalog_->find("boligflytprosedyre", Version{4, 0});
  ASSERT_NE(stored, nullptr);
  const auto& xml = stored->xml;
  const auto health = xml.find(R"(<source id="helse-og-omsorgstjenesteloven")");
  ASSERT_NE(health, std::string::npos);
  const auto health_end = xml.find("</source>", health);
  EXPECT_EQ(xml.substr(health, health_end - health).find("høres"), std::string::npos);
  const auto social = xml.find(R"(<source id="boligsosialloven")");
  ASSERT_NE(social, std::string::npos);
  const auto social_end = xml.find("</source>", social);
  EXPECT_NE(xml.substr(social, social_end - social).find("høres og vektlegges"), std::string::npos);
}

TEST_F(VersionFourZero, EveryDeadlineSaysWhomItBindsAndWhetherItIsStatutory) {
  std::size_t applicant = 0;
  for (const auto& s : v4().steps) {
    for (const auto& d : s.deadlines) {
      EXPECT_TRUE(d.basis == "statutory" || d.basis == "local") << s.id;
      if (d.basis == "statutory") {
        EXPECT_FALSE(d.source.empty()) << s.id;
        EXPECT_FALSE(d.provision.empty()) << s.id;
      }
      if (!d.binds.empty()) {
        EXPECT_NE(v4().find_party(d.binds), nullptr) << s.id << ": " << d.binds;
        ++applicant;
      }
    }
  }
  for (const char* id : {"klage-mottak", "visning-bolig", "soknad-innhente-opplysninger"}) {
    ASSERT_FALSE(step(id).deadlines.empty()) << id;
    EXPECT_EQ(step(id).deadlines[0].binds, "soker") << id;
  }
  EXPECT_GE(applicant, 4u);
}

TEST_F(VersionFourZero, NoCitedProvisionIsOutOfForceOnTheEffectiveDate) {
  const std::string date = v4().effective_from;
  auto in_force = [&](const std::string& source_id, const std::string& ref) {
    for (const auto& source : v4().legal_basis) {
      if (source.id != source_id) continue;
      if (!source.validity.in_force_on(date)) return false;
      const auto it = source.provision_validity.find(ref);
      return it == source.provision_validity.end() || it->second.in_force_on(date);
    }
    return false;
  };
  for (const auto& s : v4().steps) {
    for (const auto& [source, provision] : s.legal_refs) {
      EXPECT_TRUE(in_force(source, provision)) << s.id << ": " << source << " " << provision;
    }
    for (const auto& d : s.deadlines) {
      if (!d.source.empty()) {
        EXPECT_TRUE(in_force(d.source, d.provision)) << s.id;
      }
    }
  }
  // The repealed § 3-7 says so, and is not in force on 4.0's date.
  EXPECT_FALSE(in_force("helse-og-omsorgstjenesteloven", "§ 3-7"));
}

TEST_F(VersionFourZero, ItsModelElementsAreUsedAndKnown) {
  std::set<std::string> parties_used;
  std::size_t handovers = 0;
  std::size_t escalations = 0;
  std::size_t splits = 0;
  for (const auto& s : v4().steps) {
    for (const auto& p : s.participating_parties) parties_used.insert(p.party);
    for (const auto& h : s.handovers) {
      ++handovers;
      EXPECT_TRUE(v4().find_party(h.to) || catalog_->units().find(h.to)) << h.id;
      if (v4().find_party(h.to)) parties_used.insert(h.to);
    }
    for (const auto& e : s.escalations) {
      ++escalations;
      EXPECT_NE(catalog_->units().find(e.to), nullptr) << s.id;
    }
    if (!s.meeting.empty()) {
      EXPECT_NE(v4().find_meeting(s.meeting), nullptr) << s.id;
    }
    splits += s.parallel ? 1 : 0;
    EXPECT_EQ(v4().find_party(s.responsible.unit), nullptr) << "never external: " << s.id;
  }
  for (const auto& party : v4().external_parties) {
    EXPECT_TRUE(parties_used.count(party.id)) << party.id << " is declared but never used";
  }
  for (const char* party :
       {"soker", "namsmannen", "statsforvalteren", "husbanken", "kriminalomsorgen",
        "spesialisthelsetjenesten", "privat-utleier", "borettslag"}) {
    EXPECT_NE(v4().find_party(party), nullptr) << party;
  }
  EXPECT_EQ(splits, 2u) << "economy alongside the application; NAV alongside the namsmann";
  EXPECT_TRUE(step("soknad-mottak").parallel);
  EXPECT_EQ(step("husbanken-screening").join, "soknad-mottak");
  EXPECT_GE(handovers, 15u);
  EXPECT_GE(escalations, 3u);
  for (const char* id : {"tildelingsmote", "tildeling-bolig", "revurdering-leieforhold"}) {
    EXPECT_EQ(step(id).meeting, "tildelingsmotet") << id;
  }
}

TEST_F(VersionFourZero, TheChangelogNamesEveryNewRenamedOrReassignedStep) {
  const auto diff = diff_procedures(version(3, 1), v4(), &catalog_->units());
  std::set<std::pair<std::string, std::string>> logged;
  for (const auto& [kind, step_id, text] : v4().changelog.back().changes) {
    logged.emplace(kind, step_id);
    EXPECT_FALSE(text.empty());
  }
  for (const auto& c : diff.changes) {
    const char* kind = c.kind == ChangeKind::kAdded                ? "added"
                       : c.kind == ChangeKind::kRemoved            ? "removed"
                       : c.kind == ChangeKind::kRenamed            ? "renamed"
                       : c.kind == ChangeKind::kMoved              ? "moved"
                       : c.kind == ChangeKind::kResponsibleChanged ? "responsibleUnitChanged"
                                                                   : nullptr;
    if (kind != nullptr) {
      EXPECT_TRUE(logged.count({kind, c.step_id})) << kind << " " << c.step_id;
    }
  }
}

TEST_F(VersionFourZero, TheDiffFromThreeZeroListsTheKlageEvictionAndLeaseExpiryChanges) {
  const auto diff = diff_procedures(version(3), v4(), &catalog_->units());
  // Klage.
  for (const char* id : {"klage-avvisning", "klage-statsforvalteren", "klage-iverksetting"}) {
    EXPECT_TRUE(diff.has(ChangeKind::kAdded, id)) << id;
  }
  EXPECT_TRUE(diff.has(ChangeKind::kRenamed, "klage-oversendelse"));
  const auto* final_vedtak = change(diff, ChangeKind::kFlowChanged, "klage-klageutvalget");
  ASSERT_NE(final_vedtak, nullptr);
  EXPECT_NE(final_vedtak->before.find("vedtak-positivt"), std::string::npos);
  EXPECT_EQ(final_vedtak->after.find("vedtak-positivt"), std::string::npos);
  const auto* klagefrist = change(diff, ChangeKind::kDeadlinesChanged, "klage-mottak");
  ASSERT_NE(klagefrist, nullptr);
  EXPECT_NE(klagefrist->after.find("binder Søkeren eller leietakeren"), std::string::npos)
      << klagefrist->after;
  EXPECT_NE(klagefrist->after.find("lovfestet (Forvaltningsloven § 29)"), std::string::npos);

  // Eviction.
  for (const char* id :
       {"oppsigelse-protest", "samarbeidsmote-fravikelse", "varsel-fravikelse",
        "fravikelse-namsmann", "nav-bolighjelp-fravikelse", "fravikelse-avklart"}) {
    EXPECT_TRUE(diff.has(ChangeKind::kAdded, id)) << id;
  }
  const auto* parallel = change(diff, ChangeKind::kFlowChanged, "utkastelse-begjaering");
  ASSERT_NE(parallel, nullptr);
  EXPECT_NE(parallel->after.find("samtidig, samles i fravikelse-avklart"), std::string::npos)
      << parallel->after;
  const auto* two_weeks = change(diff, ChangeKind::kDeadlinesChanged, "utkastelse-begjaering");
  ASSERT_NE(two_weeks, nullptr);
  EXPECT_EQ(two_weeks->before, "ingen");
  EXPECT_NE(two_weeks->after.find("tidligst"), std::string::npos) << two_weeks->after;
  const auto* copy = change(diff, ChangeKind::kHandoversChanged, "oppsigelse-heving");
  ASSERT_NE(copy, nullptr);
  EXPECT_NE(copy->after.find("varsel-nav-oppsigelse: Eiendom – kommunale boliger → NAV-kontoret"),
            std::string::npos)
      << copy->after;
  const auto* protest = change(diff, ChangeKind::kFlowChanged, "oppsigelse-heving");
  ASSERT_NE(protest, nullptr);
  EXPECT_NE(protest->after.find("innsigelse → oppsigelse-protest"), std::string::npos);
  EXPECT_TRUE(diff.has(ChangeKind::kLegalBasisChanged, "oppsigelse-heving"));
  EXPECT_TRUE(diff.has(ChangeKind::kPartiesChanged, "utkastelse-begjaering"));

  // Lease expiry.
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "vedtak-leieforhold"));
  EXPECT_TRUE(diff.has(ChangeKind::kAdded, "flytteoppfordring"));
  EXPECT_TRUE(diff.has(ChangeKind::kFlowChanged, "revurdering-leieforhold"));
  EXPECT_TRUE(diff.has(ChangeKind::kFlowChanged, "overgang-egen-bolig"));
  const auto* section = change(diff, ChangeKind::kLegalBasisChanged, "kontrakt-forlengelse");
  ASSERT_NE(section, nullptr);
  EXPECT_NE(section->before.find("husleieloven § 9-3"), std::string::npos);
  EXPECT_NE(section->after.find("husleieloven § 9-2"), std::string::npos);

  // The rest of what 1.2 can say.
  EXPECT_TRUE(diff.has(ChangeKind::kResponsibleChanged, "innflytting-bostotte"));
  EXPECT_TRUE(diff.has(ChangeKind::kMeetingChanged, "tildelingsmote"));
  EXPECT_TRUE(diff.has(ChangeKind::kEscalationsChanged, "institusjon-husleieavklaring"));
  EXPECT_TRUE(diff.has(ChangeKind::kFlowChanged, "soknad-mottak"));
  const auto text = diff_as_text(diff);
  EXPECT_NE(text.find("Helse- og omsorgstjenesteloven § 3-7 er merket «gjaldt til og med "
                      "2023-06-30»"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Ny ekstern part «Namsmannen» (namsmannen)."), std::string::npos);
  EXPECT_NE(text.find("Nytt møte «Tildelingsmøtet» (tildelingsmotet)"), std::string::npos);
  EXPECT_NE(text.find("Endrede overleveringer:"), std::string::npos);
  EXPECT_EQ(text.find(".."), std::string::npos) << "one full stop per sentence";
}

}  // namespace
}  // namespace boligflyt::procedure

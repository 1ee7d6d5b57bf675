// Every employee may report (issue 12), as the store sees it: the reporter's name is kept
// with the avvik, the leaders of the reporting unit find it in their lists, and statistics
// count the avvik per reporting unit × responsible unit.

#include <map>
#include <tuple>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

const std::int64_t kNow = epoch_of(2026, 6, 1, 12);

/// An avvik reported by `reporter` from `reporting`, against a step `responsible` answers for.
DeviationRecord reported(const std::string& reporter, const std::string& reporting,
                         const std::string& responsible, std::int64_t created,
                         std::vector<std::string> participants = {}) {
  auto r = make_deviation(created);
  r.reporter = reporter;
  r.reporter_name = "Navn på " + reporter;
  r.reporting_unit = reporting;
  r.responsible_unit = responsible;
  r.participants = std::move(participants);
  return r;
}

/// 1: ansatt-nav from nav to tildeling; 2: ansatt-nav from nav to eiendom (helse takes part);
/// 3: ansatt-eiendom from eiendom to tildeling; 4: leder-tildeling from tildeling to
/// tildeling; 5: ansatt-nav-2 from nav to tildeling.
std::vector<DeviationRecord> create_reports(Store& store) {
  const auto t = [](unsigned day) { return epoch_of(2026, 5, day, 8); };
  std::vector<DeviationRecord> out;
  for (const auto& r : {reported("ansatt-nav", "nav", "tildeling", t(1)),
                        reported("ansatt-nav", "nav", "eiendom", t(2), {"helse"}),
                        reported("ansatt-eiendom", "eiendom", "tildeling", t(3)),
                        reported("leder-tildeling", "tildeling", "tildeling", t(4)),
                        reported("ansatt-nav-2", "nav", "tildeling", t(5))}) {
    out.push_back(create_ok(store, r));
  }
  return out;
}

std::vector<int> visible_to(Store& store, const std::string& viewer,
                            std::vector<std::string> units) {
  DeviationQuery query;
  query.see_all = false;
  query.viewer = viewer;
  query.viewer_units = std::move(units);
  std::vector<int> out;
  for (const auto& r : list_all(store, query)) out.push_back(static_cast<int>(r.number));
  std::sort(out.begin(), out.end());
  return out;
}

using Pairs = std::map<std::pair<std::string, std::string>, std::int64_t>;

Pairs pairs_of(const DeviationStatistics& s) {
  Pairs out;
  for (const auto& p : s.per_unit_pair) {
    EXPECT_FALSE(out.count({p.reporting_unit, p.responsible_unit}))
        << "pair twice: " << p.reporting_unit << ">" << p.responsible_unit;
    out[{p.reporting_unit, p.responsible_unit}] = p.count;
  }
  return out;
}

TEST_P(StoreSuite, TheReportersNameIsKeptAndNeverRewritten) {
  const auto created = create_ok(store(), reported("ansatt-nav", "nav", "tildeling", kNow));
  ASSERT_FALSE(created.id.empty());
  EXPECT_EQ(created.reporter_name, "Navn på ansatt-nav");
  auto changed = created;
  changed.reporter_name = "Noen andre";
  changed.status = "mottatt";
  ASSERT_TRUE(store().update_deviation(changed, created.revision, {}, {}));
  auto read = store().get_deviation(created.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->status, "mottatt");
  EXPECT_EQ((*read)->reporter_name, "Navn på ansatt-nav");
  reopen();
  read = store().get_deviation(created.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->reporter_name, "Navn på ansatt-nav");

  // Without a name (a host that sends none) the column stays empty.
  auto anonymous = reported("ansatt-pro", "pro", "tildeling", kNow);
  anonymous.reporter_name.clear();
  EXPECT_EQ(create_ok(store(), anonymous).reporter_name, "");
}

TEST_P(StoreSuite, LeadersOfTheReportingUnitSeeItsAvvik) {
  ASSERT_EQ(create_reports(store()).size(), 5U);
  // The reporter sees what they reported, nothing else.
  EXPECT_EQ(visible_to(store(), "ansatt-nav", {}), (std::vector<int>{1, 2}));
  // Leaders of nav: everything nav reported (1, 2, 5), though nav is responsible for none.
  EXPECT_EQ(visible_to(store(), "leder-nav", {"nav"}), (std::vector<int>{1, 2, 5}));
  // Leaders of eiendom: reported 3, responsible for 2.
  EXPECT_EQ(visible_to(store(), "leder-eiendom", {"eiendom"}), (std::vector<int>{2, 3}));
  // Helse takes part in 2 only.
  EXPECT_EQ(visible_to(store(), "leder-helse", {"helse"}), (std::vector<int>{2}));
  // A third unit sees none of them.
  EXPECT_TRUE(visible_to(store(), "leder-okonomi", {"okonomi"}).empty());
  // Visibility narrows filters: nav's leaders, avvik tildeling answers for.
  DeviationQuery query;
  query.see_all = false;
  query.viewer = "leder-nav";
  query.viewer_units = {"nav"};
  query.unit = "tildeling";
  std::vector<int> numbers;
  for (const auto& r : list_all(store(), query)) numbers.push_back(static_cast<int>(r.number));
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<int>{1, 5}));
}

TEST_P(StoreSuite, StatisticsCountEachReportingAndResponsibleUnitPair) {
  ASSERT_EQ(create_reports(store()).size(), 5U);
  DeviationQuery all;
  all.now_epoch = kNow;
  auto stats = store().deviation_statistics(all);
  ASSERT_TRUE(stats) << describe(stats.error());
  const Pairs expected = {{{"nav", "tildeling"}, 2},
                          {{"nav", "eiendom"}, 1},
                          {{"eiendom", "tildeling"}, 1},
                          {{"tildeling", "tildeling"}, 1}};
  EXPECT_EQ(pairs_of(*stats), expected);
  // Largest first; ties by reporting unit, then responsible unit.
  ASSERT_EQ(stats->per_unit_pair.size(), 4U);
  EXPECT_EQ(std::tie(stats->per_unit_pair[0].reporting_unit,
                     stats->per_unit_pair[0].responsible_unit, stats->per_unit_pair[0].count),
            std::make_tuple(std::string("nav"), std::string("tildeling"), std::int64_t{2}));
  EXPECT_EQ(stats->per_unit_pair[1].reporting_unit, "eiendom");
  EXPECT_EQ(stats->per_unit_pair[2].reporting_unit, "nav");
  EXPECT_EQ(stats->per_unit_pair[2].responsible_unit, "eiendom");
  EXPECT_EQ(stats->per_unit_pair[3].reporting_unit, "tildeling");

  // With a filter (the one-pass path): responsible or participating unit helse → only 2.
  DeviationQuery helse = all;
  helse.unit = "helse";
  auto filtered = store().deviation_statistics(helse);
  ASSERT_TRUE(filtered) << describe(filtered.error());
  EXPECT_EQ(pairs_of(*filtered), (Pairs{{{"nav", "eiendom"}, 1}}));
  // A filter that matches everything gives the pairs of no filter.
  DeviationQuery everything = all;
  everything.from_date = "2000-01-01";
  auto same = store().deviation_statistics(everything);
  ASSERT_TRUE(same);
  EXPECT_EQ(pairs_of(*same), expected);
  // Nothing reported, no pairs.
  DeviationQuery none = all;
  none.step_id = "finnes-ikke";
  auto empty = store().deviation_statistics(none);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->per_unit_pair.empty());
}

}  // namespace
}  // namespace boligflyt::store::testing

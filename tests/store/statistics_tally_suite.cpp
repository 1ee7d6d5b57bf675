// The statistics over all avvik, and over whole months, come from per-month counts that every
// registration and change keeps up to date in its own transaction (migration 0011). Here
// they must equal a full recount of the rows after a mix of registrations, transitions,
// re-assignments, closings, rejections, refused writes, replays and a restart: the recount is
// the same request with a filter that matches every avvik, which the store answers by reading
// each row.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

const std::vector<std::string> kAllStatuses = {"registrert", "mottatt", "under_behandling",
                                               "tiltak",     "lukket",  "avvist"};

/// A small deterministic generator (the same mix on every run and engine).
class Mix {
 public:
  std::uint32_t next(std::uint32_t n) {
    state_ = state_ * 1664525U + 1013904223U;
    return (state_ >> 8U) % n;
  }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& values) {
    return values[next(static_cast<std::uint32_t>(N))];
  }

 private:
  std::uint32_t state_ = 20261203U;
};

void expect_same_counts(const std::vector<KeyCount>& a, const std::vector<KeyCount>& b,
                        const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key) << what << " #" << i;
    EXPECT_EQ(a[i].count, b[i].count) << what << " " << a[i].key;
  }
}

/// Everything the per-month counts answer, and what is read beside them, field by field.
void expect_same_statistics(const DeviationStatistics& counted,
                            const DeviationStatistics& recount) {
  EXPECT_EQ(counted.total, recount.total);
  EXPECT_EQ(counted.open, recount.open);
  EXPECT_EQ(counted.closed, recount.closed);
  EXPECT_EQ(counted.rejected, recount.rejected);
  ASSERT_EQ(counted.per_step.size(), recount.per_step.size());
  for (std::size_t i = 0; i < counted.per_step.size(); ++i) {
    const auto& a = counted.per_step[i];
    const auto& b = recount.per_step[i];
    EXPECT_EQ(a.procedure_id + "/" + a.step_id, b.procedure_id + "/" + b.step_id) << i;
    EXPECT_EQ(a.total, b.total) << a.step_id;
    EXPECT_EQ(a.open, b.open) << a.step_id;
  }
  expect_same_counts(counted.per_unit, recount.per_unit, "per_unit");
  expect_same_counts(counted.per_category, recount.per_category, "per_category");
  expect_same_counts(counted.per_severity, recount.per_severity, "per_severity");
  expect_same_counts(counted.per_status, recount.per_status, "per_status");
  expect_same_counts(counted.per_month, recount.per_month, "per_month");
  ASSERT_EQ(counted.per_unit_pair.size(), recount.per_unit_pair.size());
  for (std::size_t i = 0; i < counted.per_unit_pair.size(); ++i) {
    const auto& a = counted.per_unit_pair[i];
    const auto& b = recount.per_unit_pair[i];
    EXPECT_EQ(a.reporting_unit + ">" + a.responsible_unit,
              b.reporting_unit + ">" + b.responsible_unit)
        << i;
    EXPECT_EQ(a.count, b.count) << a.reporting_unit << ">" << a.responsible_unit;
  }
  EXPECT_EQ(counted.median_closure_seconds, recount.median_closure_seconds);
  EXPECT_EQ(counted.overdue_deviations, recount.overdue_deviations);
  EXPECT_EQ(counted.overdue_actions, recount.overdue_actions);
}

class Tallies {
 public:
  explicit Tallies(Store& store) : store_(store) {}

  /// The statistics of `query` from the counts, beside those of the same query narrowed by a
  /// filter that every avvik passes (all statuses), which reads each row.
  void expect_equal_to_recount(DeviationQuery query, const char* what) {
    SCOPED_TRACE(what);
    query.now_epoch = epoch_of(2026, 6, 1);
    auto counted = store_.deviation_statistics(query);
    query.statuses = kAllStatuses;
    auto recount = store_.deviation_statistics(query);
    ASSERT_TRUE(counted) << describe(counted.error());
    ASSERT_TRUE(recount) << describe(recount.error());
    EXPECT_GT(recount->total, 0);
    EXPECT_GT(recount->overdue_actions, 0);  // so that both ways of counting them are compared
    expect_same_statistics(*counted, *recount);
  }

 private:
  Store& store_;
};

TEST_P(StoreSuite, StatisticsFromCountsEqualAFullRecountAfterAMixOfChanges) {
  static constexpr std::array<const char*, 4> kSteps = {"tildelingsmote", "soknad", "vedtak",
                                                        "klage"};
  static constexpr std::array<const char*, 4> kUnits = {"nav", "tildeling", "boligkontor",
                                                        "eiendom"};
  static constexpr std::array<const char*, 3> kCategories = {"uklart_ansvar", "annet",
                                                             "frist_overskredet"};
  static constexpr std::array<const char*, 4> kSeverities = {"lav", "middels", "hoy", "kritisk"};
  Mix mix;
  std::vector<DeviationRecord> avvik;
  for (int i = 0; i < 48; ++i) {
    // Created over 2025 and the first months of 2026; incident a few days before.
    const std::int64_t created = epoch_of(2025, 1, 3) + std::int64_t{i} * 9 * 86400 + i * 37;
    auto r = make_deviation(created);
    r.step_id = mix.pick(kSteps);
    r.responsible_unit = mix.pick(kUnits);
    r.reporting_unit = mix.pick(kUnits);
    r.category = mix.pick(kCategories);
    r.severity = mix.pick(kSeverities);
    r.incident_date = iso_of(created - mix.next(20) * 86400).substr(0, 10);
    r.receive_due_epoch = created + 7 * 86400;
    r.close_due_epoch = created + 28 * 86400;
    avvik.push_back(create_ok(store(), r, {make_message("tally-" + std::to_string(i))}));
    ASSERT_FALSE(avvik.back().id.empty());
  }
  // Transitions, closings, rejections, re-assignment, a corrected step, date and severity.
  for (std::size_t i = 0; i < avvik.size(); ++i) {
    auto& r = avvik[i];
    const int steps = static_cast<int>(mix.next(5));
    for (int s = 0; s < steps; ++s) {
      auto u = r;
      u.updated_at = iso_of(r.created_epoch + (s + 1) * 3600);
      switch (mix.next(6)) {
        case 0: u.status = "mottatt"; break;
        case 1: u.status = "under_behandling"; break;
        case 2:
          u.status = "lukket";
          u.closed_epoch = r.created_epoch + 3600 + mix.next(60) * 86400;
          u.closed_at = iso_of(u.closed_epoch);
          break;
        case 3: u.status = "avvist"; break;
        case 4:
          u.responsible_unit = mix.pick(kUnits);
          u.severity = mix.pick(kSeverities);
          break;
        default:
          u.step_id = mix.pick(kSteps);
          u.category = mix.pick(kCategories);
          u.incident_date = iso_of(r.created_epoch - 40 * 86400).substr(0, 10);
          break;
      }
      // Actions: open and late, open and not yet due, done late, without a due date; the
      // overdue actions of all avvik are counted without the avvik, those of a filter with.
      if (s == 0 && i % 3 == 0) {
        const std::string created_at = iso_of(r.created_epoch);
        u.actions = {{1, "nav", "Følg opp", iso_of(r.created_epoch + 10 * 86400).substr(0, 10), "",
                      "leder", created_at},
                     {2, "nav", "Senere", "2027-01-01", "", "leder", created_at},
                     {3, "nav", "Gjort", iso_of(r.created_epoch + 5 * 86400).substr(0, 10),
                      iso_of(r.created_epoch + 20 * 86400).substr(0, 10), "leder", created_at},
                     {4, "nav", "Uten frist", "", "", "leder", created_at}};
      }
      if (u.status != "lukket") u.closed_epoch = 0;
      if (u.status != "lukket") u.closed_at.clear();
      auto updated = store().update_deviation(u, r.revision, {}, {});
      ASSERT_TRUE(updated) << describe(updated.error());
      r = *updated;
    }
  }
  // Refused writes change no count: a stale revision, and a replay of a registration.
  auto stale = avvik.front();
  stale.status = "lukket";
  stale.closed_epoch = stale.created_epoch + 86400;
  EXPECT_FALSE(store().update_deviation(stale, stale.revision + 5, {}, {}));
  auto again = make_deviation(epoch_of(2025, 2, 1));
  ASSERT_TRUE(store().create_deviation(again, registered_event(again), "key-1", "sha-1", {}));
  ASSERT_TRUE(store().create_deviation(again, registered_event(again), "key-1", "sha-1", {}));

  Tallies tallies(store());
  tallies.expect_equal_to_recount({}, "all avvik");
  DeviationQuery year;
  year.from_date = "2025-01-01";
  year.to_date = "2025-12-31";
  tallies.expect_equal_to_recount(year, "one year");
  DeviationQuery months;
  months.from_date = "2025-03-01";
  months.to_date = "2026-02-28";
  tallies.expect_equal_to_recount(months, "whole months across a new year");
  DeviationQuery open_ended;
  open_ended.from_date = "2025-06-01";
  tallies.expect_equal_to_recount(open_ended, "from a month on");

  reopen();
  Tallies after_restart(store());
  after_restart.expect_equal_to_recount({}, "all avvik after a restart");
}

}  // namespace
}  // namespace boligflyt::store::testing

// Listing avvik (every filter, every sort in both directions, keyset pagination, visibility)
// and the statistics over them, on small hand-built data sets whose answers are known.

#include <algorithm>
#include <map>
#include <set>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

// The data set: eleven avvik in 2026, looked at on 1 June 2026 at noon. Numbers in the
// comments are the avvik numbers (AVVIK-2026-00NN).
const std::int64_t kNow = epoch_of(2026, 6, 1, 12);

struct Row {
  const char* procedure;
  const char* version;
  const char* step;
  const char* unit;
  std::vector<std::string> participants;
  const char* status;
  const char* category;
  const char* severity;
  const char* incident;  // YYYY-MM-DD; created the next day at 08:00
  std::int64_t receive_due;
  std::int64_t close_due;
  std::int64_t closure_seconds;  // closed_epoch - created_epoch, 0 while open
  const char* reporter;
  std::vector<DeviationAction> actions;
};

DeviationAction action(std::int64_t no, const char* due, const char* done) {
  return {no,   "tildeling",       "Tiltak " + std::to_string(no), due,
          done, "leder-tildeling", "2026-01-01T00:00:00Z"};
}

std::vector<Row> data_set() {
  const auto d = [](unsigned m, unsigned day) { return epoch_of(2026, m, day, 12); };
  return {
      // 1: registrert, receive deadline passed → overdue; action overdue.
      {"boligflyt",
       "3.0",
       "tildelingsmote",
       "tildeling",
       {"nav"},
       "registrert",
       "rutine",
       "middels",
       "2026-01-10",
       d(5, 1),
       d(7, 1),
       0,
       "leder-nav",
       {action(1, "2026-05-20", "")}},
      // 2: registrert, receive deadline ahead (close deadline passed, irrelevant) → not overdue.
      {"boligflyt",
       "3.0",
       "tildelingsmote",
       "tildeling",
       {},
       "registrert",
       "rutine",
       "hoy",
       "2026-02-03",
       d(7, 1),
       d(5, 1),
       0,
       "leder-nav",
       {}},
      // 3: under_behandling, close deadline passed → overdue; action due today → not overdue.
      {"boligflyt",
       "3.0",
       "kontrakt",
       "boligkontor",
       {"eiendom"},
       "under_behandling",
       "informasjon",
       "lav",
       "2026-02-20",
       d(2, 25),
       d(5, 15),
       0,
       "leder-helse",
       {action(1, "2026-06-01", "")}},
      // 4: tiltak, receive deadline passed (irrelevant), close ahead; one action done, one
      // overdue.
      {"boligflyt",
       "3.0",
       "kontrakt",
       "boligkontor",
       {},
       "tiltak",
       "rutine",
       "kritisk",
       "2026-03-05",
       d(3, 10),
       d(7, 15),
       0,
       "leder-nav",
       {action(1, "2026-05-01", "2026-05-02"), action(2, "2026-05-31", "")}},
      // 5: lukket after 1000 s; deadlines passed but closed.
      {"boligflyt",
       "3.0",
       "soknad",
       "nav",
       {"tildeling"},
       "lukket",
       "informasjon",
       "middels",
       "2026-03-15",
       d(3, 20),
       d(4, 1),
       1000,
       "leder-eiendom",
       {}},
      // 6: lukket after 3000 s, version 2.0.
      {"boligflyt",
       "2.0",
       "soknad",
       "nav",
       {},
       "lukket",
       "rutine",
       "lav",
       "2026-04-02",
       d(4, 5),
       d(4, 20),
       3000,
       "leder-nav",
       {}},
      // 7: avvist; deadlines passed but rejected.
      {"boligflyt",
       "3.0",
       "tildelingsmote",
       "tildeling",
       {},
       "avvist",
       "samarbeid",
       "hoy",
       "2026-04-20",
       d(4, 25),
       d(5, 1),
       0,
       "leder-helse",
       {}},
      // 8: mottatt, close deadline passed → overdue; action without due date.
      {"boligflyt",
       "3.0",
       "klage",
       "boligkontor",
       {"nav", "helse"},
       "mottatt",
       "samarbeid",
       "middels",
       "2026-05-05",
       d(5, 8),
       d(5, 20),
       0,
       "leder-pro",
       {action(1, "", "")}},
      // 9: lukket after 2000 s.
      {"boligflyt",
       "3.0",
       "soknad",
       "nav",
       {},
       "lukket",
       "rutine",
       "middels",
       "2026-05-10",
       d(5, 12),
       d(6, 1),
       2000,
       "leder-nav",
       {}},
      // 10: another procedure; gjenapnet, close deadline ahead.
      {"husleie",
       "1.0",
       "innflytting",
       "eiendom",
       {},
       "gjenapnet",
       "informasjon",
       "lav",
       "2026-05-28",
       d(5, 30),
       d(8, 1),
       0,
       "leder-pro",
       {}},
      // 11: lukket after 4000 s.
      {"boligflyt",
       "3.0",
       "kontrakt",
       "boligkontor",
       {},
       "lukket",
       "rutine",
       "hoy",
       "2026-05-30",
       d(6, 1),
       d(6, 20),
       4000,
       "leder-nav",
       {}},
  };
}

/// Creates the data set; returns the ids in order (index 0 = avvik 1).
std::vector<std::string> create_data_set(Store& store) {
  std::vector<std::string> ids;
  for (const auto& row : data_set()) {
    const std::string incident = row.incident;
    const auto created = epoch_of(std::stoi(incident.substr(0, 4)),
                                  static_cast<unsigned>(std::stoi(incident.substr(5, 2))),
                                  static_cast<unsigned>(std::stoi(incident.substr(8, 2))), 8) +
                         86400;
    auto r = make_deviation(created);
    r.procedure_id = row.procedure;
    r.procedure_version = row.version;
    r.step_id = row.step;
    r.responsible_unit = row.unit;
    r.participants = row.participants;
    r.status = row.status;
    r.category = row.category;
    r.severity = row.severity;
    r.incident_date = incident;
    r.receive_due_epoch = row.receive_due;
    r.close_due_epoch = row.close_due;
    r.reporter = row.reporter;
    r.actions = row.actions;
    if (row.closure_seconds > 0) {
      r.closed_epoch = created + row.closure_seconds;
      r.closed_at = iso_of(r.closed_epoch);
    }
    ids.push_back(create_ok(store, r).id);
  }
  return ids;
}

/// The avvik numbers (1-based positions in the data set) of `records`, sorted.
std::vector<int> numbers_of(const std::vector<DeviationRecord>& records) {
  std::vector<int> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(static_cast<int>(r.number));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> matching(Store& store, const DeviationQuery& query) {
  return numbers_of(list_all(store, query));
}

std::map<std::string, std::int64_t> as_map(const std::vector<KeyCount>& counts) {
  std::map<std::string, std::int64_t> out;
  for (const auto& c : counts) {
    EXPECT_FALSE(out.count(c.key)) << "key twice: " << c.key;
    out[c.key] = c.count;
  }
  return out;
}

TEST_P(StoreSuite, ListFiltersEachCriterion) {
  ASSERT_EQ(create_data_set(store()).size(), 11U);
  auto q = [] {
    DeviationQuery query;
    query.limit = 4;  // several pages, so filters and paging are tested together
    return query;
  };
  EXPECT_EQ(matching(store(), q()), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  {
    auto query = q();
    query.statuses = {"registrert", "mottatt"};
    EXPECT_EQ(matching(store(), query), (std::vector<int>{1, 2, 8}));
  }
  {
    auto query = q();
    query.statuses = {"lukket"};
    EXPECT_EQ(matching(store(), query), (std::vector<int>{5, 6, 9, 11}));
  }
  {
    auto query = q();  // responsible (5, 6, 9) or participating (1, 8)
    query.unit = "nav";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{1, 5, 6, 8, 9}));
  }
  {
    auto query = q();
    query.unit = "tildeling";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{1, 2, 5, 7}));
  }
  {
    auto query = q();
    query.unit = "ingen";
    EXPECT_TRUE(matching(store(), query).empty());
  }
  {
    auto query = q();
    query.procedure_id = "husleie";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{10}));
  }
  {
    auto query = q();
    query.procedure_id = "boligflyt";
    query.procedure_version = "2.0";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{6}));
  }
  {
    auto query = q();
    query.step_id = "kontrakt";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{3, 4, 11}));
  }
  {
    auto query = q();
    query.category = "samarbeid";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{7, 8}));
  }
  {
    auto query = q();
    query.severity = "lav";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{3, 6, 10}));
  }
  {
    auto query = q();  // both ends inclusive
    query.from_date = "2026-03-05";
    query.to_date = "2026-04-20";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{4, 5, 6, 7}));
  }
  {
    auto query = q();
    query.from_date = "2026-05-10";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{9, 10, 11}));
  }
  {
    auto query = q();
    query.to_date = "2026-02-03";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{1, 2}));
  }
  {
    auto query = q();  // the period, walked in order of incident date
    query.sort = "incident_date";
    query.descending = false;
    query.from_date = "2026-02-01";
    query.to_date = "2026-05-05";
    const auto rows = list_all(store(), query);
    EXPECT_EQ(numbers_of(rows), (std::vector<int>{2, 3, 4, 5, 6, 7, 8}));
    ASSERT_EQ(rows.size(), 7U);
    EXPECT_EQ(rows.front().incident_date, "2026-02-03");
    EXPECT_EQ(rows.back().incident_date, "2026-05-05");
  }
  {
    auto query = q();
    query.overdue_only = true;
    query.now_epoch = kNow;
    EXPECT_EQ(matching(store(), query), (std::vector<int>{1, 3, 8}));
    query.now_epoch = epoch_of(2026, 1, 1);
    EXPECT_TRUE(matching(store(), query).empty());
  }
  {
    auto query = q();
    query.unit = "nav";
    query.statuses = {"lukket"};
    EXPECT_EQ(matching(store(), query), (std::vector<int>{5, 6, 9}));
  }
  {
    auto query = q();
    query.step_id = "tildelingsmote";
    query.severity = "hoy";
    EXPECT_EQ(matching(store(), query), (std::vector<int>{2, 7}));
  }
}

TEST_P(StoreSuite, ListShowsOnlyWhatTheViewerMaySee) {
  ASSERT_EQ(create_data_set(store()).size(), 11U);
  auto visible = [&](const std::string& viewer, std::vector<std::string> units) {
    DeviationQuery query;
    query.see_all = false;
    query.viewer = viewer;
    query.viewer_units = std::move(units);
    return matching(store(), query);
  };
  // Reported 3 and 7; helse participates in 8.
  EXPECT_EQ(visible("leder-helse", {"helse"}), (std::vector<int>{3, 7, 8}));
  // Responsible for 10, participating in 3.
  EXPECT_EQ(visible("leder-eiendom-2", {"eiendom"}), (std::vector<int>{3, 10}));
  EXPECT_EQ(visible("leder-eiendom", {}), (std::vector<int>{5}));
  EXPECT_TRUE(visible("fremmed", {}).empty());
  EXPECT_TRUE(visible("fremmed", {"ukjent"}).empty());
  // Every avvik of the data set was reported from nav: its leaders see them all.
  EXPECT_EQ(visible("leder-pro", {"nav", "boligkontor"}),
            (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  // Without nav: boligkontor is responsible for 3, 4, 8 and 11; leder-pro reported 8 and 10.
  EXPECT_EQ(visible("leder-pro", {"boligkontor"}), (std::vector<int>{3, 4, 8, 10, 11}));
  // Visibility narrows the filters, it does not widen them.
  DeviationQuery query;
  query.see_all = false;
  query.viewer = "leder-helse";
  query.viewer_units = {"helse"};
  query.statuses = {"avvist", "mottatt", "registrert"};
  EXPECT_EQ(matching(store(), query), (std::vector<int>{7, 8}));
}

TEST_P(StoreSuite, ListItemsCarryTheirChildren) {
  auto r = make_deviation();
  r.participants = {"nav", "helse"};
  r.actions = {
      {1, "tildeling", "Tiltak", "2026-04-01", "", "leder-tildeling", "2026-03-02T09:00:00Z"},
      {2, "nav", "Mer", "2026-04-02", "2026-04-01", "leder-nav", "2026-03-02T09:01:00Z"}};
  r.comments = {{1, "leder-nav", "Kommentar", "2026-03-02T08:05:00Z"}};
  create_ok(store(), make_deviation());
  const auto with_children = create_ok(store(), r);
  create_ok(store(), make_deviation());
  DeviationQuery query;
  query.sort = "id";
  query.descending = false;
  auto page = store().list_deviations(query);
  ASSERT_TRUE(page) << describe(page.error());
  ASSERT_EQ(page->items.size(), 3U);
  EXPECT_FALSE(page->more);
  EXPECT_TRUE(page->items[0].participants.empty());
  EXPECT_TRUE(page->items[0].actions.empty());
  expect_same_deviation(with_children, page->items[1]);
  EXPECT_TRUE(page->items[2].comments.empty());
}

// Sorting and paging: 23 avvik with ties in every sort key, so that the id tie-break matters.
const std::array<const char*, 4> kSeverities = {"kritisk", "lav", "hoy", "middels"};

std::vector<DeviationRecord> create_sort_set(Store& store) {
  std::vector<DeviationRecord> out;
  for (int i = 1; i <= 23; ++i) {
    // Created in groups of three within the same second, not in id order across groups.
    auto r = make_deviation(epoch_of(2026, 2, 1) + ((i * 5) % 8) * 3600);
    r.updated_at = iso_of(epoch_of(2026, 3, 1) + ((i * 7) % 5) * 60);
    r.incident_date = "2026-01-0" + std::to_string(1 + (i * 3) % 4);
    r.severity = kSeverities[static_cast<std::size_t>(i % 4)];
    out.push_back(create_ok(store, r));
  }
  return out;
}

std::int64_t rank(const std::string& severity) {
  if (severity == "lav") return 1;
  if (severity == "middels") return 2;
  if (severity == "hoy") return 3;
  if (severity == "kritisk") return 4;
  return 0;
}

/// The expected order: by the sort key, ties by id, both in the requested direction.
std::vector<std::string> expected_order(std::vector<DeviationRecord> records,
                                        const std::string& sort, bool descending) {
  auto key_less = [&](const DeviationRecord& a, const DeviationRecord& b) {
    if (sort == "created" && a.created_epoch != b.created_epoch) {
      return a.created_epoch < b.created_epoch;
    }
    if (sort == "updated" && a.updated_at != b.updated_at) return a.updated_at < b.updated_at;
    if (sort == "incident_date" && a.incident_date != b.incident_date) {
      return a.incident_date < b.incident_date;
    }
    if (sort == "severity" && rank(a.severity) != rank(b.severity)) {
      return rank(a.severity) < rank(b.severity);
    }
    return a.id < b.id;
  };
  std::sort(records.begin(), records.end(), [&](const auto& a, const auto& b) {
    return descending ? key_less(b, a) : key_less(a, b);
  });
  return ids_of(records);
}

TEST_P(StoreSuite, ListSortsByEveryKeyInBothDirections) {
  const auto records = create_sort_set(store());
  ASSERT_EQ(records.size(), 23U);
  for (const std::string sort : {"created", "updated", "incident_date", "severity", "id"}) {
    for (const bool descending : {true, false}) {
      SCOPED_TRACE(sort + (descending ? " desc" : " asc"));
      DeviationQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 100;
      auto page = store().list_deviations(query);
      ASSERT_TRUE(page) << describe(page.error());
      EXPECT_FALSE(page->more);
      EXPECT_EQ(ids_of(page->items), expected_order(records, sort, descending));
    }
  }
}

TEST_P(StoreSuite, PagesVisitEveryRowExactlyOnceInOrder) {
  const auto records = create_sort_set(store());
  ASSERT_EQ(records.size(), 23U);
  for (const std::string sort : {"created", "updated", "incident_date", "severity", "id"}) {
    for (const bool descending : {true, false}) {
      SCOPED_TRACE(sort + (descending ? " desc" : " asc"));
      DeviationQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 5;
      std::vector<std::string> seen;
      std::vector<std::size_t> page_sizes;
      for (int guard = 0; guard < 10; ++guard) {
        auto page = store().list_deviations(query);
        ASSERT_TRUE(page) << describe(page.error());
        page_sizes.push_back(page->items.size());
        for (const auto& item : page->items) seen.push_back(item.id);
        if (!page->more) break;
        ASSERT_FALSE(page->items.empty());
        EXPECT_EQ(page->next_id, page->items.back().id);
        query.after_sort_value = page->next_sort_value;
        query.after_id = page->next_id;
      }
      EXPECT_EQ(page_sizes, (std::vector<std::size_t>{5, 5, 5, 5, 3}));
      EXPECT_EQ(seen, expected_order(records, sort, descending));
      EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23U);
    }
  }
}

TEST_P(StoreSuite, ListLimitIsClampedAndBadSortRefused) {
  create_sort_set(store());
  DeviationQuery query;
  query.limit = 0;
  auto one = store().list_deviations(query);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->items.size(), 1U);
  EXPECT_TRUE(one->more);
  query.limit = -3;
  auto negative = store().list_deviations(query);
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->items.size(), 1U);
  query.limit = 100000;
  auto all = store().list_deviations(query);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 23U);
  EXPECT_FALSE(all->more);
  EXPECT_TRUE(all->next_id.empty());

  query.sort = "title";
  auto bad = store().list_deviations(query);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalid);
}

TEST_P(StoreSuite, ListOfAnEmptyStoreIsEmpty) {
  auto page = store().list_deviations({});
  ASSERT_TRUE(page) << describe(page.error());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->more);
}

TEST_P(StoreSuite, StatisticsOnAKnownDataSet) {
  ASSERT_EQ(create_data_set(store()).size(), 11U);
  DeviationQuery all;
  all.now_epoch = kNow;
  all.see_all = false;  // statistics are anonymous: visibility does not apply
  all.viewer = "fremmed";
  all.limit = 1;  // nor does paging
  auto stats = store().deviation_statistics(all);
  ASSERT_TRUE(stats) << describe(stats.error());
  EXPECT_EQ(stats->total, 11);
  EXPECT_EQ(stats->closed, 4);
  EXPECT_EQ(stats->rejected, 1);
  EXPECT_EQ(stats->open, 6);
  EXPECT_EQ(as_map(stats->per_status),
            (std::map<std::string, std::int64_t>{{"avvist", 1},
                                                 {"gjenapnet", 1},
                                                 {"lukket", 4},
                                                 {"mottatt", 1},
                                                 {"registrert", 2},
                                                 {"tiltak", 1},
                                                 {"under_behandling", 1}}));
  ASSERT_EQ(stats->per_step.size(), 5U);
  const std::vector<std::tuple<std::string, std::string, std::int64_t, std::int64_t>> steps = {
      {"boligflyt", "kontrakt", 3, 2},
      {"boligflyt", "soknad", 3, 0},
      {"boligflyt", "tildelingsmote", 3, 2},
      {"husleie", "innflytting", 1, 1},
      {"boligflyt", "klage", 1, 1}};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(std::get<1>(steps[i]));
    EXPECT_EQ(stats->per_step[i].procedure_id, std::get<0>(steps[i]));
    EXPECT_EQ(stats->per_step[i].step_id, std::get<1>(steps[i]));
    EXPECT_EQ(stats->per_step[i].total, std::get<2>(steps[i]));
    EXPECT_EQ(stats->per_step[i].open, std::get<3>(steps[i]));
  }
  EXPECT_EQ(as_map(stats->per_unit),
            (std::map<std::string, std::int64_t>{
                {"boligkontor", 4}, {"eiendom", 1}, {"nav", 3}, {"tildeling", 3}}));
  EXPECT_EQ(as_map(stats->per_category), (std::map<std::string, std::int64_t>{
                                             {"informasjon", 3}, {"rutine", 6}, {"samarbeid", 2}}));
  EXPECT_EQ(as_map(stats->per_severity),
            (std::map<std::string, std::int64_t>{
                {"hoy", 3}, {"kritisk", 1}, {"lav", 3}, {"middels", 4}}));
  ASSERT_EQ(stats->per_month.size(), 5U);
  const std::vector<std::pair<std::string, std::int64_t>> months = {
      {"2026-01", 1}, {"2026-02", 2}, {"2026-03", 2}, {"2026-04", 2}, {"2026-05", 4}};
  for (std::size_t i = 0; i < months.size(); ++i) {
    EXPECT_EQ(stats->per_month[i].key, months[i].first);
    EXPECT_EQ(stats->per_month[i].count, months[i].second);
  }
  // Closures took 1000, 3000, 2000 and 4000 seconds: the lower median of an even count.
  ASSERT_TRUE(stats->median_closure_seconds.has_value());
  EXPECT_EQ(*stats->median_closure_seconds, 2000);
  EXPECT_EQ(stats->overdue_deviations, 3);  // 1, 3, 8
  EXPECT_EQ(stats->overdue_actions, 2);     // 1/1 and 4/2; 3/1 is due today

  // With a filter: responsible boligkontor (3, 4, 8, 11).
  DeviationQuery unit = all;
  unit.unit = "boligkontor";
  auto filtered = store().deviation_statistics(unit);
  ASSERT_TRUE(filtered) << describe(filtered.error());
  EXPECT_EQ(filtered->total, 4);
  EXPECT_EQ(filtered->closed, 1);
  EXPECT_EQ(filtered->rejected, 0);
  EXPECT_EQ(filtered->open, 3);
  ASSERT_TRUE(filtered->median_closure_seconds.has_value());
  EXPECT_EQ(*filtered->median_closure_seconds, 4000);
  EXPECT_EQ(filtered->overdue_deviations, 2);  // 3, 8
  EXPECT_EQ(filtered->overdue_actions, 1);     // 4/2
  EXPECT_EQ(as_map(filtered->per_unit), (std::map<std::string, std::int64_t>{{"boligkontor", 4}}));
  ASSERT_EQ(filtered->per_month.size(), 3U);
  EXPECT_EQ(filtered->per_month[0].key, "2026-02");
  EXPECT_EQ(filtered->per_month[2].key, "2026-05");
  EXPECT_EQ(filtered->per_month[2].count, 2);

  // Closures of an odd count: 1000, 3000, 2000 → 2000.
  DeviationQuery soknad = all;
  soknad.step_id = "soknad";
  auto odd = store().deviation_statistics(soknad);
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->total, 3);
  ASSERT_TRUE(odd->median_closure_seconds.has_value());
  EXPECT_EQ(*odd->median_closure_seconds, 2000);
  EXPECT_EQ(odd->overdue_deviations, 0);

  // A filter that matches everything gives the same numbers as no filter.
  DeviationQuery everything = all;
  everything.from_date = "2000-01-01";
  auto same = store().deviation_statistics(everything);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->total, stats->total);
  EXPECT_EQ(same->open, stats->open);
  EXPECT_EQ(same->closed, stats->closed);
  EXPECT_EQ(same->rejected, stats->rejected);
  EXPECT_EQ(same->median_closure_seconds, stats->median_closure_seconds);
  EXPECT_EQ(same->overdue_deviations, stats->overdue_deviations);
  EXPECT_EQ(same->overdue_actions, stats->overdue_actions);
  EXPECT_EQ(as_map(same->per_status), as_map(stats->per_status));
  EXPECT_EQ(as_map(same->per_unit), as_map(stats->per_unit));
  EXPECT_EQ(as_map(same->per_category), as_map(stats->per_category));
  EXPECT_EQ(as_map(same->per_severity), as_map(stats->per_severity));
  ASSERT_EQ(same->per_month.size(), stats->per_month.size());
  for (std::size_t i = 0; i < same->per_month.size(); ++i) {
    EXPECT_EQ(same->per_month[i].key, stats->per_month[i].key);
    EXPECT_EQ(same->per_month[i].count, stats->per_month[i].count);
  }
  ASSERT_EQ(same->per_step.size(), stats->per_step.size());
  for (std::size_t i = 0; i < same->per_step.size(); ++i) {
    EXPECT_EQ(same->per_step[i].step_id, stats->per_step[i].step_id);
    EXPECT_EQ(same->per_step[i].total, stats->per_step[i].total);
    EXPECT_EQ(same->per_step[i].open, stats->per_step[i].open);
  }

  // Registrert counts the receive deadline, the other open statuses the close deadline.
  DeviationQuery january = all;
  january.to_date = "2026-01-31";  // 1: receive deadline passed
  auto first = store().deviation_statistics(january);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->total, 1);
  EXPECT_EQ(first->overdue_deviations, 1);
  EXPECT_EQ(first->overdue_actions, 1);
  DeviationQuery registered = all;
  registered.statuses = {"registrert"};
  registered.from_date = "2026-02-01";  // 2: only its close deadline has passed
  auto second = store().deviation_statistics(registered);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->total, 1);
  EXPECT_EQ(second->overdue_deviations, 0);
  DeviationQuery treated = all;
  treated.statuses = {"tiltak"};  // 4: only its receive deadline has passed
  auto third = store().deviation_statistics(treated);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->total, 1);
  EXPECT_EQ(third->overdue_deviations, 0);
  EXPECT_EQ(third->overdue_actions, 1);

  // A period and the overdue filter together.
  DeviationQuery overdue = all;
  overdue.overdue_only = true;
  overdue.from_date = "2026-02-01";
  auto late = store().deviation_statistics(overdue);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->total, 2);  // 3, 8
  EXPECT_EQ(late->overdue_deviations, 2);
  EXPECT_FALSE(late->median_closure_seconds.has_value());
}

TEST_P(StoreSuite, StatisticsOfNothingAreZero) {
  DeviationQuery query;
  query.now_epoch = kNow;
  auto stats = store().deviation_statistics(query);
  ASSERT_TRUE(stats) << describe(stats.error());
  EXPECT_EQ(stats->total, 0);
  EXPECT_EQ(stats->open, 0);
  EXPECT_TRUE(stats->per_step.empty());
  EXPECT_TRUE(stats->per_status.empty());
  EXPECT_TRUE(stats->per_month.empty());
  EXPECT_FALSE(stats->median_closure_seconds.has_value());
  EXPECT_EQ(stats->overdue_deviations, 0);
  EXPECT_EQ(stats->overdue_actions, 0);
}

}  // namespace
}  // namespace boligflyt::store::testing

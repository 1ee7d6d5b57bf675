// Registrations that arrive together share one transaction on both engines (SQLite's group
// commit, and on PostgreSQL the node's batches of pg_group_commit.h), each under its own
// savepoint. Whatever else is in the batch, a refused registration writes nothing and costs no
// number, a replay answers with the avvik it repeats, and the new ones get gapless numbers.

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store_suite.h"

namespace boligflyt::store::testing {
namespace {

TEST_P(StoreSuite, RefusalsAndReplaysAmongConcurrentRegistrationsWriteNothingAndCostNoNumber) {
  constexpr int kThreads = 8;
  constexpr int kEach = 18;
  // Each reporter's first avvik, whose key the threads then reuse: numbers 1..kThreads.
  std::vector<std::string> first_ids;
  for (int t = 0; t < kThreads; ++t) {
    auto r = make_deviation(epoch_of(2026, 5, 1, t));
    r.reporter = "leder-" + std::to_string(t);
    auto first = store().create_deviation(r, registered_event(r), "used", "sha-1", {});
    ASSERT_TRUE(first) << first.error().log_message;
    first_ids.push_back(first->record.id);
  }

  std::mutex mutex;
  std::vector<std::int64_t> new_numbers;
  std::atomic<int> unexpected{0};
  std::atomic<int> refused{0};
  std::atomic<int> replayed{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = make_deviation(epoch_of(2026, 5, 2, t, i));
        r.reporter = "leder-" + std::to_string(t);
        if (i % 3 == 0) {  // the same key with another request: refused
          auto result = store().create_deviation(r, registered_event(r), "used", "sha-2", {});
          if (!result && result.error().kind == ErrorKind::kConflict) {
            ++refused;
          } else {
            ++unexpected;
          }
        } else if (i % 3 == 1) {  // the same key and request: the first avvik again
          auto result = store().create_deviation(r, registered_event(r), "used", "sha-1", {});
          if (result && result->replayed && result->record.id == first_ids[t]) {
            ++replayed;
          } else {
            ++unexpected;
          }
        } else {
          auto result = store().create_deviation(r, registered_event(r), "new-" + std::to_string(i),
                                                 "sha-" + std::to_string(i), {});
          if (!result || result->replayed) {
            ++unexpected;
            continue;
          }
          std::lock_guard lock(mutex);
          new_numbers.push_back(result->record.number);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(refused.load(), kThreads * (kEach / 3));
  EXPECT_EQ(replayed.load(), kThreads * (kEach / 3));
  ASSERT_EQ(new_numbers.size(), static_cast<std::size_t>(kThreads * (kEach / 3)));
  // Neither a refusal nor a replay took a number: the new avvik follow the first ones with
  // no gap and no number twice.
  const std::set<std::int64_t> numbers(new_numbers.begin(), new_numbers.end());
  ASSERT_EQ(numbers.size(), new_numbers.size());
  EXPECT_EQ(*numbers.begin(), kThreads + 1);
  EXPECT_EQ(*numbers.rbegin(), static_cast<std::int64_t>(kThreads + new_numbers.size()));
  EXPECT_EQ(list_all(store(), {}).size(), kThreads + new_numbers.size());
}

}  // namespace
}  // namespace boligflyt::store::testing

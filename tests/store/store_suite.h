#pragma once
// The store suite: one fixture, parameterised by backend, whose tests use only the Store port,
// so that they run unchanged against every backend (sqlite_backend.cpp, postgres_backend.cpp).
// Also builders for avvik as the deviation service would hand them to the store.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ports/store/store.h"
#include "store/store_backend.h"

namespace boligflyt::store::testing {

class StoreSuite : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  /// Closes the store and opens the same database again, as a restart would.
  void reopen();

 private:
  std::string scratch_;
  std::unique_ptr<Store> store_;
};

/// Seconds since 1970 of the UTC date and time.
std::int64_t epoch_of(int year, unsigned month, unsigned day, int hour = 0, int minute = 0,
                      int second = 0);
/// ISO 8601 UTC ("2026-03-02T08:00:00Z") of `epoch`.
std::string iso_of(std::int64_t epoch);

/// A plausible avvik to register: boligflyt 3.0, step tildelingsmote, reported by the leader of
/// nav, responsible unit tildeling, status registrert, created `created_epoch` (year and all
/// timestamps follow from it), deadlines one and four weeks later.
DeviationRecord make_deviation(std::int64_t created_epoch = epoch_of(2026, 3, 2, 8));
/// Sets created_at/created_epoch/updated_at and the year of `r` to `epoch`.
void set_created(DeviationRecord& r, std::int64_t epoch);
/// The "registered" history entry the service writes with a new avvik.
DeviationEvent registered_event(const DeviationRecord& r);
/// A history entry of `kind` at `at` by `actor`.
DeviationEvent make_event(const std::string& kind, const std::string& at, const std::string& actor,
                          const std::string& data_json = "{}");
OutboxMessage make_message(const std::string& dedupe_key, const std::string& topic = "notification",
                           std::int64_t next_attempt_epoch = 0);

/// create_deviation without idempotency key; records a test failure and returns an empty
/// record when the store refuses.
DeviationRecord create_ok(Store& store, const DeviationRecord& r,
                          const std::vector<OutboxMessage>& outbox = {});

/// Kind, slug and log message of an error, for assertion messages.
std::string describe(const Error& e);

std::vector<std::string> ids_of(const std::vector<DeviationRecord>& records);

/// Every item of list_deviations(query), following the pages; fails the test when a page
/// is wrong (more without a next id, or more than `max_pages`).
std::vector<DeviationRecord> list_all(Store& store, DeviationQuery query, int max_pages = 100);

/// Field-by-field comparison with readable failures.
void expect_same_deviation(const DeviationRecord& expected, const DeviationRecord& actual);

/// The history is a chain: seq 1..n, the first prev_hash is kGenesisHash, each prev_hash is
/// the previous hash, and each hash is event_chain_hash(id, event).
void expect_valid_chain(const std::string& id, const std::vector<DeviationEvent>& history);

}  // namespace boligflyt::store::testing

#pragma once
// Bulk-seeding the host's SQLite file with avvik for the benchmarks: straight SQL against the
// tables that the store's migrations created (adapters/store_sqlite/migrations/*.sql), in
// one transaction with synchronous=OFF, the secondary indexes dropped first and rebuilt from
// their own SQL at the end. Going through the store port would take an hour for a million
// rows; the columns written here are the ones the store writes.
//
// The data is made up but shaped like a municipality's: three years of avvik, skewed over the
// procedure's steps, the procedure version in force on the incident date, old ones almost all
// closed or rejected, recent ones spread over the open statuses, participants, corrective
// actions and comments on some. Not seeded: the history (deviation_events, which only the
// history endpoint reads) and the delivered notifications of past registrations (outbox);
// the reminders already sent for the few overdue ones are, so that the host's reminder scan
// does not send thousands of new ones in the middle of a measurement.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace boligflyt::bench {

struct StepInfo {
  std::string id;
  std::string responsible;
  std::vector<std::string> participants;
};

struct ProcedureVersionInfo {
  std::string procedure_id;
  std::string version;
  std::string effective_from;  // YYYY-MM-DD
  std::vector<StepInfo> steps;
};

/// Procedure id, version, effectiveFrom and steps of a procedure file. A light text scan, not
/// a parser: the shipped files are validated by their own tests. Throws std::runtime_error
/// when the file cannot be read or has no steps.
ProcedureVersionInfo read_procedure_version(const std::filesystem::path& file);

/// The unit ids of procedures/units.xml.
std::vector<std::string> read_unit_ids(const std::filesystem::path& units_file);

struct SeedOptions {
  std::filesystem::path database;  // the host's boligflyt.sqlite3; the host must be stopped
  std::size_t rows = 1'000'000;
  std::int64_t now_epoch = 0;
  /// Versions of the one procedure, in ascending effective_from.
  std::vector<ProcedureVersionInfo> versions;
  std::vector<std::string> units;
  std::uint64_t random_seed = 20261122;
};

struct SeedResult {
  std::size_t deviations = 0;
  std::size_t participants = 0;
  std::size_t actions = 0;
  std::size_t comments = 0;
  std::size_t reminders = 0;  // delivered reminders of the overdue ones (outbox)
  std::size_t open = 0;
  std::size_t overdue = 0;
  std::size_t per_status_mottatt = 0;
  std::size_t indexes_rebuilt = 0;  // secondary indexes dropped before the rows, rebuilt after
  double seconds = 0;               // BEGIN to COMMIT, statement preparation included
};

/// Appends `rows` avvik after those already there (ids continue the per-year counters).
/// Throws std::runtime_error with SQLite's message when the schema is not what this expects.
SeedResult seed_deviations(const SeedOptions& options);

/// created_epoch and id of the row at `offset` in the list's default order (created,
/// descending; id descending breaks ties): the position a client reaches by following
/// next_cursor offset/limit times.
std::pair<std::int64_t, std::string> row_in_default_order(const std::filesystem::path& database,
                                                          std::size_t offset);

}  // namespace boligflyt::bench

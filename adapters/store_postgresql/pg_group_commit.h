#pragma once
// Group commit of registrations on one node (issue 14, goal 5). Every registration locks its
// year's counter row until COMMIT (gapless numbers, whichever node asks), so registrations on
// PostgreSQL run one after another across all nodes however many connections there are: the
// measured waits of bench.deviation are on that row. Registrations that arrive on a node while
// one is under way therefore share its next transaction: one lock hand-over, one COMMIT and
// one WAL flush for the batch, each under its own SAVEPOINT so that a registration that fails
// is undone alone. Nobody returns before the shared COMMIT is durable.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sql/engine.h"

namespace boligflyt::store::postgresql {

struct BatchJob {
  enum class Outcome {
    kPending,
    kAnswered,  // `result` is the answer (committed with the batch, or a refusal rolled back)
    kAlone,     // nothing of it is written: run it again in a transaction of its own
    kFailed,    // `failure` says why (for the log); never to be repeated (COMMIT uncertain)
  };
  const sql::Work* body = nullptr;
  Outcome outcome = Outcome::kPending;
  std::optional<Result<void>> result;
  std::string failure;
  bool done = false;
};

class GroupCommit {
 public:
  /// Runs one batch in one transaction and sets every job's outcome.
  using BatchRunner = std::function<void(const std::vector<BatchJob*>&)>;
  static constexpr std::size_t kMaxBatch = 64;

  explicit GroupCommit(BatchRunner run_batch) : run_batch_(std::move(run_batch)) {}

  /// Queues `job` and returns once the batch that ran it has finished: the caller that finds
  /// no batch under way leads the next one with everything queued by then.
  void submit(BatchJob& job);

 private:
  BatchRunner run_batch_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::vector<BatchJob*> queue_;
  bool leader_ = false;
};

}  // namespace boligflyt::store::postgresql

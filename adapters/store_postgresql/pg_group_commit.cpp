#include "store_postgresql/pg_group_commit.h"

namespace boligflyt::store::postgresql {

void GroupCommit::submit(BatchJob& job) {
  std::unique_lock lock(mutex_);
  queue_.push_back(&job);
  while (!job.done) {
    if (leader_) {
      finished_.wait(lock, [&] { return job.done || !leader_; });
      continue;
    }
    leader_ = true;
    std::vector<BatchJob*> batch;
    if (queue_.size() <= kMaxBatch) {
      batch.swap(queue_);
    } else {
      batch.assign(queue_.begin(), queue_.begin() + kMaxBatch);
      queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
    }
    lock.unlock();
    try {
      run_batch_(batch);
    } catch (const std::exception& e) {
      // The runner sets outcomes itself; this only keeps a follower from waiting forever.
      for (auto* j : batch) {
        if (j->outcome == BatchJob::Outcome::kPending) {
          j->outcome = BatchJob::Outcome::kFailed;
          j->failure = e.what();
        }
      }
    }
    lock.lock();
    for (auto* j : batch) j->done = true;
    leader_ = false;
    finished_.notify_all();
  }
}

}  // namespace boligflyt::store::postgresql

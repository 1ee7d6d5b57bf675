#pragma once
// One thread for periodic work (housekeeping, the outbox). stop() (and the destructor) wake it and
// join it, so after destroy() no plugin thread is left and the host may dlclose the library.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace boligflyt {

class BackgroundWorker {
 public:
  BackgroundWorker(std::chrono::milliseconds interval, std::function<void()> task);
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void stop();
  /// Runs the task soon instead of at the end of the interval (e.g. new outbox messages).
  void wake();

 private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace boligflyt

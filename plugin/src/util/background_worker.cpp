#include "util/background_worker.h"

#include <pthread.h>

namespace boligflyt {

BackgroundWorker::BackgroundWorker(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this] { run(); }) {}

BackgroundWorker::~BackgroundWorker() { stop(); }

void BackgroundWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void BackgroundWorker::run() {
  pthread_setname_np(pthread_self(), "boligflyt-bg");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, interval_, [this] { return stopping_ || woken_; }) && stopping_) {
      break;
    }
    woken_ = false;
    lock.unlock();
    try {
      task_();
    } catch (...) {
      // Housekeeping must never take the thread (and with it the host) down.
    }
    lock.lock();
  }
}

}  // namespace boligflyt

#pragma once
// One process at a time in a data folder: the plugin instance holds an exclusive advisory
// lock (flock) on <data_dir>/boligflyt.lock for its lifetime, so a second host on the same
// folder, or `boligflyt store restore` while the service runs, is refused instead of
// corrupting the store. The kernel drops the lock when the process dies, even by SIGKILL.

#include <filesystem>
#include <optional>

namespace boligflyt::util {

class DataDirLock {
 public:
  /// The lock, or nullopt when another process holds it. Throws std::runtime_error when the
  /// lock file cannot be opened at all.
  static std::optional<DataDirLock> try_acquire(const std::filesystem::path& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace boligflyt::util

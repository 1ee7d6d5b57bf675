#pragma once
// Running the real binaries from a test: posix_spawn, stdout on a pipe read with poll(),
// exit awaited on a pidfd. Every wait has a deadline; nothing sleeps.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boligflyt::e2e {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds timeout) { return Clock::now() + timeout; }

class ChildProcess {
 public:
  /// Starts argv[0] with stdin from /dev/null, stdout on a pipe and stderr into
  /// `stderr_file`. Throws std::runtime_error when it cannot start.
  static std::unique_ptr<ChildProcess> start(const std::vector<std::string>& argv,
                                             const std::filesystem::path& stderr_file);
  /// Kills (SIGKILL) and reaps the child if it still runs: a failing test never leaks one.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  /// The next line of stdout (without '\n'); nullopt at end of output or at the deadline.
  std::optional<std::string> read_line(Deadline deadline);
  /// Everything on stdout until the child closes it, or what arrived before the deadline.
  std::string read_all(Deadline deadline);

  void send_signal(int signal_number);
  /// The exit code (128 + signal number when killed); nullopt at the deadline.
  std::optional<int> wait(Deadline deadline);
  bool running() const { return !exit_code_.has_value(); }

  std::string stderr_text() const;

 private:
  ChildProcess(pid_t pid, int stdout_fd, int pid_fd, std::filesystem::path stderr_file)
      : pid_(pid), stdout_fd_(stdout_fd), pid_fd_(pid_fd), stderr_file_(std::move(stderr_file)) {}
  bool fill(Deadline deadline);

  pid_t pid_;
  int stdout_fd_;
  int pid_fd_;
  std::filesystem::path stderr_file_;
  std::string pending_;
  bool stdout_closed_ = false;
  std::optional<int> exit_code_;
};

struct CommandResult {
  int exit_code = -1;  ///< -1 when it did not finish before the deadline
  std::string out;
  std::string err;
};

/// Runs a command to completion (killing it at the deadline).
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::filesystem::path& scratch_dir,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace boligflyt::e2e

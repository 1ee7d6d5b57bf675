#pragma once
// The real `boligflyt-host` binary, started on a free loopback port with its own data
// folder, and the banner it prints once it listens.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace boligflyt::e2e {

/// Paths of the binaries under test, from CMake ($<TARGET_FILE:...>).
std::string host_binary();
std::string cli_binary();

/// The embedded default configuration (the same JSON the host embeds).
std::string default_config_json();

struct HostOptions {
  std::filesystem::path data_dir;
  std::optional<std::filesystem::path> config_file;
  std::vector<std::string> extra_args;
};

class HostProcess {
 public:
  /// Starts the host and reads stdout up to the end of its banner. Returns nullptr when the
  /// host exits or the deadline passes first; `failure` then says why (with its stderr).
  static std::unique_ptr<HostProcess> start(
      const HostOptions& options, const std::filesystem::path& scratch_dir, std::string& failure,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  uint16_t port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  const std::vector<std::string>& banner() const { return banner_; }
  /// The development token the host printed for `user_id`; empty when none.
  std::string printed_token(const std::string& user_id) const;
  const std::map<std::string, std::string>& printed_tokens() const { return tokens_; }

  /// SIGTERM, then the exit code; nullopt when it did not stop before the deadline.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ChildProcess& process() { return *process_; }
  std::string stderr_text() const { return process_->stderr_text(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
  std::string base_url_;
  std::vector<std::string> banner_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace boligflyt::e2e

#pragma once
// Fixture for tests that run boligflyt-host: a fresh temporary folder per test, helpers to
// start the host on port 0, and a TearDown that never leaves a host running.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/child_process.h"
#include "support/host_process.h"
#include "support/http_client.h"

namespace boligflyt::e2e {

class HostTest : public ::testing::Test {
 protected:
  void TearDown() override { host_.reset(); }  // ~ChildProcess kills and reaps

  std::filesystem::path data_dir() const { return temp_.path() / "data"; }

  /// Writes `json` as a config file in the test folder and returns its path.
  std::filesystem::path write_config(const std::string& json,
                                     const std::string& name = "host.json") {
    std::filesystem::path path = temp_.path() / name;
    write_file(path, json);
    return path;
  }

  /// Starts a host (default config unless `config` is given) and fails the test fatally
  /// when it does not come up; use inside ASSERT_NO_FATAL_FAILURE.
  void start_host(std::optional<std::filesystem::path> config = std::nullopt) {
    HostOptions options;
    options.data_dir = data_dir();
    options.config_file = std::move(config);
    std::string failure;
    host_ = HostProcess::start(options, temp_.path(), failure);
    ASSERT_NE(host_, nullptr) << failure;
  }

  /// Starts a host that loads the stub plugin from `stub_path`.
  void start_stub_host(const std::string& stub_path = BOLIGFLYT_E2E_STUB_PLUGIN) {
    start_host(
        write_config(json_set(default_config_json(), {"plugin_path"}, json_quote(stub_path))));
  }

  std::string token(const std::string& user_id) const {
    std::string token = host_->printed_token(user_id);
    EXPECT_FALSE(token.empty()) << "no printed token for " << user_id;
    return token;
  }

  HttpResult get(const std::string& target, const Headers& headers = {}) {
    return http_request(host_->port(), "GET", target, headers);
  }

  TempDir temp_;
  std::unique_ptr<HostProcess> host_;
};

}  // namespace boligflyt::e2e

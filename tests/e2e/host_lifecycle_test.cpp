// Starting and stopping the host: graceful stop on signals, state kept across restarts,
// and clear failures when the plugin cannot be used.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>

#include "boligflyt/host/secret_key_file.h"
#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;

class HostLifecycleTest : public HostTest {
 protected:
  // Runs the host expecting it to fail at start; returns its exit code and stderr.
  std::pair<int, std::string> start_expecting_failure(const std::vector<std::string>& extra_args) {
    std::vector<std::string> argv = {host_binary(), "--listen", "127.0.0.1:0", "--data",
                                     data_dir().string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    const CommandResult result = run_command(argv, temp_.path());
    return {result.exit_code, result.err};
  }

  std::filesystem::path config_with_plugin(const std::string& plugin_path) {
    return write_config(json_set(default_config_json(), {"plugin_path"}, json_quote(plugin_path)));
  }

  static unsigned mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
};

TEST_F(HostLifecycleTest, SigtermStopsWithExitCodeZero) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_EQ(get("/healthz").status, 200u);
  const auto started = Clock::now();
  EXPECT_EQ(host_->stop(10s), 0) << host_->stderr_text();
  EXPECT_LT(Clock::now() - started, 10s);
}

TEST_F(HostLifecycleTest, SigintStopsWithExitCodeZero) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  host_->process().send_signal(SIGINT);
  EXPECT_EQ(host_->process().wait(deadline_in(10s)), 0) << host_->stderr_text();
}

TEST_F(HostLifecycleTest, IdleKeepAliveConnectionDoesNotDelayStop) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  HttpConnection idle(host_->port());
  ASSERT_EQ(idle.request("GET", "/healthz").status, 200u);
  // The connection stays open and idle; stopping must close it rather than wait for the
  // client or for the drain deadline (10 s).
  const auto started = Clock::now();
  EXPECT_EQ(host_->stop(10s), 0) << host_->stderr_text();
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_TRUE(idle.wait_for_close(5s));
}

TEST_F(HostLifecycleTest, PreferencesAndTokenSurviveRestart) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::string first_run_token = token("leder-boligkontor");
  Headers headers = bearer(first_run_token);
  headers.emplace_back("Content-Type", "application/json");
  const HttpResult put = http_request(host_->port(), "PUT", "/api/v1/me/preferences", headers,
                                      R"({"notify":"daily_digest"})");
  ASSERT_EQ(put.status, 200u) << put.error << put.body;
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();

  ASSERT_NO_FATAL_FAILURE(start_host());
  const HttpResult got = get("/api/v1/me/preferences", bearer(first_run_token));
  ASSERT_EQ(got.status, 200u) << got.error << got.body;
  EXPECT_EQ(json_at(got.body, "/notify"), "daily_digest") << got.body;
}

TEST_F(HostLifecycleTest, SecretIsPrivateAndReusedAcrossRestarts) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::filesystem::path secret = host::hs256_secret_path(data_dir());
  EXPECT_EQ(mode_of(secret), 0600u);
  EXPECT_EQ(mode_of(secret.parent_path()), 0700u);
  const std::string first = read_file(secret);
  ASSERT_EQ(host_->stop(), 0);

  ASSERT_NO_FATAL_FAILURE(start_host());
  EXPECT_EQ(read_file(secret), first);
  EXPECT_GE(first.size(), 64u);  // 32 random bytes, hex
}

TEST_F(HostLifecycleTest, MissingPluginIsReportedAndExitsNonZero) {
  const std::string missing = (temp_.path() / "finnes-ikke" / "libboligflyt.so").string();
  const auto [code, err] =
      start_expecting_failure({"--config", config_with_plugin(missing).string()});
  EXPECT_NE(code, 0);
  EXPECT_LT(code, 128) << "the host crashed instead of exiting";
  EXPECT_NE(err.find(missing), std::string::npos) << err;
  EXPECT_NE(err.find("Fant ikke"), std::string::npos) << err;
}

TEST_F(HostLifecycleTest, FileThatIsNoPluginIsReported) {
  const std::filesystem::path not_a_library = temp_.path() / "libboligflyt.so";
  write_file(not_a_library, "dette er ikke et delt bibliotek\n");
  const auto [code, err] =
      start_expecting_failure({"--config", config_with_plugin(not_a_library.string()).string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("Kan ikke laste"), std::string::npos) << err;
}

TEST_F(HostLifecycleTest, PluginCreateFailureIsReportedWithThePluginsText) {
  const auto [code, err] = start_expecting_failure(
      {"--config", config_with_plugin(BOLIGFLYT_E2E_STUB_PLUGIN_FAILING_CREATE).string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("stub: lageret i datamappen kan ikke åpnes"), std::string::npos) << err;
  EXPECT_NE(err.find("E_INIT"), std::string::npos) << err;
}

TEST_F(HostLifecycleTest, PluginWithNewerAbiMinorIsRefused) {
  const auto [code, err] = start_expecting_failure(
      {"--config", config_with_plugin(BOLIGFLYT_E2E_STUB_PLUGIN_NEWER_ABI).string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("ABI-versjon"), std::string::npos) << err;
}

// A 1.1 host loads a plugin built against 1.0: its table and responses are only as large as
// 1.0 made them, which is all this host reads.
TEST_F(HostLifecycleTest, PluginBuiltAgainstAbi10IsLoadedAndServes) {
  ASSERT_NO_FATAL_FAILURE(start_host(config_with_plugin(BOLIGFLYT_E2E_STUB_PLUGIN_ABI_1_0)));
  const auto health = get("/healthz");
  EXPECT_EQ(health.status, 200u) << host_->stderr_text();
  EXPECT_NE(health.body.find("\"ok\""), std::string::npos) << health.body;
}

TEST_F(HostLifecycleTest, PluginTableTooSmallForAbi10IsRefused) {
  const auto [code, err] = start_expecting_failure(
      {"--config", config_with_plugin(BOLIGFLYT_E2E_STUB_PLUGIN_TABLE_TOO_SMALL).string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("for liten funksjonstabell"), std::string::npos) << err;
}

TEST_F(HostLifecycleTest, BusyPortIsReported) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  TempDir other;
  const CommandResult second =
      run_command({host_binary(), "--listen", "127.0.0.1:" + std::to_string(host_->port()),
                   "--data", (other.path() / "d").string()},
                  temp_.path());
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("Kan ikke lytte på 127.0.0.1:" + std::to_string(host_->port())),
            std::string::npos)
      << second.err;
}

TEST_F(HostLifecycleTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_command({host_binary(), "--no-such-flag"}, temp_.path()).exit_code, 2);
  EXPECT_EQ(run_command({host_binary(), "--listen", "no-port"}, temp_.path()).exit_code, 2);
  const CommandResult help = run_command({host_binary(), "--help"}, temp_.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--listen"), std::string::npos);
}

TEST_F(HostLifecycleTest, BadConfigIsReportedAndExitsOne) {
  const auto [code, err] =
      start_expecting_failure({"--config", write_config(R"({"users":[{"id":"x"}]})").string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("Ugyldig konfigurasjon"), std::string::npos) << err;
}

}  // namespace
}  // namespace boligflyt::e2e

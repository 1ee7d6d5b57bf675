#include "support/host_process.h"

#include <csignal>

#include "boligflyt/host/host_config.h"

namespace boligflyt::e2e {
namespace {

constexpr std::string_view kListeningPrefix = "boligflyt-host listening on ";
constexpr std::string_view kBannerEnd = "Stopp med Ctrl+C.";

}  // namespace

std::string host_binary() { return BOLIGFLYT_E2E_HOST_BINARY; }
std::string cli_binary() { return BOLIGFLYT_E2E_CLI_BINARY; }
std::string default_config_json() { return std::string(host::embedded_default_config_json()); }

std::unique_ptr<HostProcess> HostProcess::start(const HostOptions& options,
                                                const std::filesystem::path& scratch_dir,
                                                std::string& failure,
                                                std::chrono::milliseconds timeout) {
  static int counter = 0;
  std::vector<std::string> argv = {host_binary(), "--listen", "127.0.0.1:0", "--data",
                                   options.data_dir.string()};
  if (options.config_file) {
    argv.push_back("--config");
    argv.push_back(options.config_file->string());
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  auto host = std::make_unique<HostProcess>();
  host->process_ =
      ChildProcess::start(argv, scratch_dir / ("host-" + std::to_string(++counter) + ".stderr"));
  const Deadline deadline = deadline_in(timeout);
  bool listening = false;
  while (auto line = host->process_->read_line(deadline)) {
    host->banner_.push_back(*line);
    if (line->starts_with(kListeningPrefix)) {
      // "http://ADDR:PORT", or "https://ADDR:PORT" when the host serves TLS.
      host->base_url_ = line->substr(kListeningPrefix.size());
      const std::string address = host->base_url_.substr(host->base_url_.find("://") + 3);
      host->port_ = static_cast<uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
      listening = true;
    } else if (line->starts_with("  ")) {
      // "  <user-id>  <token>"
      const std::string entry = line->substr(2);
      const std::size_t gap = entry.find("  ");
      if (gap != std::string::npos) host->tokens_[entry.substr(0, gap)] = entry.substr(gap + 2);
    } else if (*line == kBannerEnd) {
      break;
    }
  }
  if (!listening || host->banner_.empty() || host->banner_.back() != kBannerEnd) {
    const std::optional<int> code = host->process_->wait(Clock::now());
    failure = "boligflyt-host did not finish its banner (" +
              (code ? "exit code " + std::to_string(*code) : std::string("still running")) +
              "); stderr:\n" + host->stderr_text();
    return nullptr;
  }
  return host;
}

std::string HostProcess::printed_token(const std::string& user_id) const {
  auto it = tokens_.find(user_id);
  return it == tokens_.end() ? std::string() : it->second;
}

std::optional<int> HostProcess::stop(std::chrono::milliseconds timeout) {
  process_->send_signal(SIGTERM);
  return process_->wait(deadline_in(timeout));
}

}  // namespace boligflyt::e2e

#pragma once
// The host-services table handed to the plugin: the reference host's stand-ins for a quality
// system's log, notifications, document library and organisation directory. Everything is
// kept in local files under the data folder so a developer can look at what the plugin sent.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "boligflyt/host/host_config.h"
#include "boligflyt/plugin_abi.h"
#include "log/logger.h"

namespace boligflyt::host {

class HostServices {
 public:
  /// Creates DATA/outbox and DATA/documents. Throws std::runtime_error with a Norwegian text.
  HostServices(const HostConfig& config, std::filesystem::path data_dir, Logger& logger);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  /// Valid for the lifetime of this object; pass it to create().
  const boligflyt_host_services& table() const { return table_; }

  // The services themselves; thread-safe. `error` receives a message for the plugin's log.
  void log(boligflyt_log_level level, std::string_view json);
  bool notify(std::string_view json, std::string& error);
  /// ABI 1.2: the notifications that are JSON objects go to the outbox file with one write and
  /// one fsync (results[i] = 0); the others get results[i] = 1. False when none could be kept.
  bool notify_batch(std::span<const boligflyt_str> notifications, std::span<int> results,
                    std::string& error);
  bool publish_document(std::string_view meta_json, std::span<const uint8_t> content,
                        std::string& error);
  bool directory_lookup(std::string_view query_json, std::string& answer, std::string& error);
  /// ABI 1.1: the host's own avvik register, one JSON line per new revision of an avvik; a
  /// revision it already has (a retry) or an older one is not written again.
  bool mirror_deviation(std::string_view json, std::string& error);

  std::filesystem::path outbox_file() const { return data_dir_ / "outbox" / "notifications.jsonl"; }
  std::filesystem::path documents_dir() const { return data_dir_ / "documents"; }
  std::filesystem::path register_file() const { return data_dir_ / "register" / "avvik.jsonl"; }

 private:
  const HostConfig& config_;
  std::filesystem::path data_dir_;
  Logger& logger_;
  bool append_to_outbox(std::string_view lines, std::string& error);

  std::mutex outbox_mutex_;
  std::mutex documents_mutex_;
  std::mutex register_mutex_;
  std::map<std::string, std::int64_t, std::less<>> register_revisions_;  // id → newest kept
  boligflyt_host_services table_{};
};

/// A file name from a document title: lower-case ASCII, æøå spelt out, other runs as '-'.
/// Empty when nothing usable remains.
std::string sanitise_file_name(std::string_view title);

}  // namespace boligflyt::host

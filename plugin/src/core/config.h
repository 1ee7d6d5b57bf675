#pragma once
// The plugin's configuration, handed over by the host as JSON at create(). Unknown keys are
// refused so a typo does not silently fall back to a default.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "observability/logger.h"
#include "smtp/smtp_settings.h"
#include "webdav/webdav_settings.h"

namespace boligflyt {

struct PluginConfig {
  std::string data_dir;  // required, absolute; holds the SQLite database
  // The procedure XML files and units.xml. The ABI entry fills it with the installed
  // procedures when the host passes none (abi/installed_paths.h); empty only in tests.
  std::string procedures_dir;
  std::string schema_file;  // another procedure XSD; default the one compiled into the plugin
  std::string store_kind = "sqlite";              // sqlite | postgresql
  std::string store_connection;                   // libpq conninfo for postgresql; never logged
  std::string deviation_receive_within = "P3D";   // ISO 8601: time to receive an avvik
  std::string deviation_close_within = "P30D";    // ISO 8601: time to close it
  int notification_first_retry_seconds = 30;      // outbox backoff: first delay, doubling …
  int notification_max_retry_seconds = 6 * 3600;  // … up to this
  int notification_max_attempts = 12;             // then "dead" (visible, not dropped)
  // Archive export (Fiks Arkiv arkivmelding through a file drop).
  bool archive_enabled = true;
  std::string archive_protocol = "v1";        // v1 | v2
  std::string archive_package = "folder";     // folder | asice (one ASiC-E container per message)
  std::string archive_drop_dir;               // default <data_dir>/arkiv/utgaaende
  std::string archive_inbox_dir;              // default <data_dir>/arkiv/kvitteringer
  std::string archive_schemas_dir;            // official Fiks Arkiv XSDs, to validate receipts
  std::string archive_journalposttype = "X";  // X uten oppfølging (default) | N for oppfølging
  bool archive_export_on_register = false;
  std::string archive_fagsystem = "boligflyt";
  std::string archive_classification_system;  // klassifikasjonssystem, "" = none
  std::string archive_classification_class;   // klasseID
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  LogLevel log_level = LogLevel::kInfo;
  int maintenance_interval_ms = 60'000;
  // deviations.data_protection_officer: {"user": id} or {"unit": id}; neither: whoever holds
  // the role data_protection_officer.
  std::string deviation_privacy_officer_user;
  std::string deviation_privacy_officer_unit;
  std::string deviation_escalate_after = "P1D";  // ISO 8601: escalation this long past a deadline
  // development.clock_offset_seconds: the plugin's clock runs this far ahead, so end-to-end
  // tests can let deadlines pass. Only the reference host's development mode sets it (it
  // refuses the key in its own "plugin" settings and off loopback); 0 everywhere else.
  long long development_clock_offset_seconds = 0;
  /// The catalogue of cause codes required at closing an avvik, as (code, Norwegian label);
  /// empty: the default catalogue (deviation/categories.h).
  std::vector<std::pair<std::string, std::string>> cause_codes;
  // Attachments of an avvik: the largest file taken (at most max_body_bytes, which carries it).
  std::size_t attachment_max_file_bytes = 8 * 1024 * 1024;
  // "mail": the plugin's own e-mail to the people a notification names (adapters/smtp);
  // absent: notifications go to the host only.
  std::optional<adapters::SmtpSettings> mail;
  // "document_library": the municipality's document library over WebDAV (adapters/webdav),
  // which gets every published version as HTML, PDF/A and XML; absent: the host's library
  // gets the HTML document (publish_document).
  std::optional<adapters::WebDavSettings> document_library;
};

/// Parses and checks the configuration; the error's detail names the key and, for syntax
/// errors, line and column.
Result<PluginConfig> parse_plugin_config(std::string_view json);

}  // namespace boligflyt

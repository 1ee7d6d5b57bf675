#pragma once
// Port: the host quality system — what the plugin needs from the system it lives in.
// Adapter: adapters/host_abi_table (the C ABI host-services table, with the plugin's own
// stand-ins for entries the host leaves NULL).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace boligflyt::ports {

class HostServices {
 public:
  virtual ~HostServices() = default;

  /// Directory lookup; `query_json` as in plugin_abi.h. nullopt when the host has no directory.
  virtual Result<std::optional<std::string>> directory_lookup(const std::string& query_json) = 0;

  /// Hand a notification to the host. An error means "not delivered now, keep and retry".
  virtual Result<void> notify(const std::string& notification_json) = 0;

  /// Hand several notifications to the host at once (ABI 1.2 notify_batch): one outcome per
  /// notification, in order. Without the host entry, one notify() each.
  virtual std::vector<Result<void>> notify_batch(
      const std::vector<const std::string*>& notifications) {
    std::vector<Result<void>> out;
    out.reserve(notifications.size());
    for (const std::string* json : notifications) out.push_back(notify(*json));
    return out;
  }

  /// Put a document in the host's document library (`meta_json` as in plugin_abi.h).
  virtual Result<void> publish_document(const std::string& meta_json, std::string_view content) = 0;

  /// Whether the host delivers notifications itself (its notify entry is set).
  virtual bool can_notify() const { return true; }

  /// ABI 1.1: whether the host keeps an avvik register of its own that avvik are mirrored to.
  virtual bool can_mirror_deviations() const { return false; }
  /// Record one avvik in the host's register (`json` as in plugin_abi.h mirror_deviation).
  /// An error means "not recorded now, keep and retry".
  virtual Result<void> mirror_deviation(const std::string& /*json*/) {
    return make_error(ErrorKind::kUnavailable, "mirror-unavailable",
                      "Vertssystemets avviksregister er ikke tilgjengelig",
                      "Avviket kunne ikke speiles nå og blir forsøkt på nytt.", {},
                      "host has no mirror_deviation service");
  }
};

}  // namespace boligflyt::ports

#pragma once
// Adapter: the host quality system port implemented by the C host-services table. Entries
// the host leaves NULL fall back to the plugin's own behaviour.

#include <memory>

#include "boligflyt/plugin_abi.h"
#include "observability/logger.h"
#include "ports/host_services.h"

namespace boligflyt::adapters {

/// The factory. The table must outlive the returned object (the ABI requires the host to keep it
/// alive).
std::unique_ptr<ports::HostServices> make_table_host_services(const boligflyt_host_services& table);

/// A log sink writing through the table's `log` entry, or stderr when it is NULL.
LogSink make_table_log_sink(const boligflyt_host_services& table);

}  // namespace boligflyt::adapters

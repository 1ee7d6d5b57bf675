#pragma once
// The organisation directory the plugin asks for (plugin_abi.h, directory_lookup), answered
// from a host configuration's units and users. One implementation, shared by the reference
// host's host-services table and by the CLI (which builds archive exports offline).

#include <string>
#include <string_view>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {

/// Answers `query_json` ({"unit_id":…} | {"user_id":…} | {"leaders_of":…}). True with the JSON
/// `answer` — "null" when there is no such unit or user: that is an answer, not a failure to
/// retry — or false with `error` (for the log) when the query cannot be read.
bool answer_directory_query(const HostConfig& config, std::string_view query_json,
                            std::string& answer, std::string& error);

}  // namespace boligflyt::host

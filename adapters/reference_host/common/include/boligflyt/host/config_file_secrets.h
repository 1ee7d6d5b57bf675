#pragma once
/// A configuration file that holds a secret (a password in a PostgreSQL connection string, a
/// `password` or `client_secret` value) must be readable by its owner only, like an ssh key.

#include <filesystem>
#include <string_view>

namespace boligflyt::host {

/// True when the JSON text holds a secret itself (not only the path of a file with one).
bool config_holds_secret(std::string_view json_text);

/// Throws ConfigError (Norwegian, naming the file and the fix) when `file` holds a secret and
/// its group or others may read it.
void refuse_readable_secrets(const std::filesystem::path& file, std::string_view json_text);

}  // namespace boligflyt::host

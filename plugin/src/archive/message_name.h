#pragma once
// The name an archive message goes by at the archive side: its folder or container name in
// the drop, and the prefix of a feilmelding file about it ("<name>.<anything>.xml").

#include <string>

namespace boligflyt::archive {

/// "<key with unsafe characters replaced>-<12 hex of SHA-256(key)>": safe, unique per key,
/// never derived from user text (keys are built from ids).
std::string folder_name_for(const std::string& export_key);

}  // namespace boligflyt::archive

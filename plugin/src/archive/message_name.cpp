#include "archive/message_name.h"

#include <algorithm>

#include "util/sha256.h"

namespace boligflyt::archive {

std::string folder_name_for(const std::string& export_key) {
  std::string safe;
  safe.reserve(std::min<std::size_t>(export_key.size(), 80));
  for (const char c : export_key) {
    if (safe.size() >= 80) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    safe.push_back(ok ? c : '-');
  }
  // Never a hidden or relative name, whatever the key.
  while (!safe.empty() && (safe.front() == '.' || safe.front() == '-')) safe.erase(0, 1);
  return safe + (safe.empty() ? "" : "-") + util::sha256_hex(export_key).substr(0, 12);
}

}  // namespace boligflyt::archive

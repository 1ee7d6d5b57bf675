#include "abi/installed_paths.h"

#include <dlfcn.h>

#include <array>
#include <filesystem>
#include <system_error>

namespace boligflyt::abi {

std::string installed_procedures_dir() {
  namespace fs = std::filesystem;
  Dl_info info{};
  // Any function of this library tells where the library was loaded from.
  if (::dladdr(reinterpret_cast<const void*>(&installed_procedures_dir), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  std::error_code ec;
  const fs::path library = fs::canonical(info.dli_fname, ec);
  if (ec) return {};
  const std::array<fs::path, 2> candidates = {
      library.parent_path() / BOLIGFLYT_PROCEDURES_FROM_LIBRARY,
      library.parent_path() / ".." / "share" / "boligflyt" / "procedures"};
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate / "units.xml", ec)) {
      return fs::weakly_canonical(candidate, ec).string();
    }
  }
  return {};
}

}  // namespace boligflyt::abi

#pragma once
// The official KS Fiks Arkiv schemas are not ours to copy into the repository, so tests that
// validate against them find them through one setting, BOLIGFLYT_OFFICIAL_SCHEMAS_DIR (CMake
// cache option, or the environment variable of the same name when configuring), and are
// skipped with the reason when they are not there. tests/CMakeLists.txt tells CTest that the
// reason means "skipped" (SKIP_REGULAR_EXPRESSION), so such a test never passes or fails.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace boligflyt::test_support {

/// The configured folder holding `fiks-arkiv-v1/` and `fiks-arkiv-v2/`; may be empty.
inline std::string official_schemas_dir() { return BOLIGFLYT_OFFICIAL_SCHEMAS_DIR; }

/// True when both protocol versions' schema folders are there.
inline bool official_schemas_available() {
  const std::filesystem::path dir = official_schemas_dir();
  if (dir.empty()) return false;
  std::error_code ec;
  return std::filesystem::is_directory(dir / "fiks-arkiv-v1", ec) &&
         std::filesystem::is_directory(dir / "fiks-arkiv-v2", ec);
}

/// The skip reason; CTest matches its first words (tests/CMakeLists.txt).
inline std::string official_schemas_missing_reason() {
  return "needs the official Fiks Arkiv schemas (fiks-arkiv-v1/ and fiks-arkiv-v2/): configure "
         "with -DBOLIGFLYT_OFFICIAL_SCHEMAS_DIR=<folder> or set the environment variable "
         "BOLIGFLYT_OFFICIAL_SCHEMAS_DIR before configuring; configured: '" +
         official_schemas_dir() + "'";
}

}  // namespace boligflyt::test_support

/// Skips the current test (from its body or SetUp) when the official schemas are missing.
#define BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS()                     \
  if (::boligflyt::test_support::official_schemas_available()) { \
  } else GTEST_SKIP() << ::boligflyt::test_support::official_schemas_missing_reason()

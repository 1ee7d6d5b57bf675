#pragma once
// Shared helpers for plugin unit tests: a temporary folder that removes itself, and a
// request builder.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "api/http.h"

namespace boligflyt::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "boligflyt-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline api::Principal leader_of(const std::string& unit) {
  return api::Principal{"leder-" + unit, "Leder " + unit, {unit}, {"unit_leader"}};
}

}  // namespace boligflyt::testing

#pragma once
// A subcommand of `boligflyt`. main() only finds the command by name and runs it; each
// command parses its own arguments, so a new one (procedure validate, procedure diff, ...)
// is one more entry in the table in main.cpp.

#include <span>
#include <string>
#include <string_view>

namespace boligflyt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string_view name;
  std::string_view summary;  ///< one line of Norwegian for `boligflyt --help`
  int (*run)(std::span<const std::string> args);
};

int run_dev_token(std::span<const std::string> args);
int run_procedure(std::span<const std::string> args);
int run_deviation(std::span<const std::string> args);
int run_store(std::span<const std::string> args);
int run_archive(std::span<const std::string> args);

}  // namespace boligflyt::cli

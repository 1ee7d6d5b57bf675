// boligflyt: command-line tools for the boligflyt plugin and its reference host.

#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"

#ifndef BOLIGFLYT_VERSION
#define BOLIGFLYT_VERSION "0.0.0"
#endif

namespace {

using boligflyt::cli::Command;

constexpr std::array kCommands = {
    Command{"dev-token", "lag et utviklingstoken for en bruker, eller list brukerne (--list)",
            &boligflyt::cli::run_dev_token},
    Command{"procedure", "kontroller prosedyrefiler (validate) eller sammenlign versjoner (diff)",
            &boligflyt::cli::run_procedure},
    Command{"deviation", "kontroller at avvikshistorikken er uendret (verify-history)",
            &boligflyt::cli::run_deviation},
    Command{"store",
            "sikkerhetskopi (backup), kontroll (verify) og gjenoppretting (restore) av databasen",
            &boligflyt::cli::run_store},
    Command{"archive", "lag en arkivmelding (Fiks Arkiv) for ett avvik (export)",
            &boligflyt::cli::run_archive},
};

void print_help(std::ostream& out) {
  out << "Bruk: boligflyt <kommando> [valg]\n\nKommandoer:\n";
  for (const Command& command : kCommands) {
    out << "  " << command.name
        << std::string(12 - std::min<std::size_t>(command.name.size(), 11), ' ') << command.summary
        << "\n";
  }
  out << "\nValg:\n  --help      vis denne hjelpen\n  --version   vis versjonen\n"
         "\nSe «boligflyt <kommando> --help» for valgene til en kommando.\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return boligflyt::cli::kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(std::cout);
    return boligflyt::cli::kExitOk;
  }
  if (name == "--version") {
    std::cout << "boligflyt " << BOLIGFLYT_VERSION << "\n";
    return boligflyt::cli::kExitOk;
  }
  for (const Command& command : kCommands) {
    if (command.name == name) {
      try {
        return command.run(std::span<const std::string>(args).subspan(1));
      } catch (const std::exception& e) {
        std::cerr << "boligflyt " << command.name << ": " << e.what() << "\n";
        return boligflyt::cli::kExitFailure;
      }
    }
  }
  std::cerr << "boligflyt: ukjent kommando «" << name << "». Se «boligflyt --help».\n";
  return boligflyt::cli::kExitUsage;
}

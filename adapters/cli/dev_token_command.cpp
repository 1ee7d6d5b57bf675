// `boligflyt dev-token`: development tokens for the reference host's configured users,
// signed with the same data-folder secret that boligflyt-host uses.

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <optional>

#include "boligflyt/host/host_config.h"
#include "boligflyt/host/secret_key_file.h"
#include "boligflyt/host/token_authority.h"
#include "command.h"

namespace boligflyt::cli {
namespace {

namespace fs = std::filesystem;
using host::HostConfig;
using host::User;

constexpr std::string_view kUsage =
    "Bruk: boligflyt dev-token BRUKER [--data MAPPE] [--config FIL]\n"
    "      boligflyt dev-token --list [--format text|json] [--config FIL]\n"
    "\n"
    "Skriver ut et utviklingstoken (HS256) for en konfigurert bruker, signert med\n"
    "hemmeligheten i datamappen (samme som boligflyt-host bruker; den lages om den mangler).\n"
    "\n"
    "  --list           list brukerne: id, navn, enheter og roller, skilt med tabulator\n"
    "  --format FORMAT  text (standard) eller json, for --list\n"
    "  --data MAPPE     datamappe (standard: ./boligflyt-data)\n"
    "  --config FIL     vertskonfigurasjon (standard: den innebygde)\n";

struct Arguments {
  std::optional<std::string> user;
  bool list = false;
  bool help = false;
  std::string format = "text";
  std::optional<fs::path> data;
  std::optional<fs::path> config;
};

// Returns an error message for the user, or nothing.
std::optional<std::string> parse(std::span<const std::string> args, Arguments& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& target) -> bool {
      if (i + 1 >= args.size()) return false;
      target = args[++i];
      return true;
    };
    std::string text;
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "--list") {
      out.list = true;
    } else if (arg == "--format") {
      if (!value(out.format)) return "--format mangler en verdi.";
      if (out.format != "text" && out.format != "json") return "--format må være text eller json.";
    } else if (arg == "--data") {
      if (!value(text)) return "--data mangler en verdi.";
      out.data = text;
    } else if (arg == "--config") {
      if (!value(text)) return "--config mangler en verdi.";
      out.config = text;
    } else if (arg.starts_with("-")) {
      return "ukjent valg «" + arg + "».";
    } else if (out.user) {
      return "bare én bruker om gangen (fikk «" + *out.user + "» og «" + arg + "»).";
    } else {
      out.user = arg;
    }
  }
  if (!out.help && out.list == out.user.has_value()) {
    return out.list ? "--list og en bruker kan ikke kombineres." : "angi en bruker eller --list.";
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

void list_users(const HostConfig& config, const std::string& format) {
  if (format == "json") {
    boost::json::array users;
    for (const User& user : config.users) {
      boost::json::object o;
      o["id"] = user.id;
      o["display_name"] = user.display_name;
      o["units"] = boost::json::array(user.units.begin(), user.units.end());
      o["roles"] = boost::json::array(user.roles.begin(), user.roles.end());
      users.push_back(std::move(o));
    }
    std::cout << boost::json::serialize(users) << "\n";
    return;
  }
  for (const User& user : config.users) {
    std::cout << user.id << '\t' << user.display_name << '\t' << join(user.units) << '\t'
              << join(user.roles) << '\n';
  }
}

}  // namespace

int run_dev_token(std::span<const std::string> args) {
  Arguments arguments;
  if (auto error = parse(args, arguments)) {
    std::cerr << "boligflyt dev-token: " << *error << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (arguments.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  const HostConfig config = host::load_host_config(arguments.config);
  if (arguments.list) {
    list_users(config, arguments.format);
    return kExitOk;
  }
  const User* user = config.find_user(*arguments.user);
  if (user == nullptr) {
    std::cerr << "boligflyt dev-token: ukjent bruker «" << *arguments.user << "» i "
              << config.source << ". Se «boligflyt dev-token --list».\n";
    return kExitUsage;
  }
  if (config.auth.rs256_public_key_file) {
    std::cerr << "boligflyt dev-token: konfigurasjonen bruker RS256-tokener fra en "
                 "identitetsleverandør; utviklingstokener er slått av.\n";
    return kExitFailure;
  }
  const fs::path data_dir = host::resolve_data_dir(arguments.data, config);
  host::SecretKey secret = host::load_or_create_hs256_secret(data_dir);
  if (secret.created) {
    std::cerr << "boligflyt dev-token: laget ny hemmelighet i "
              << host::hs256_secret_path(data_dir).string() << "\n";
  }
  const auto authority = host::TokenAuthority::hs256(std::move(secret.bytes), config);
  std::cout << authority->issue(*user) << "\n";
  return kExitOk;
}

}  // namespace boligflyt::cli

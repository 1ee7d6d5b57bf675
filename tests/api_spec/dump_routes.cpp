// Prints the routes a freshly started plugin instance serves, as JSON:
//   {"version":"0.1.0","routes":[{"method":"GET","pattern":"/healthz"}, ...]}
// check_spec.mjs compares them with schemas/openapi.yaml. The instance is real and configured
// through the same JSON the host hands to create(), so a route registered anywhere shows up.
//
// usage: api_spec_dump_routes [--procedures-dir DIR] [--schema-file XSD]
// Routes that exist only with some configuration (the procedure routes need procedures) are
// registered only when given it: the test passes everything that turns routes on.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/instance.h"
#include "ports/host_services.h"

namespace {

namespace fs = std::filesystem;

// Answers like a host without a directory and without notifications: enough to start.
class NullHost final : public boligflyt::ports::HostServices {
 public:
  // ports::HostServices
  boligflyt::Result<std::optional<std::string>> directory_lookup(const std::string&) override {
    return std::optional<std::string>{};
  }
  boligflyt::Result<void> notify(const std::string&) override { return {}; }
  boligflyt::Result<void> publish_document(const std::string&, std::string_view) override {
    return {};
  }
};

// A fresh folder under the system temp dir, removed again when this goes out of scope.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (fs::temp_directory_path() / "boligflyt-routes-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> options;  // config key, value
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const char* key = arg == "--procedures-dir" ? "procedures_dir"
                      : arg == "--schema-file"  ? "schema_file"
                                                : nullptr;
    if (key == nullptr || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--procedures-dir DIR] [--schema-file XSD]\n", argv[0]);
      return 2;
    }
    options.emplace_back(key, argv[++i]);
  }

  try {
    const ScratchDir scratch;
    // No maintenance tick while we look: the instance lives for milliseconds.
    std::string config_json = "{\"data_dir\":" + json_string((scratch.path() / "data").string()) +
                              ",\"maintenance_interval_ms\":86400000";
    for (const auto& [key, value] : options) {
      config_json += ",\"" + key + "\":" + json_string(value);
    }
    config_json += "}";
    auto config = boligflyt::parse_plugin_config(config_json);
    if (!config) {
      std::fprintf(stderr, "dump_routes: configuration refused: %s (%s)\n",
                   config.error().detail.c_str(), config.error().field.c_str());
      return EXIT_FAILURE;
    }

    std::string out = "{\"version\":" + json_string(BOLIGFLYT_VERSION) + ",\"routes\":[";
    {
      boligflyt::Instance instance(
          *config, [](boligflyt::LogLevel, std::string_view) {}, std::make_unique<NullHost>());
      bool first = true;
      for (const auto& route : instance.router().routes()) {
        out += first ? "\n  " : ",\n  ";
        out += "{\"method\":" + json_string(route.method) +
               ",\"pattern\":" + json_string(route.pattern) + "}";
        first = false;
      }
    }
    out += "\n]}\n";
    std::fputs(out.c_str(), stdout);
    return std::fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dump_routes: cannot start a plugin instance: %s\n", e.what());
    return EXIT_FAILURE;
  }
}

// `boligflyt archive export --deviation ID --out DIR`: a one-off export of one avvik as a
// Fiks Arkiv arkivmelding message (arkivmelding.xml, the PDF/A-2b report and the XML) into
// a folder, for an archivist who needs it outside the normal outbox flow. It reads the store
// and the procedures; it writes nothing but the message folder.
//
// Exit codes: 0 written, 1 the export failed, 2 usage error or the store could not be opened.

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "archive/export_service.h"
#include "archive/message_name.h"
#include "archive_file_drop/file_drop.h"
#include "boligflyt/host/directory.h"
#include "boligflyt/host/host_config.h"
#include "command.h"
#include "deviation/record.h"
#include "host_abi_table/host_directory.h"
#include "store_postgresql/postgresql_store.h"
#include "store_sqlite/sqlite_store.h"

#ifndef BOLIGFLYT_SOURCE_DIR
#error "BOLIGFLYT_SOURCE_DIR must be defined by the build"
#endif

namespace boligflyt::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kHelp =
    "Bruk:\n"
    "  boligflyt archive export --deviation ID --out MAPPE\n"
    "        (--data MAPPE | --postgresql TILKOBLING) [--config FIL] [--procedures MAPPE]\n"
    "        [--protocol v1|v2]\n"
    "\n"
    "Lager én arkivmelding (Fiks Arkiv) for avviket: en mappe under --out med\n"
    "arkivmelding.xml, avviksrapporten som PDF/A-2b og avviket som XML. Enheter og ledere\n"
    "hentes fra vertskonfigurasjonen (standard: den innebygde). Et lukket avvik eksporteres\n"
    "med samme nøkler som den vanlige eksporten ved lukking.\n"
    "Avslutningskoder: 0 skrevet, 1 eksporten feilet, 2 bruksfeil.\n";

// The directory the plugin asks for, answered from a host config by the same code the
// reference host uses (boligflyt/host/directory.h).
class ConfigDirectory final : public ports::HostServices {
 public:
  explicit ConfigDirectory(host::HostConfig config) : config_(std::move(config)) {}

  // ports::HostServices
  Result<std::optional<std::string>> directory_lookup(const std::string& query_json) override {
    std::string answer;
    std::string error;
    if (!host::answer_directory_query(config_, query_json, answer, error)) {
      return std::optional<std::string>{};
    }
    return std::optional<std::string>(std::move(answer));
  }
  Result<void> notify(const std::string&) override {
    return internal_error("the archive command sends no notifications");
  }
  Result<void> publish_document(const std::string&, std::string_view) override {
    return internal_error("the archive command publishes no documents");
  }

 private:
  host::HostConfig config_;
};

struct Options {
  std::string deviation;
  std::string out;
  std::string data_dir;
  std::string postgresql;
  std::optional<fs::path> config;
  std::string procedures;
  std::string protocol = "v1";
};

std::optional<Options> parse(std::span<const std::string> args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "Ukjent eller ufullstendig valg «" << a << "».\n" << kHelp;
      return std::nullopt;
    }
    const std::string& v = args[++i];
    if (a == "--deviation") o.deviation = v;
    else if (a == "--out") o.out = v;
    else if (a == "--data") o.data_dir = v;
    else if (a == "--postgresql") o.postgresql = v;
    else if (a == "--config") o.config = v;
    else if (a == "--procedures") o.procedures = v;
    else if (a == "--protocol") o.protocol = v;
    else {
      std::cerr << "Ukjent valg «" << a << "».\n" << kHelp;
      return std::nullopt;
    }
  }
  if (o.deviation.empty() || o.out.empty()) {
    std::cerr << "Oppgi --deviation ID og --out MAPPE.\n" << kHelp;
    return std::nullopt;
  }
  if (o.data_dir.empty() == o.postgresql.empty()) {
    std::cerr << "Oppgi enten --data MAPPE eller --postgresql TILKOBLING.\n" << kHelp;
    return std::nullopt;
  }
  if (!archive::parse_protocol(o.protocol)) {
    std::cerr << "--protocol må være v1 eller v2.\n";
    return std::nullopt;
  }
  return o;
}

}  // namespace

int run_archive(std::span<const std::string> args) {
  if (args.empty() || args[0] != "export") {
    std::cerr << kHelp;
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kExitOk : kExitUsage;
  }
  const auto o = parse(args.subspan(1));
  if (!o) return kExitUsage;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ports::HostServices> directory;
  try {
    if (!o->postgresql.empty()) {
      store = store::open_postgresql_store(o->postgresql);
    } else {
      const auto path = fs::path(o->data_dir) / "boligflyt.sqlite3";
      if (!fs::exists(path)) throw std::runtime_error("fant ingen database i " + o->data_dir);
      store = store::open_sqlite_store(path.string());
    }
    directory = std::make_unique<ConfigDirectory>(host::load_host_config(o->config));
  } catch (const std::exception& e) {
    std::cerr << "boligflyt archive: " << e.what() << "\n";
    return kExitUsage;
  }
  const fs::path source(BOLIGFLYT_SOURCE_DIR);
  const std::string procedures_dir =
      o->procedures.empty() ? (source / "procedures").string() : o->procedures;
  const std::string schema =
      (fs::path(procedures_dir) / ".." / "schemas" / "procedure.xsd").lexically_normal().string();
  Logger logger(Logger::stderr_sink(), LogLevel::kWarn);
  try {
    const auto people = adapters::make_host_directory(*directory);
    procedure::ProcedureService procedures(*store, *directory, logger, procedures_dir, schema,
                                           {.directory = people.get()});
    archive::ArchiveSettings settings;
    settings.protocol = *archive::parse_protocol(o->protocol);
    settings.export_on_register = true;
    archive::ExportService exports(*store, procedures, *people, logger, settings,
                                   adapters::make_file_drop_transport(o->out, ""));
    auto found = store->get_deviation(o->deviation);
    if (!found || !found->has_value()) {
      std::cerr << "Fant ikke avviket «" << o->deviation << "».\n";
      return kExitFailure;
    }
    const auto& r = **found;
    const bool closed = deviation::status_of(r) == deviation::Status::kClosed;
    const archive::ExportMessages messages(settings);
    const auto message = messages.export_of(r, closed ? "lukket" : "registrert", r.revision);
    auto built = exports.build(*message);
    if (!built) {
      std::cerr << "Eksporten feilet: " << built.error().detail << "\n";
      return kExitFailure;
    }
    adapters::FileDropTransport drop(o->out, "");
    if (auto ok = drop.deliver(*built); !ok) {
      std::cerr << "Eksporten feilet: " << ok.error().detail << "\n";
      return kExitFailure;
    }
    std::cout << "Arkivmelding skrevet til "
              << (fs::path(o->out) / archive::folder_name_for(built->export_key)).string() << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "boligflyt archive: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace boligflyt::cli

// `boligflyt deviation verify-history` and `boligflyt store backup`: for the operator of an
// installation. Both open the plugin's own store (SQLite in the data folder, or PostgreSQL
// with a connection string), read-only except for the backup file they write.
//
// Exit codes (stable, for scripts):
//   0  verify-history: every chain holds        backup: the copy is written
//   1  verify-history: a history was altered    backup: the copy failed
//   2  usage error, or the store could not be opened

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "command.h"
#include "deviation/service.h"
#include "store_postgresql/postgresql_store.h"
#include "store_sqlite/sqlite_store.h"

namespace boligflyt::cli {
namespace {

namespace fs = std::filesystem;

struct StoreOptions {
  std::string data_dir;
  std::string postgresql;  // libpq conninfo; never printed
  std::string out;
  std::string id;
};

std::optional<StoreOptions> parse(std::span<const std::string> args, bool wants_out,
                                  std::string_view help) {
  StoreOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::optional<std::string> v;
    if (a == "--help" || a == "-h") {
      std::cout << help;
      return std::nullopt;
    }
    if (a == "--data" && (v = value())) {
      o.data_dir = *v;
    } else if (a == "--postgresql" && (v = value())) {
      o.postgresql = *v;
    } else if (wants_out && a == "--out" && (v = value())) {
      o.out = *v;
    } else if (!wants_out && a == "--id" && (v = value())) {
      o.id = *v;
    } else {
      std::cerr << "Ukjent eller ufullstendig valg «" << a << "».\n" << help;
      return std::nullopt;
    }
  }
  if (o.data_dir.empty() == o.postgresql.empty()) {
    std::cerr << "Oppgi enten --data MAPPE eller --postgresql TILKOBLING.\n" << help;
    return std::nullopt;
  }
  if (wants_out && o.out.empty()) {
    std::cerr << "Oppgi --out FIL.\n" << help;
    return std::nullopt;
  }
  return o;
}

std::unique_ptr<store::Store> open(const StoreOptions& o) {
  if (!o.postgresql.empty()) return store::open_postgresql_store(o.postgresql);
  const auto path = fs::path(o.data_dir) / "boligflyt.sqlite3";
  if (!fs::exists(path)) {
    throw std::runtime_error("fant ingen database i " + o.data_dir + " (boligflyt.sqlite3)");
  }
  return store::open_sqlite_store(path.string());
}

constexpr std::string_view kDeviationHelp =
    "Bruk:\n"
    "  boligflyt deviation verify-history (--data MAPPE | --postgresql TILKOBLING) [--id ID]\n"
    "\n"
    "Kontrollerer at historikken til hvert avvik (eller ett, med --id) er uendret: hver\n"
    "hendelse bærer hashen av den forrige, så en endret, fjernet eller flyttet hendelse\n"
    "oppdages. Avslutningskoder: 0 alt i orden, 1 endret historikk funnet, 2 bruksfeil.\n";

constexpr std::string_view kStoreHelp =
    "Bruk:\n"
    "  boligflyt store backup --data MAPPE --out FIL\n"
    "\n"
    "Tar en konsistent sikkerhetskopi av SQLite-databasen mens tjenesten kjører (lesere og\n"
    "skrivere fortsetter). For PostgreSQL brukes pg_dump.\n";

}  // namespace

int run_deviation(std::span<const std::string> args) {
  if (args.empty() || args[0] != "verify-history") {
    std::cerr << kDeviationHelp;
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kExitOk : kExitUsage;
  }
  const auto options = parse(args.subspan(1), false, kDeviationHelp);
  if (!options) return kExitUsage;
  std::unique_ptr<store::Store> store;
  try {
    store = open(*options);
  } catch (const std::exception& e) {
    std::cerr << "boligflyt deviation: " << e.what() << "\n";
    return kExitUsage;
  }
  std::vector<std::string> ids;
  if (!options->id.empty()) {
    ids.push_back(options->id);
  } else {
    store::DeviationQuery q;
    q.sort = "id";
    q.descending = false;
    q.limit = 500;
    for (;;) {
      auto page = store->list_deviations(q);
      if (!page) {
        std::cerr << "Kunne ikke lese avvikene: " << page.error().detail << "\n";
        return kExitFailure;
      }
      for (const auto& d : page->items) ids.push_back(d.id);
      if (!page->more) break;
      q.after_sort_value = page->next_sort_value;
      q.after_id = page->next_id;
    }
  }
  std::size_t broken = 0;
  std::size_t events = 0;
  for (const auto& id : ids) {
    auto history = store->deviation_history(id);
    if (!history) {
      std::cerr << id << ": kunne ikke lese historikken: " << history.error().detail << "\n";
      ++broken;
      continue;
    }
    if (history->empty()) {
      std::cout << id << ": finnes ikke eller har ingen historikk\n";
      ++broken;
      continue;
    }
    events += history->size();
    if (const auto seq = deviation::verify_history(id, *history); seq != 0) {
      std::cout << id << ": historikken er endret fra hendelse " << seq << "\n";
      ++broken;
    }
  }
  std::cout << ids.size() << " avvik, " << events << " hendelser kontrollert; " << broken
            << (broken == 1 ? " med endret historikk.\n" : " med endret historikk.\n");
  return broken == 0 ? kExitOk : kExitFailure;
}

int run_store(std::span<const std::string> args) {
  if (args.empty() || args[0] != "backup") {
    std::cerr << kStoreHelp;
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kExitOk : kExitUsage;
  }
  const auto options = parse(args.subspan(1), true, kStoreHelp);
  if (!options) return kExitUsage;
  std::unique_ptr<store::Store> store;
  try {
    store = open(*options);
  } catch (const std::exception& e) {
    std::cerr << "boligflyt store: " << e.what() << "\n";
    return kExitUsage;
  }
  if (auto ok = store->backup_to(options->out); !ok) {
    std::cerr << "Sikkerhetskopien feilet: " << ok.error().detail << "\n";
    return kExitFailure;
  }
  std::cout << "Sikkerhetskopi skrevet til " << options->out << "\n";
  return kExitOk;
}

}  // namespace boligflyt::cli

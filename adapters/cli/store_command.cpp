// The operator's commands on an installation's store (SQLite in the data folder, or
// PostgreSQL with a connection string):
//   deviation verify-history  the hash chains of every avvik's history
//   store backup              a consistent online copy (SQLite)
//   store verify              the engine's own check, the store's promises, every history
//   store restore             a verified copy put in place of the database (SQLite, service
//                             stopped), the replaced one kept beside it
//
// Exit codes (stable, for scripts):
//   0  all in order / the copy is written / restored
//   1  a problem found (altered history, damaged store) / the copy or restore failed
//   2  usage error, the store could not be opened, or the service holds the data folder

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "command.h"
#include "deviation/service.h"
#include "store_postgresql/postgresql_store.h"
#include "store_sqlite/sqlite_store.h"
#include "util/data_dir_lock.h"
#include "util/time.h"

namespace boligflyt::cli {
namespace {

namespace fs = std::filesystem;

struct StoreOptions {
  std::string data_dir;
  std::string postgresql;  // libpq conninfo; never printed
  std::string out;
  std::string from;
  std::string id;
};

enum class Needs { kNothing, kOut, kId, kFrom };

std::optional<StoreOptions> parse(std::span<const std::string> args, Needs needs,
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
    } else if (needs == Needs::kOut && a == "--out" && (v = value())) {
      o.out = *v;
    } else if (needs == Needs::kId && a == "--id" && (v = value())) {
      o.id = *v;
    } else if (needs == Needs::kFrom && a == "--from" && (v = value())) {
      o.from = *v;
    } else {
      std::cerr << "Ukjent eller ufullstendig valg «" << a << "».\n" << help;
      return std::nullopt;
    }
  }
  if (o.data_dir.empty() == o.postgresql.empty()) {
    std::cerr << "Oppgi enten --data MAPPE eller --postgresql TILKOBLING.\n" << help;
    return std::nullopt;
  }
  if (needs == Needs::kOut && o.out.empty()) {
    std::cerr << "Oppgi --out FIL.\n" << help;
    return std::nullopt;
  }
  if (needs == Needs::kFrom && (o.from.empty() || o.data_dir.empty())) {
    std::cerr << "Oppgi --data MAPPE og --from FIL (gjenoppretting gjelder SQLite).\n" << help;
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
    "  boligflyt store verify (--data MAPPE | --postgresql TILKOBLING)\n"
    "  boligflyt store restore --data MAPPE --from FIL\n"
    "\n"
    "backup tar en konsistent sikkerhetskopi av SQLite-databasen mens tjenesten kjører\n"
    "(lesere og skrivere fortsetter). For PostgreSQL brukes pg_dump.\n"
    "verify kontrollerer databasen: motorens egen kontroll av filer og indekser, at\n"
    "avviksnumrene er uten hull, og historikken til hvert avvik. Bare lesing.\n"
    "restore kontrollerer sikkerhetskopien på samme måte og setter den inn i stedet for\n"
    "databasen i MAPPE. Tjenesten må være stoppet; databasen som erstattes, beholdes ved\n"
    "siden av med navnet boligflyt.sqlite3.erstattet-<tidspunkt>.\n"
    "Avslutningskoder: 0 i orden, 1 feil funnet eller mislyktes, 2 bruksfeil.\n";

struct HistoryCheck {
  std::size_t deviations = 0;
  std::size_t events = 0;
  std::size_t broken = 0;
};

// Every avvik (or the one named) against its hash chain; what is broken is printed by id.
std::optional<HistoryCheck> check_histories(store::Store& store, const std::string& only_id) {
  std::vector<std::string> ids;
  if (!only_id.empty()) {
    ids.push_back(only_id);
  } else {
    store::DeviationQuery q;
    q.sort = "id";
    q.descending = false;
    q.limit = 500;
    for (;;) {
      auto page = store.list_deviations(q);
      if (!page) {
        std::cerr << "Kunne ikke lese avvikene: " << page.error().detail << "\n";
        return std::nullopt;
      }
      for (const auto& d : page->items) ids.push_back(d.id);
      if (!page->more) break;
      q.after_sort_value = page->next_sort_value;
      q.after_id = page->next_id;
    }
  }
  HistoryCheck check;
  check.deviations = ids.size();
  for (const auto& id : ids) {
    auto history = store.deviation_history(id);
    if (!history) {
      std::cerr << id << ": kunne ikke lese historikken: " << history.error().detail << "\n";
      ++check.broken;
      continue;
    }
    if (history->empty()) {
      std::cout << id << ": finnes ikke eller har ingen historikk\n";
      ++check.broken;
      continue;
    }
    check.events += history->size();
    if (const auto seq = deviation::verify_history(id, *history); seq != 0) {
      std::cout << id << ": historikken er endret fra hendelse " << seq << "\n";
      ++check.broken;
    }
  }
  return check;
}

// The store's integrity and every history; prints what it found. True when all is in order.
bool verify_store(store::Store& store) {
  auto problems = store.check_integrity();
  if (!problems) {
    std::cout << "Kunne ikke kontrollere databasen: " << problems.error().detail << "\n";
    return false;
  }
  for (const auto& p : *problems) std::cout << p << "\n";
  const auto histories = check_histories(store, {});
  if (!histories) return false;
  std::cout << "Databasen: " << (problems->empty() ? "i orden" : "feil funnet") << "; "
            << histories->deviations << " avvik, " << histories->events
            << " hendelser kontrollert; " << histories->broken << " med endret historikk.\n";
  return problems->empty() && histories->broken == 0;
}

void fsync_path(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return;
  ::fsync(::fileno(f));
  std::fclose(f);
}

int restore(const StoreOptions& o) {
  const fs::path data(o.data_dir);
  const fs::path live = data / "boligflyt.sqlite3";
  std::error_code ec;
  if (!fs::is_regular_file(o.from, ec)) {
    std::cerr << "Fant ikke sikkerhetskopien " << o.from << ".\n";
    return kExitUsage;
  }
  if (!fs::is_directory(data, ec)) {
    std::cerr << "Datamappen " << o.data_dir << " finnes ikke.\n";
    return kExitUsage;
  }
  // The service holds this lock while it runs: never replace a database under it.
  auto lock = util::DataDirLock::try_acquire(data);
  if (!lock) {
    std::cerr << "Tjenesten bruker datamappen " << o.data_dir
              << " (boligflyt.lock er låst). Stopp tjenesten før gjenoppretting.\n";
    return kExitUsage;
  }
  // Check a copy, never the backup itself (opening migrates it to this version's schema).
  const fs::path candidate = data / "boligflyt.sqlite3.gjenoppretting";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(candidate.string() + suffix, ec);
  fs::copy_file(o.from, candidate, ec);
  if (ec) {
    std::cerr << "Kunne ikke kopiere sikkerhetskopien: " << ec.message() << "\n";
    return kExitFailure;
  }
  bool sound = false;
  try {
    auto store = store::open_sqlite_store(candidate.string());
    std::cout << "Kontrollerer sikkerhetskopien " << o.from << ":\n";
    sound = verify_store(*store);
  } catch (const std::exception& e) {
    std::cout << "Sikkerhetskopien kan ikke åpnes som en boligflyt-database: " << e.what() << "\n";
  }
  if (!sound) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(candidate.string() + suffix, ec);
    std::cerr << "Gjenopprettingen er avbrutt; databasen i " << o.data_dir << " er ikke endret.\n";
    return kExitFailure;
  }
  // The replaced database goes aside with its WAL (which holds its newest commits).
  std::string stamp = util::iso_utc(util::now_epoch());
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  const std::string aside = live.string() + ".erstattet-" + stamp;
  if (fs::exists(live, ec)) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      if (fs::exists(live.string() + suffix, ec)) {
        fs::rename(live.string() + suffix, aside + suffix, ec);
        if (ec) {
          std::cerr << "Kunne ikke flytte " << live.string() + suffix << ": " << ec.message()
                    << "\n";
          return kExitFailure;
        }
      }
    }
    std::cout << "Databasen som ble erstattet, ligger i " << aside << "\n";
  }
  fsync_path(candidate);
  fs::rename(candidate, live, ec);
  if (ec) {
    std::cerr << "Kunne ikke sette inn sikkerhetskopien: " << ec.message() << "\n";
    return kExitFailure;
  }
  fsync_path(data);
  std::cout << "Gjenopprettet " << live.string() << " fra " << o.from << ".\n";
  return kExitOk;
}

}  // namespace

int run_deviation(std::span<const std::string> args) {
  if (args.empty() || args[0] != "verify-history") {
    std::cerr << kDeviationHelp;
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kExitOk : kExitUsage;
  }
  const auto options = parse(args.subspan(1), Needs::kId, kDeviationHelp);
  if (!options) return kExitUsage;
  std::unique_ptr<store::Store> store;
  try {
    store = open(*options);
  } catch (const std::exception& e) {
    std::cerr << "boligflyt deviation: " << e.what() << "\n";
    return kExitUsage;
  }
  const auto check = check_histories(*store, options->id);
  if (!check) return kExitFailure;
  std::cout << check->deviations << " avvik, " << check->events << " hendelser kontrollert; "
            << check->broken << " med endret historikk.\n";
  return check->broken == 0 ? kExitOk : kExitFailure;
}

int run_store(std::span<const std::string> args) {
  const std::string verb = args.empty() ? "" : args[0];
  if (verb != "backup" && verb != "verify" && verb != "restore") {
    std::cerr << kStoreHelp;
    return args.size() == 1 && (verb == "--help" || verb == "-h") ? kExitOk : kExitUsage;
  }
  const Needs needs = verb == "backup"    ? Needs::kOut
                      : verb == "restore" ? Needs::kFrom
                                          : Needs::kNothing;
  const auto options = parse(args.subspan(1), needs, kStoreHelp);
  if (!options) return kExitUsage;
  if (verb == "restore") return restore(*options);
  std::unique_ptr<store::Store> store;
  try {
    store = open(*options);
  } catch (const std::exception& e) {
    std::cerr << "boligflyt store: " << e.what() << "\n";
    return kExitUsage;
  }
  if (verb == "verify") return verify_store(*store) ? kExitOk : kExitFailure;
  if (auto ok = store->backup_to(options->out); !ok) {
    std::cerr << "Sikkerhetskopien feilet: " << ok.error().detail << "\n";
    return kExitFailure;
  }
  std::cout << "Sikkerhetskopi skrevet til " << options->out << "\n";
  return kExitOk;
}

}  // namespace boligflyt::cli

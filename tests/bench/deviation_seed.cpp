#include "deviation_seed.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string_view>

namespace boligflyt::bench {
namespace {

constexpr std::int64_t kDay = 86400;
// The store's defaults (DeviationSettings): receive within 3 days, close within 30.
constexpr std::int64_t kReceiveWithin = 3 * kDay;
constexpr std::int64_t kCloseWithin = 30 * kDay;
constexpr std::int64_t kSpan = 3 * 365 * kDay;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The value of attribute `name` in the tag starting at `tag_start`, or "".
std::string attribute(std::string_view text, std::size_t tag_start, std::string_view name) {
  const auto tag_end = text.find('>', tag_start);
  const std::string needle = " " + std::string(name) + "=\"";
  const auto at = text.find(needle, tag_start);
  if (at == std::string_view::npos || at > tag_end) return {};
  const auto value_start = at + needle.size();
  return std::string(text.substr(value_start, text.find('"', value_start) - value_start));
}

std::string element_text(std::string_view text, std::string_view element) {
  const std::string open = "<" + std::string(element) + ">";
  const auto start = text.find(open);
  if (start == std::string_view::npos) return {};
  const auto value_start = start + open.size();
  return std::string(text.substr(value_start, text.find('<', value_start) - value_start));
}

/// YYYY-MM-DDTHH:MM:SSZ (UTC), as the service writes it. <chrono>'s calendar instead of
/// gmtime_r + strftime: this runs a dozen times per seeded row.
std::string iso_time(std::int64_t epoch) {
  using namespace std::chrono;
  const sys_seconds t{seconds{epoch}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buffer.data();
}

std::string iso_date(std::int64_t epoch) { return iso_time(epoch).substr(0, 10); }

int year_of(std::int64_t epoch) {
  using namespace std::chrono;
  return static_cast<int>(year_month_day{floor<days>(sys_seconds{seconds{epoch}})}.year());
}

std::string deviation_id(int year, std::int64_t number) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "AVVIK-%d-%04lld", year,
                static_cast<long long>(number));
  return buffer.data();
}

class Db {
 public:
  explicit Db(const std::filesystem::path& file) {
    // One thread uses the connection: no per-call mutex.
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("open " + file.string() + ": " + message);
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw std::runtime_error("sqlite: " + text + " (in: " + sql + ")");
    }
  }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Db& db, const std::string& sql) : db_(db.get()) {
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_) +
                               " (in: " + sql + ")");
    }
  }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds without copying: the text must live until run(). Every use below is one
  /// expression, st.bind(…).bind(…).run(), so temporaries live long enough.
  Statement& bind(int index, const std::string& value) {
    check(
        sqlite3_bind_text(st_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC));
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(st_, index, value));
    return *this;
  }
  /// Runs a statement that returns no rows, then resets it for the next binding.
  void run() {
    const int rc = sqlite3_step(st_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    }
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  bool row() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::int64_t int64(int column) const { return sqlite3_column_int64(st_, column); }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, column)))
             : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  bool chance(double p) { return uniform() < p; }
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine_);
  }
  std::int64_t between(std::int64_t low, std::int64_t high) {
    if (high <= low) return low;
    return low + static_cast<std::int64_t>(static_cast<double>(high - low) * uniform());
  }
  double lognormal(double mu, double sigma) {
    return std::lognormal_distribution<double>(mu, sigma)(engine_);
  }
  std::string hex(std::size_t chars) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string out(chars, '0');
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < chars; ++i) {
      if (i % 16 == 0) bits = engine_();
      out[i] = digits[bits & 0xFU];
      bits >>= 4U;
    }
    return out;
  }
  template <typename T>
  const T& pick(const std::vector<T>& values) {
    return values[below(values.size())];
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

// ---- Texts ---------------------------------------------------------------------------------

const std::vector<std::string> kTitles = {
    "Søknaden ble ikke registrert innen fristen",
    "Manglende tilbakemelding fra samarbeidende enhet",
    "Uklart hvem som skulle kalle inn til tildelingsmøtet",
    "Husleiekontrakt sendt uten vedlegg",
    "Vedtak sendt uten opplysning om klageadgang",
    "Søknad om bostøtte ble ikke fulgt opp",
    "Tolk ble ikke bestilt til visningen",
    "Sjekklisten for innflytting ble ikke brukt",
    "Dokumentasjon manglet i saken",
    "Purring sendt etter inngått betalingsavtale",
    "Oppfølgingsplan ikke utarbeidet før innflytting",
    "Varsel om utflytting kom for sent til Eiendom",
};

const std::vector<std::string> kSentences = {
    "Søkeren tok kontakt flere ganger uten å få svar på hvor saken sto.",
    "Det var uklart hvilken enhet som hadde ansvaret for neste steg i prosedyren.",
    "Fristen for foreløpig svar etter forvaltningsloven § 11 a ble ikke overholdt.",
    "Opplysningene fra NAV kom først etter at saken var drøftet i tildelingsmøtet.",
    "Leietakeren fikk ikke informasjon om retten til bostøtte ved innflytting.",
    "Saken ble liggende hos saksbehandler som var i permisjon, uten at den ble fordelt på nytt.",
    "Husleierestansen ble ikke meldt til boligsosial koordinator slik prosedyren sier.",
    "Samtykket til å innhente opplysninger var ikke arkivert i saken.",
    "Det ble ikke avholdt samarbeidsmøte før saken ble sendt til inkasso.",
    "Tiltaket var avtalt muntlig, men ikke skrevet inn i oppfølgingsplanen.",
    "Flere enheter trodde at en annen enhet hadde sendt varselet.",
    "Beboeren fikk to motstridende brev fra kommunen samme uke.",
};

const std::vector<std::string> kCauses = {
    "Rutinen var ikke kjent for nyansatte saksbehandlere.",
    "Ansvaret mellom enhetene var ikke beskrevet i prosedyren.",
    "Fagsystemet varslet ikke om fristen.",
    "Stor arbeidsmengde i perioden og ingen stedfortreder.",
    "Informasjonen ble sendt på e-post i stedet for å journalføres.",
};

const std::vector<std::string> kEvaluations = {
    "Tiltaket er gjennomført og virker etter en måned.",
    "Rutinen er gjennomgått i ledermøtet, og ingen nye tilfeller er meldt.",
    "Prosedyren er tydeliggjort; evalueres på nytt ved neste revisjon.",
    "Saksbehandlerne har fått opplæring, og sjekklisten brukes nå.",
};

const std::vector<std::string> kRejections = {
    "Forholdet er ikke et avvik fra prosedyren, men en uenighet om vedtaket; bruk klageordningen.",
    "Samme hendelse er allerede meldt som et annet avvik.",
    "Prosedyren ble fulgt; fristen løper fra mottak av fullstendig søknad.",
};

const std::vector<std::string> kReopenReasons = {
    "Samme feil har skjedd igjen etter at tiltaket ble gjennomført.",
    "Tiltaket ble ikke gjennomført slik det var beskrevet.",
};

const std::vector<std::string> kActions = {
    "Gjennomgå rutinen med alle saksbehandlere", "Oppdatere sjekklisten og legge den i fagsystemet",
    "Avklare ansvarsdelingen i samarbeidsmøtet", "Legge inn automatisk fristvarsel i fagsystemet",
    "Utarbeide felles brevmal for enhetene",
};

const std::vector<std::string> kComments = {
    "Vi ser på saken og kommer tilbake med en vurdering.",
    "Tatt opp i ledermøtet.",
    "Har snakket med saksbehandler; gjelder flere saker.",
    "Avventer svar fra samarbeidende enhet.",
};

std::string description(Random& rng) {
  std::string out = rng.pick(kSentences);
  const std::size_t extra = 1 + rng.below(3);
  for (std::size_t i = 0; i < extra; ++i) out += " " + rng.pick(kSentences);
  return out;
}

/// Weighted pick with precomputed cumulative weights.
class Weighted {
 public:
  explicit Weighted(std::vector<double> weights) : cumulative_(std::move(weights)) {
    std::partial_sum(cumulative_.begin(), cumulative_.end(), cumulative_.begin());
  }
  std::size_t pick(Random& rng) const {
    const double u = rng.uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

/// Some steps collect far more avvik than others: Zipf-like weights over a fixed shuffle.
Weighted step_weights(std::size_t steps, Random& rng) {
  std::vector<std::size_t> rank(steps);
  std::iota(rank.begin(), rank.end(), 0);
  std::shuffle(rank.begin(), rank.end(), rng.engine());
  std::vector<double> weights(steps);
  for (std::size_t i = 0; i < steps; ++i) {
    weights[i] = 1.0 / std::pow(static_cast<double>(rank[i] + 1), 0.8);
  }
  return Weighted(std::move(weights));
}

struct Action {
  std::string owner_unit;
  std::string description;
  std::string due_date;
  std::string done_date;
  std::string created_by;
  std::string created_at;
};

}  // namespace

ProcedureVersionInfo read_procedure_version(const std::filesystem::path& file) {
  const std::string xml = read_text(file);
  ProcedureVersionInfo info;
  const auto root = xml.find("<procedure ");
  if (root != std::string::npos) {
    info.procedure_id = attribute(xml, root, "id");
    info.version = attribute(xml, root, "version");
  }
  info.effective_from = element_text(xml, "effectiveFrom");
  for (auto at = xml.find("<step "); at != std::string::npos; at = xml.find("<step ", at + 1)) {
    StepInfo step;
    step.id = attribute(xml, at, "id");
    const auto end = xml.find("</step>", at);
    const std::string_view body = std::string_view(xml).substr(at, end - at);
    if (const auto r = body.find("<responsibleUnit "); r != std::string_view::npos) {
      step.responsible = attribute(body, r, "unit");
    }
    for (auto p = body.find("<participatingUnit "); p != std::string_view::npos;
         p = body.find("<participatingUnit ", p + 1)) {
      const auto unit = attribute(body, p, "unit");
      if (!unit.empty() && unit != step.responsible) step.participants.push_back(unit);
    }
    if (!step.id.empty() && !step.responsible.empty()) info.steps.push_back(std::move(step));
  }
  if (info.steps.empty() || info.effective_from.empty() || info.version.empty()) {
    throw std::runtime_error("no version, effectiveFrom or steps found in " + file.string());
  }
  return info;
}

std::vector<std::string> read_unit_ids(const std::filesystem::path& units_file) {
  const std::string xml = read_text(units_file);
  std::vector<std::string> ids;
  for (auto at = xml.find("<unit "); at != std::string::npos; at = xml.find("<unit ", at + 1)) {
    if (auto id = attribute(xml, at, "id"); !id.empty()) ids.push_back(std::move(id));
  }
  if (ids.empty()) throw std::runtime_error("no units in " + units_file.string());
  return ids;
}

SeedResult seed_deviations(const SeedOptions& options) {
  if (options.versions.empty() || options.units.empty()) {
    throw std::invalid_argument("seed_deviations: no procedure versions or units");
  }
  Db db(options.database);
  {
    Statement st(db,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                 "('deviations', 'deviation_counters', 'deviation_participants', "
                 "'deviation_actions', 'deviation_comments', 'outbox')");
    if (!st.row() || st.int64(0) != 6) {
      throw std::runtime_error("the avvik tables are missing from " + options.database.string() +
                               " (has the store's migration run?)");
    }
  }
  // One transaction without fsync and without an on-disk rollback journal (the rows are new
  // pages at the end of the file, so there is little to journal); the host switches the file
  // back to WAL + synchronous=FULL when it opens it.
  db.exec("PRAGMA journal_mode=MEMORY");
  db.exec("PRAGMA synchronous=OFF");
  db.exec("PRAGMA cache_size=-1048576");  // 1 GiB: the indexes stay in memory while seeding
  db.exec("PRAGMA temp_store=MEMORY");
  // Rebuilding an index scans the whole table; reading it through a mapping instead of
  // read() into the page cache halves that.
  db.exec("PRAGMA mmap_size=8589934592");

  std::map<int, std::int64_t> counters;
  {
    Statement st(db, "SELECT year, last_number FROM deviation_counters");
    while (st.row()) counters[static_cast<int>(st.int64(0))] = st.int64(1);
  }

  Random rng(options.random_seed);
  std::vector<Weighted> steps_by_version;
  steps_by_version.reserve(options.versions.size());
  for (const auto& v : options.versions)
    steps_by_version.push_back(step_weights(v.steps.size(), rng));
  const std::vector<std::string> categories = {"prosedyre_ikke_fulgt",  "uklart_ansvar",
                                               "frist_overskredet",     "manglende_informasjon",
                                               "prosedyren_bor_endres", "annet"};
  const Weighted category_weights({30, 20, 20, 15, 8, 7});
  const std::vector<std::string> severities = {"lav", "middels", "hoy", "kritisk"};
  const Weighted severity_weights({35, 40, 20, 5});

  const auto started = std::chrono::steady_clock::now();
  db.exec("BEGIN");
  // Bulk load: the secondary indexes go before the rows and come back after them, built by
  // sorting (SQLite's CREATE INDEX) instead of a million random B-tree inserts each; three
  // times faster. They are recreated from their own stored SQL, so they are exactly the
  // migrations' indexes (packed fuller than indexes grown row by row: slightly smaller file).
  std::vector<std::string> indexes;
  {
    Statement st(db,
                 "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                 "AND tbl_name IN ('deviations', 'deviation_participants', "
                 "'deviation_actions', 'deviation_comments')");
    std::vector<std::string> names;
    while (st.row()) {
      names.push_back(st.text(0));
      indexes.push_back(st.text(1));
    }
    for (const auto& name : names) db.exec("DROP INDEX \"" + name + "\"");
  }
  Statement insert(db,
                   "INSERT INTO deviations (id, year, number, procedure_id, procedure_version, "
                   "step_id, incident_date, category, severity, title, description, "
                   "reporting_unit, reporter, responsible_unit, case_reference, personal_data, "
                   "status, created_at, created_epoch, updated_at, receive_due_epoch, "
                   "close_due_epoch, received_at, closed_at, closed_epoch, cause, evaluation, "
                   "rejection_reason, reopen_reason, resolved_in_version, linked_draft_version, "
                   "idempotency_key, request_sha256, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                   "?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)");
  Statement insert_participant(
      db,
      "INSERT INTO deviation_participants (deviation_id, unit_id, position) VALUES (?1, ?2, ?3)");
  Statement insert_action(db,
                          "INSERT INTO deviation_actions (deviation_id, action_no, owner_unit, "
                          "description, due_date, done_date, created_by, created_at) VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  Statement insert_comment(db,
                           "INSERT INTO deviation_comments (deviation_id, comment_no, author, "
                           "text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  Statement insert_reminder(db,
                            "INSERT INTO outbox (topic, dedupe_key, payload_json, status, "
                            "attempts, next_attempt_epoch, last_error, created_at, delivered_at) "
                            "VALUES ('notification', ?1, ?2, 'delivered', 1, ?3, '', ?4, ?4) "
                            "ON CONFLICT (dedupe_key) DO NOTHING");

  SeedResult result;
  const std::int64_t now = options.now_epoch;
  const std::int64_t start = now - kSpan;
  const auto rows = static_cast<double>(options.rows);
  for (std::size_t i = 0; i < options.rows; ++i) {
    // Spread evenly over three years, in order of creation (as the store would have them).
    const auto created = std::min(
        now - 60, start + static_cast<std::int64_t>((static_cast<double>(i) + rng.uniform()) *
                                                    static_cast<double>(kSpan) / rows));
    const std::int64_t age = now - created;
    const std::int64_t incident =
        created - static_cast<std::int64_t>(std::min(60.0, rng.lognormal(0.8, 0.9))) * kDay;
    const std::string incident_date = iso_date(incident);
    std::size_t v = 0;
    for (std::size_t k = 0; k < options.versions.size(); ++k) {
      if (options.versions[k].effective_from <= incident_date) v = k;
    }
    const auto& version = options.versions[v];
    const auto& step = version.steps[steps_by_version[v].pick(rng)];

    const int year = year_of(created);
    const std::int64_t number = ++counters[year];
    const std::string id = deviation_id(year, number);

    std::vector<std::string> participants;
    if (!step.participants.empty() && rng.chance(0.2)) {
      participants.push_back(rng.pick(step.participants));
      if (step.participants.size() > 1 && rng.chance(0.3)) {
        const auto& second = rng.pick(step.participants);
        if (second != participants.front()) participants.push_back(second);
      }
    }
    std::string reporting_unit = step.responsible;
    std::string reporter;
    if (const double u = rng.uniform(); u < 0.05) {
      reporting_unit = "kommunedirektor";
      reporter = "kvalitetsleder";
    } else {
      if (u < 0.35 && !step.participants.empty()) {
        reporting_unit = rng.pick(step.participants);
      } else if (u < 0.45) {
        reporting_unit = rng.pick(options.units);
      }
      reporter = "leder-" + reporting_unit;
    }
    const std::string responsible_leader = "leder-" + step.responsible;

    // Status by age: the old are settled, the recent spread over the open statuses, and a few
    // old ones are still open (and so overdue).
    std::string status;
    const double u = rng.uniform();
    if (age < kReceiveWithin) {
      status = u < 0.55   ? "registrert"
               : u < 0.85 ? "mottatt"
               : u < 0.95 ? "under_behandling"
                          : "avvist";
    } else if (age < kCloseWithin) {
      status = u < 0.15   ? "mottatt"
               : u < 0.45 ? "under_behandling"
               : u < 0.70 ? "tiltak"
               : u < 0.95 ? "lukket"
                          : "avvist";
    } else if (u < 0.915) {
      status = "lukket";
    } else if (u < 0.995) {
      status = "avvist";
    } else {
      static const std::vector<std::string> open = {"mottatt", "under_behandling", "tiltak",
                                                    "gjenapnet"};
      status = rng.pick(open);
    }

    const auto clamp = [&](std::int64_t t) { return std::min(t, now); };
    std::int64_t receive_due = created + kReceiveWithin;
    std::int64_t close_due = created + kCloseWithin;
    std::int64_t received = 0;
    std::int64_t closed = 0;
    std::int64_t updated = created;
    std::int64_t revision = 1;
    std::string cause;
    std::string evaluation;
    std::string rejection;
    std::string reopen_reason;
    std::string resolved_in;
    std::vector<Action> actions;

    const bool never_received = status == "registrert" || (status == "avvist" && rng.chance(0.5));
    if (!never_received) {
      received = clamp(created + rng.between(kDay / 10, kDay * 5 / 2));
      updated = received;
      ++revision;
    }
    const auto add_actions = [&](std::size_t count, std::int64_t from, bool all_done,
                                 std::int64_t done_by) {
      for (std::size_t k = 0; k < count; ++k) {
        Action a;
        a.owner_unit =
            !participants.empty() && rng.chance(0.2) ? participants.front() : step.responsible;
        a.description = rng.pick(kActions);
        const std::int64_t action_created = clamp(from + rng.between(0, 3 * kDay));
        a.created_at = iso_time(action_created);
        a.created_by = responsible_leader;
        const std::int64_t due = action_created + rng.between(7 * kDay, 45 * kDay);
        a.due_date = iso_date(due);
        if (all_done || rng.chance(0.4)) {
          a.done_date = iso_date(clamp(std::min(done_by, due - rng.between(0, 5 * kDay))));
          if (a.done_date < a.created_at.substr(0, 10)) a.done_date = a.created_at.substr(0, 10);
          ++revision;
        }
        updated = std::max(updated, action_created);
        ++revision;
        actions.push_back(std::move(a));
      }
    };
    const auto treat = [&] {
      const std::int64_t treated = clamp(received + rng.between(kDay / 2, 10 * kDay));
      updated = std::max(updated, treated);
      ++revision;
      return treated;
    };
    const auto close = [&] {
      const std::int64_t treated = treat();
      cause = rng.pick(kCauses);
      evaluation = rng.pick(kEvaluations);
      closed = clamp(treated + static_cast<std::int64_t>(
                                   std::clamp(rng.lognormal(2.3, 0.8), 0.5, 120.0) * kDay));
      if (v + 1 < options.versions.size() &&
          iso_date(closed) >= options.versions[v + 1].effective_from && rng.chance(0.3)) {
        resolved_in = options.versions[v + 1].version;  // fixed by the next version
      } else {
        add_actions(1 + rng.below(2), treated, true, closed);
      }
      updated = std::max(updated, closed);
      ++revision;
    };
    if (status == "under_behandling") {
      treat();
      if (rng.chance(0.5)) cause = rng.pick(kCauses);
    } else if (status == "tiltak") {
      const std::int64_t treated = treat();
      cause = rng.pick(kCauses);
      add_actions(1 + rng.below(3), treated, false, now);
      ++revision;
    } else if (status == "lukket") {
      close();
    } else if (status == "avvist") {
      rejection = rng.pick(kRejections);
      updated = clamp((received ? received : created) + rng.between(kDay / 5, 3 * kDay));
      ++revision;
    } else if (status == "gjenapnet") {
      close();
      const std::int64_t reopened = clamp(closed + rng.between(kDay, 20 * kDay));
      reopen_reason = rng.pick(kReopenReasons);
      closed = 0;
      close_due = reopened + kCloseWithin;
      updated = std::max(updated, reopened);
      ++revision;
    }

    const bool open = status != "lukket" && status != "avvist";
    const bool overdue = open && ((status == "registrert" && receive_due < now) ||
                                  (status != "registrert" && close_due < now));
    result.open += open ? 1 : 0;
    result.per_status_mottatt += status == "mottatt" ? 1 : 0;

    const std::string case_reference =
        rng.chance(0.55) ? std::to_string(year) + "/" + std::to_string(1 + rng.below(9999))
                         : std::string();
    insert.bind(1, id)
        .bind(2, std::int64_t{year})
        .bind(3, number)
        .bind(4, version.procedure_id)
        .bind(5, version.version)
        .bind(6, step.id)
        .bind(7, incident_date)
        .bind(8, categories[category_weights.pick(rng)])
        .bind(9, severities[severity_weights.pick(rng)])
        .bind(10, rng.pick(kTitles))
        .bind(11, description(rng))
        .bind(12, reporting_unit)
        .bind(13, reporter)
        .bind(14, step.responsible)
        .bind(15, case_reference)
        .bind(16, std::int64_t{rng.chance(0.08) ? 1 : 0})
        .bind(17, status)
        .bind(18, iso_time(created))
        .bind(19, created)
        .bind(20, iso_time(updated))
        .bind(21, receive_due)
        .bind(22, close_due)
        .bind(23, received ? iso_time(received) : std::string())
        .bind(24, closed ? iso_time(closed) : std::string())
        .bind(25, closed)
        .bind(26, cause)
        .bind(27, evaluation)
        .bind(28, rejection)
        .bind(29, reopen_reason)
        .bind(30, resolved_in)
        .bind(31, std::string())
        .bind(32, rng.hex(32))
        .bind(33, rng.hex(64))
        .bind(34, revision)
        .run();
    ++result.deviations;

    for (std::size_t k = 0; k < participants.size(); ++k) {
      insert_participant.bind(1, id)
          .bind(2, participants[k])
          .bind(3, static_cast<std::int64_t>(k))
          .run();
      ++result.participants;
    }
    for (std::size_t k = 0; k < actions.size(); ++k) {
      const auto& a = actions[k];
      insert_action.bind(1, id)
          .bind(2, static_cast<std::int64_t>(k + 1))
          .bind(3, a.owner_unit)
          .bind(4, a.description)
          .bind(5, a.due_date)
          .bind(6, a.done_date)
          .bind(7, a.created_by)
          .bind(8, a.created_at)
          .run();
      ++result.actions;
    }
    if (rng.chance(0.15)) {
      const std::size_t count = 1 + rng.below(2);
      for (std::size_t k = 0; k < count; ++k) {
        const std::int64_t at = clamp(created + rng.between(kDay / 4, 20 * kDay));
        insert_comment.bind(1, id)
            .bind(2, static_cast<std::int64_t>(k + 1))
            .bind(3, k % 2 == 0 ? responsible_leader : reporter)
            .bind(4, rng.pick(kComments))
            .bind(5, iso_time(at))
            .run();
        ++result.comments;
      }
    }
    if (overdue) {
      ++result.overdue;
      // The reminder the host would have sent when the deadline passed (same dedupe key as
      // DeviationService::remind_overdue), delivered long ago.
      const bool receive = status == "registrert";
      const std::int64_t due = receive ? receive_due : close_due;
      const std::string key = "deviation:" + id + ":reminder:" + (receive ? "receive" : "close") +
                              ":" + std::to_string(due);
      insert_reminder.bind(1, key)
          .bind(2, "{\"recipient\":{\"unit_id\":\"" + step.responsible +
                       "\",\"role\":\"unit_leader\"},\"subject\":\"Påminnelse: avvik " + id +
                       " har passert fristen\",\"key\":\"" + key + "\"}")
          .bind(3, due)
          .bind(4, iso_time(std::min(now, due + 3600)))
          .run();
      ++result.reminders;
    }
  }
  {
    Statement counter(db,
                      "INSERT INTO deviation_counters (year, last_number) VALUES (?1, ?2) "
                      "ON CONFLICT (year) DO UPDATE SET "
                      "last_number = max(last_number, excluded.last_number)");
    for (const auto& [year, last] : counters) {
      counter.bind(1, std::int64_t{year}).bind(2, last).run();
    }
  }
  for (const auto& sql : indexes) db.exec(sql);
  result.indexes_rebuilt = indexes.size();
  // The per-month counts the store keeps with every registration (migration 0011), counted
  // afresh over everything, as the migration does for the avvik it finds.
  db.exec("DELETE FROM deviation_tallies");
  const std::pair<const char*, const char*> dimensions[] = {
      {"'step', procedure_id, step_id, status", ""},
      {"'unit', responsible_unit, '', ''", ""},
      {"'category', category, '', ''", ""},
      {"'severity', severity, '', ''", ""},
      {"'pair', reporting_unit, responsible_unit, ''", ""},
      {"'closure', CAST(CASE WHEN closure_seconds >= 0 THEN closure_seconds / 21600 ELSE "
       "(closure_seconds - 21599) / 21600 END AS TEXT), '', ''",
       " WHERE closure_seconds IS NOT NULL"}};
  for (const auto& [columns, where] : dimensions) {
    db.exec(std::string("INSERT INTO deviation_tallies (month, dimension, a, b, c, n) SELECT "
                        "substr(incident_date, 1, 7), ") +
            columns + ", count(*) FROM deviations" + where + " GROUP BY 1, 3, 4, 5");
  }
  db.exec("COMMIT");
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  db.exec("PRAGMA journal_mode=WAL");
  return result;
}

std::pair<std::int64_t, std::string> row_in_default_order(const std::filesystem::path& database,
                                                          std::size_t offset) {
  Db db(database);
  Statement st(db,
               "SELECT created_epoch, id FROM deviations ORDER BY created_epoch DESC, id DESC "
               "LIMIT 1 OFFSET ?1");
  st.bind(1, static_cast<std::int64_t>(offset));
  if (!st.row()) throw std::runtime_error("no row at offset " + std::to_string(offset));
  return {st.int64(0), st.text(1)};
}

}  // namespace boligflyt::bench

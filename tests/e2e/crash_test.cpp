// Crash safety: the real boligflyt-host under concurrent load (registrations, transitions,
// corrective actions, closings that export to the archive drop folder) is killed with SIGKILL
// at random moments, again and again, and restarted on the same data. After every restart:
// every avvik whose 201 reached a client is there, with the title that client sent and a
// valid history chain holding every event a client was told about (and no event nobody asked
// for); no id was issued twice; every message folder in the drop is complete (its files match
// arkivmelding's sizes and checksums) and no journalpost was dropped twice. Once on SQLite and
// once on PostgreSQL (the throwaway server of the CTest fixture postgres_cluster).
//
// The moments of the kills come from a seeded RNG; the seed is printed, and
// BOLIGFLYT_CRASH_SEED=<seed> replays a run. BOLIGFLYT_CRASH_ROUNDS overrides the 50 rounds.

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <pugixml.hpp>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "support/declared_files.h"
#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kDefaultRounds = 50;
constexpr int kClients = 3;
// Each closing renders a PDF/A report for the archive; capping them keeps the export backlog
// (and the final wait for it) within the time budget while still crashing exports often.
constexpr int kMaxClosings = 40;

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

std::string string_at(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* at = &v;
  for (const char* key : path) {
    const auto* object = at->if_object();
    if (!object || !object->contains(key)) return {};
    at = &object->at(key);
  }
  return at->is_string() ? std::string(at->as_string()) : std::string();
}

std::string utc_today() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::optional<json::value> parse_json(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

/// What the clients were told about one avvik: `acked` events answered 2xx, `unknown` write
/// requests whose answer never came (the host died): they may or may not have happened.
struct AvvikRecord {
  std::string title;
  std::size_t acked = 0;
  std::size_t unknown = 0;
  bool closed_acked = false;
};

class CrashSafetyTest : public HostTest {
 protected:
  void TearDown() override {
    host_.reset();
    if (!database_.empty()) pg_admin("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  static std::string pg_server() {
    std::ifstream in(BOLIGFLYT_TEST_PG_CONNINFO_FILE);
    std::string line;
    std::getline(in, line);
    return line;
  }

  static void pg_admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(pg_server().c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    const std::string error = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    ASSERT_EQ(status, PGRES_COMMAND_OK) << sql << ": " << error;
  }

  void use_postgresql() {
    ASSERT_FALSE(pg_server().empty())
        << "no PostgreSQL test server (" BOLIGFLYT_TEST_PG_CONNINFO_FILE
           "); run through ctest, whose fixture starts one";
    database_ = "crash_" + std::to_string(::getpid());
    ASSERT_NO_FATAL_FAILURE(pg_admin("DROP DATABASE IF EXISTS " + database_));
    ASSERT_NO_FATAL_FAILURE(pg_admin("CREATE DATABASE " + database_));
    store_json_ = R"(,"store":{"kind":"postgresql","connection":)" +
                  json_quote(pg_server() + " dbname=" + database_) + "}";
  }

  fs::path drop_dir() const { return data_dir() / "arkiv" / "utgaaende"; }

  void start() {
    const std::string plugin =
        R"({"maintenance_interval_ms":100,)"
        R"("notifications":{"first_retry_seconds":1,"max_retry_seconds":2})" +
        store_json_ + "}";
    if (config_.empty())
      config_ = write_config(json_set(default_config_json(), {"plugin"}, plugin));
    ASSERT_NO_FATAL_FAILURE(start_host(config_));
  }

  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {}, const Headers& extra = {}) {
    Headers headers = bearer(host_->printed_token(user));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    headers.insert(headers.end(), extra.begin(), extra.end());
    // A refused connection (the host was just killed) is no answer, like a cut one: status 0.
    // Letting it escape a client thread would abort the whole test instead of counting it.
    try {
      return http_request(host_->port(), method, target, headers, body);
    } catch (const std::exception& e) {
      HttpResult refused;
      refused.error = e.what();
      return refused;
    }
  }

  // --- the load ------------------------------------------------------------------------

  /// Registers a new avvik or takes one open avvik one step further, as a real user would.
  /// Returns false once the host stopped answering.
  bool one_operation(std::mt19937& random) {
    std::string id;
    {
      const std::lock_guard lock(mutex_);
      std::uniform_int_distribution<int> coin(0, 2);
      if (!open_.empty() && coin(random) != 0) {
        std::uniform_int_distribution<std::size_t> pick(0, open_.size() - 1);
        auto it = open_.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(pick(random)));
        id = *it;
        open_.erase(it);  // one client at a time drives an avvik
      }
    }
    if (id.empty()) return register_one();
    const bool alive = advance(id);
    const std::lock_guard lock(mutex_);
    if (!records_[id].closed_acked) open_.insert(id);
    return alive;
  }

  bool register_one() {
    const std::string title = "Krasjtest " + std::to_string(next_title_++);
    const std::string body =
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
        R"("incident_date":"2026-11-02","category":"uklart_ansvar","severity":"middels",)"
        R"("title":")" +
        title + R"(","description":"Innkallingen kom ikke."})";
    const auto r = call("leder-nav", "POST", "/api/v1/deviations", body,
                        {{"Idempotency-Key", "krasj-" + title.substr(10)}});
    if (r.status == 0) return false;
    if (r.status != 201u) {
      ADD_FAILURE() << "registration answered " << r.status << ": " << r.body;
      return true;
    }
    const auto id = json_at(r.body, "/id").value_or("");
    const std::lock_guard lock(mutex_);
    ++registrations_acked_;
    if (records_.count(id)) {
      ADD_FAILURE() << id << " was issued twice: to '" << records_[id].title << "' and '" << title
                    << "'";
      return true;
    }
    records_[id] = AvvikRecord{title, 1, 0, false};
    touched_.insert(id);
    open_.insert(id);
    return true;
  }

  /// Reads the avvik and asks for the next step of its life, ending with lukk.
  bool advance(const std::string& id) {
    const std::string path = "/api/v1/deviations/" + id;
    const auto read = call("leder-boligkontor", "GET", path);
    if (read.status == 0) return false;
    const auto doc = parse_json(read.body);
    if (read.status != 200u || !doc) {
      ADD_FAILURE() << "GET " << id << " answered " << read.status << ": " << read.body;
      return true;
    }
    const std::string status = string_at(*doc, {"status"});
    const auto* actions = doc->as_object().if_contains("actions");
    const bool has_action = actions && actions->is_array() && !actions->as_array().empty();
    const bool action_done =
        has_action && !actions->as_array().at(0).as_object().at("done_date").is_null();
    std::string method_target = path + "/transitions";
    std::string body;
    if (status == "registrert") {
      body = R"({"transition":"motta"})";
    } else if (status == "mottatt") {
      body = R"({"transition":"behandle"})";
    } else if (status == "under_behandling" && !has_action) {
      method_target = path + "/actions";
      body = R"({"owner_unit":"boligkontor","description":"Rutinen for innkalling endres.",)"
             R"("due_date":"2027-01-15"})";
    } else if (status == "under_behandling") {
      body = R"({"transition":"tiltak"})";
    } else if (status == "tiltak" && !action_done) {
      method_target = path + "/actions/1/completion";
      body = R"({"done_date":")" + utc_today() + "\"}";
    } else if (status == "tiltak") {
      if (closings_.fetch_add(1) >= kMaxClosings) return true;  // stays open: no more exports
      body = R"({"transition":"lukk","cause":"Innkallingen ble ikke sendt.",)"
             R"("evaluation":"Innkallingene kom i tide etterpå.","cause_codes":["kapasitet"]})";
    } else {
      return true;  // lukket: nothing left to do
    }
    {
      const std::lock_guard lock(mutex_);
      ++records_[id].unknown;
      touched_.insert(id);
    }
    const auto r = call("leder-boligkontor", "POST", method_target, body);
    if (r.status == 0) return false;  // the attempt stays "unknown"
    const std::lock_guard lock(mutex_);
    auto& record = records_[id];
    --record.unknown;
    if (r.status == 200u || r.status == 201u) {
      ++record.acked;
      if (body.find("\"lukk\"") != std::string::npos) {
        record.closed_acked = true;
        ++closings_acked_;
      }
    } else {
      ADD_FAILURE() << "POST " << method_target << " " << body << " answered " << r.status << ": "
                    << r.body;
    }
    return true;
  }

  /// Runs the clients until the host is killed `load_for` from now (SIGKILL, no warning).
  void load_then_kill(std::chrono::milliseconds load_for, unsigned client_seed) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        std::mt19937 random(client_seed + static_cast<unsigned>(c));
        // Bounded: the host dies within `load_for`, and then every call fails at once.
        for (int i = 0; i < 10000 && !stop.load(); ++i) {
          if (!one_operation(random)) break;
        }
      });
    }
    std::this_thread::sleep_for(load_for);  // the random moment itself is what is tested
    host_->process().send_signal(SIGKILL);
    host_->process().wait(deadline_in(10s));
    stop = true;
    for (auto& t : clients) t.join();
  }

  // --- the checks after each restart ---------------------------------------------------

  /// Every avvik in the store once (paging through the list as the quality leader).
  void check_every_acked_avvik_is_there() {
    std::map<std::string, std::string> listed;  // id -> title
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      const auto r = call("kvalitetsleder", "GET",
                          "/api/v1/deviations?sort=id&limit=500" +
                              (cursor.empty() ? std::string() : "&cursor=" + cursor));
      ASSERT_EQ(r.status, 200u) << r.body;
      const auto doc = parse_json(r.body);
      ASSERT_TRUE(doc);
      for (const auto& item : doc->at("items").as_array()) {
        const auto id = string_at(item, {"id"});
        EXPECT_TRUE(listed.emplace(id, string_at(item, {"title"})).second) << id << " listed twice";
      }
      const auto& next = doc->at("next_cursor");
      if (next.is_null()) break;
      cursor = std::string(next.as_string());
    }
    const std::lock_guard lock(mutex_);
    for (const auto& [id, record] : records_) {
      const auto it = listed.find(id);
      ASSERT_NE(it, listed.end()) << id << " ('" << record.title
                                  << "') was answered 201 but is gone";
      EXPECT_EQ(it->second, record.title) << id << " holds another registration than its own";
    }
  }

  void check_history(const std::string& id) {
    AvvikRecord record;
    {
      const std::lock_guard lock(mutex_);
      record = records_.at(id);
    }
    const auto r = call("kvalitetsleder", "GET", "/api/v1/deviations/" + id + "/history");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json_at(r.body, "/chain/valid"), "true") << id << ": " << r.body;
    const auto events = json_array_size(r.body, "/items").value_or(0);
    EXPECT_GE(events, record.acked) << id << ": an answered event is missing from the history";
    EXPECT_LE(events, record.acked + record.unknown) << id << ": an event nobody asked for";
  }

  /// Every complete folder in the drop: its files as arkivmelding describes them, and no
  /// journalpost key in two folders.
  void check_drop_folder() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(drop_dir(), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".") || !entry.is_directory() || checked_folders_.count(name)) continue;
      pugi::xml_document doc;
      ASSERT_TRUE(doc.load_file((entry.path() / "arkivmelding.xml").c_str()))
          << name << " has no readable arkivmelding.xml";
      std::size_t files = 0;
      for (const auto& [file, checksum, size] : declared_files(doc)) {
        const fs::path path = entry.path() / file;
        ASSERT_TRUE(fs::is_regular_file(path)) << name << ": " << file << " is missing";
        EXPECT_EQ(std::to_string(fs::file_size(path)), size) << name << "/" << file;
        const auto sum = run_command({"/usr/bin/sha256sum", path.string()}, temp_.path());
        EXPECT_EQ(sum.out.substr(0, 64), checksum) << name << "/" << file;
        ++files;
      }
      EXPECT_GT(files, 0u) << name;
      const std::string journalpost =
          doc.select_node(
                 "//*[local-name()='registrering']/*[local-name()='referanseEksternNoekkel']"
                 "/*[local-name()='noekkel']")
              .node()
              .text()
              .as_string();
      EXPECT_FALSE(journalpost.empty()) << name;
      EXPECT_TRUE(journalposts_.insert(journalpost).second)
          << "journalpost " << journalpost << " dropped twice (" << name << ")";
      checked_folders_.insert(name);
    }
  }

  void check_after_restart(bool everything) {
    ASSERT_NO_FATAL_FAILURE(check_every_acked_avvik_is_there());
    std::set<std::string> ids;
    {
      const std::lock_guard lock(mutex_);
      if (everything) {
        for (const auto& [id, record] : records_) ids.insert(id);
      } else {
        ids.swap(touched_);
      }
    }
    for (const auto& id : ids) ASSERT_NO_FATAL_FAILURE(check_history(id));
    ASSERT_NO_FATAL_FAILURE(check_drop_folder());
  }

  void run_crash_rounds() {
    const char* seed_text = std::getenv("BOLIGFLYT_CRASH_SEED");
    const unsigned seed = seed_text && *seed_text
                              ? static_cast<unsigned>(std::strtoul(seed_text, nullptr, 10))
                              : std::random_device{}();
    const int rounds = env_int("BOLIGFLYT_CRASH_ROUNDS", kDefaultRounds);
    std::cout << "crash test seed " << seed << " (BOLIGFLYT_CRASH_SEED=" << seed << " replays it), "
              << rounds << " rounds" << std::endl;
    RecordProperty("seed", std::to_string(seed));
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> load_ms(50, 900);
    const auto began = std::chrono::steady_clock::now();

    ASSERT_NO_FATAL_FAILURE(start());
    for (int round = 0; round < rounds; ++round) {
      const auto load_for = std::chrono::milliseconds(load_ms(random));
      const auto t0 = std::chrono::steady_clock::now();
      load_then_kill(load_for, static_cast<unsigned>(random()));
      const auto t1 = std::chrono::steady_clock::now();
      ASSERT_NO_FATAL_FAILURE(start()) << "restart after kill " << round + 1;
      const auto t2 = std::chrono::steady_clock::now();
      ASSERT_NO_FATAL_FAILURE(check_after_restart(false)) << "after kill " << round + 1;
      const auto t3 = std::chrono::steady_clock::now();
      const auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
      };
      std::cout << "kill " << round + 1 << " after " << load_for.count() << " ms of load: clients "
                << ms(t1 - t0) << " ms, restart " << ms(t2 - t1) << " ms, checks " << ms(t3 - t2)
                << " ms" << std::endl;
      if (HasFailure()) return;
    }

    // The last restart: the history of everything, and every answered closing exported
    // exactly once, once the backlog is worked off.
    ASSERT_NO_FATAL_FAILURE(check_after_restart(true));
    std::set<std::string> closed;
    {
      const std::lock_guard lock(mutex_);
      for (const auto& [id, record] : records_)
        if (record.closed_acked) closed.insert(id);
    }
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    std::set<std::string> missing = closed;
    while (!missing.empty() && std::chrono::steady_clock::now() < deadline) {
      ASSERT_NO_FATAL_FAILURE(check_drop_folder());
      for (auto it = missing.begin(); it != missing.end();) {
        bool found = false;
        for (const auto& key : journalposts_) found = found || key.starts_with(*it + "/lukket/");
        it = found ? missing.erase(it) : std::next(it);
      }
      if (!missing.empty()) std::this_thread::sleep_for(250ms);
    }
    EXPECT_TRUE(missing.empty()) << missing.size() << " closed avvik never reached the drop, e.g. "
                                 << (missing.empty() ? "" : *missing.begin());
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began);
    std::cout << "crash test: " << rounds << " kills in " << seconds.count() << " s; "
              << registrations_acked_ << " registrations and " << closings_acked_
              << " closings answered, " << journalposts_.size() << " messages dropped" << std::endl;
    EXPECT_GE(closings_acked_, 1u) << "the load never reached a closing: nothing was exported";
  }

  std::string database_;
  std::string store_json_;
  fs::path config_;
  std::mutex mutex_;
  std::map<std::string, AvvikRecord> records_;
  std::set<std::string> open_;
  std::set<std::string> touched_;
  std::atomic<int> next_title_{1};
  std::atomic<int> closings_{0};
  std::size_t registrations_acked_ = 0;
  std::size_t closings_acked_ = 0;
  std::set<std::string> checked_folders_;
  std::set<std::string> journalposts_;
};

TEST_F(CrashSafetyTest, Sqlite) { run_crash_rounds(); }

TEST_F(CrashSafetyTest, Postgresql) {
  ASSERT_NO_FATAL_FAILURE(use_postgresql());
  run_crash_rounds();
}

}  // namespace
}  // namespace boligflyt::e2e

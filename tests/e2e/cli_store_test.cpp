// The operator's commands on a real installation: `boligflyt deviation verify-history` finds
// a history altered behind the plugin's back (someone with database access who removes the
// append-only triggers), `boligflyt store backup` copies the database while it is used,
// `store verify` finds what is wrong with a store, and `store restore` puts a verified copy in
// place only while the service is stopped.

#include <sqlite3.h>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

class CliStoreTest : public HostTest {
 protected:
  std::string register_avvik(const std::string& title) {
    Headers h = bearer(token("leder-nav"));
    h.emplace_back("Content-Type", "application/json");
    const auto r = http_request(
        host_->port(), "POST", "/api/v1/deviations", h,
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
        R"("incident_date":"2025-06-02","category":"annet","severity":"lav","title":")" +
            title + R"(","description":"Beskrivelse."})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return json_at(r.body, "/id").value_or("");
  }

  CommandResult cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{cli_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, temp_.path());
  }

  static void exec_sql(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    char* error = nullptr;
    const int rc =
        sqlite3_exec(handle, ("PRAGMA foreign_keys=OFF;" + sql).c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(handle);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }
};

TEST_F(CliStoreTest, VerifyHistoryPassesOnAnIntactStoreAndNamesATamperedAvvik) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto first = register_avvik("Første");
  const auto second = register_avvik("Andre");
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();

  const auto data = data_dir().string();
  const auto intact = cli({"deviation", "verify-history", "--data", data});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_NE(intact.out.find("2 avvik"), std::string::npos) << intact.out;

  // Someone with file access rewrites history: the chain no longer holds.
  ASSERT_NO_FATAL_FAILURE(
      exec_sql(data_dir() / "boligflyt.sqlite3",
               "DROP TRIGGER deviation_events_no_update;"
               "UPDATE deviation_events SET data_json = replace(data_json, 'Andre', 'Endret') "
               "WHERE deviation_id = '" +
                   second + "';"));
  const auto tampered = cli({"deviation", "verify-history", "--data", data});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
  EXPECT_NE(tampered.out.find(second), std::string::npos) << tampered.out;
  EXPECT_EQ(tampered.out.find(first + ":"), std::string::npos) << "the intact one is not blamed";

  // The API says so too.
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto history =
      get("/api/v1/deviations/" + second + "/history", bearer(token("kvalitetsleder")));
  ASSERT_EQ(history.status, 200u) << history.body;
  EXPECT_EQ(json_at(history.body, "/chain/valid"), "false");
  EXPECT_EQ(json_at(history.body, "/chain/first_broken_seq"), "1");
}

TEST_F(CliStoreTest, BackupWhileTheHostRunsIsACompleteDatabase) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto id = register_avvik("Før kopien");
  const auto copy = temp_.path() / "kopi.sqlite3";
  const auto backup =
      cli({"store", "backup", "--data", data_dir().string(), "--out", copy.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  ASSERT_EQ(host_->stop(), 0);

  // The copy is a working store: a host on a data folder holding only the copy serves it.
  std::filesystem::remove_all(data_dir());
  std::filesystem::create_directories(data_dir());
  std::filesystem::copy_file(copy, data_dir() / "boligflyt.sqlite3");
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto read = get("/api/v1/deviations/" + id, bearer(token("leder-nav")));
  EXPECT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(json_at(read.body, "/title"), "Før kopien");

  const auto usage = cli({"store", "backup", "--data", data_dir().string()});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--out"), std::string::npos) << usage.err;
}

TEST_F(CliStoreTest, VerifyFindsAGapInTheNumbersAnOrphanAndAnAlteredHistory) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto first = register_avvik("Første");
  const auto second = register_avvik("Andre");
  const auto third = register_avvik("Tredje");
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();
  const auto data = data_dir().string();

  const auto intact = cli({"store", "verify", "--data", data});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_NE(intact.out.find("i orden; 3 avvik"), std::string::npos) << intact.out;

  // Someone removes the second avvik's row by hand: its number is missing, and its history
  // points at nothing.
  ASSERT_NO_FATAL_FAILURE(exec_sql(data_dir() / "boligflyt.sqlite3",
                                   "DELETE FROM deviations WHERE id = '" + second + "';"));
  const auto damaged = cli({"store", "verify", "--data", data});
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out << damaged.err;
  EXPECT_NE(damaged.out.find("har hull"), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.out.find("deviation_events"), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.out.find("feil funnet"), std::string::npos) << damaged.out;
  EXPECT_EQ(damaged.out.find(first + ":"), std::string::npos) << "intact avvik are not blamed";

  // An altered history is named by its avvik.
  ASSERT_NO_FATAL_FAILURE(
      exec_sql(data_dir() / "boligflyt.sqlite3",
               "DROP TRIGGER deviation_events_no_update;"
               "UPDATE deviation_events SET actor = 'noen-andre' WHERE deviation_id = '" +
                   third + "';"));
  const auto altered = cli({"store", "verify", "--data", data});
  EXPECT_EQ(altered.exit_code, 1);
  EXPECT_NE(altered.out.find(third + ": historikken er endret"), std::string::npos) << altered.out;
}

TEST_F(CliStoreTest, RestorePutsAVerifiedCopyInPlaceOnlyWhileTheServiceIsStopped) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto kept = register_avvik("I kopien");
  const auto copy = temp_.path() / "kopi.sqlite3";
  const auto data = data_dir().string();
  ASSERT_EQ(cli({"store", "backup", "--data", data, "--out", copy.string()}).exit_code, 0);
  const auto later = register_avvik("Etter kopien");

  // The service holds the data folder: restore refuses and changes nothing.
  const auto running = cli({"store", "restore", "--data", data, "--from", copy.string()});
  EXPECT_EQ(running.exit_code, 2) << running.out << running.err;
  EXPECT_NE(running.err.find("Stopp tjenesten"), std::string::npos) << running.err;
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();

  // A file that is not a sound boligflyt database is refused; the database stays as it was.
  const auto garbage = temp_.path() / "ødelagt.sqlite3";
  write_file(garbage, "SQLite format 3 – men ikke egentlig");
  const auto refused = cli({"store", "restore", "--data", data, "--from", garbage.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("ikke endret"), std::string::npos) << refused.err;

  const auto restored = cli({"store", "restore", "--data", data, "--from", copy.string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  bool kept_aside = false;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir())) {
    kept_aside =
        kept_aside || entry.path().filename().string().starts_with("boligflyt.sqlite3.erstattet-");
  }
  EXPECT_TRUE(kept_aside) << "the replaced database is kept beside the restored one";

  ASSERT_NO_FATAL_FAILURE(start_host());
  EXPECT_EQ(get("/api/v1/deviations/" + kept, bearer(token("leder-nav"))).status, 200u);
  EXPECT_EQ(get("/api/v1/deviations/" + later, bearer(token("leder-nav"))).status, 404u)
      << "the restored database is the copy, from before the later avvik";
}

TEST_F(CliStoreTest, ASecondHostOnTheSameDataFolderIsRefused) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  HostOptions options;
  options.data_dir = data_dir();
  std::string failure;
  auto second = HostProcess::start(options, temp_.path(), failure);
  EXPECT_EQ(second, nullptr) << "two processes must not share one SQLite data folder";
  EXPECT_NE(failure.find("in use by another boligflyt process"), std::string::npos) << failure;
  // The first one goes on serving.
  EXPECT_EQ(get("/healthz").status, 200u);
}

}  // namespace
}  // namespace boligflyt::e2e

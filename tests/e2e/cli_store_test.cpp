// The operator's commands on a real installation: `boligflyt deviation verify-history` finds
// a history altered behind the plugin's back (someone with database access who removes the
// append-only triggers), and `boligflyt store backup` copies the database while it is used.

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
    const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
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

}  // namespace
}  // namespace boligflyt::e2e

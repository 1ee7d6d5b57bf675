// The `boligflyt` CLI's dev-token command, run as the real binary.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "boligflyt/host/host_config.h"
#include "boligflyt/host/secret_key_file.h"
#include "boligflyt/host/token_authority.h"
#include "support/child_process.h"
#include "support/host_process.h"
#include "support/http_client.h"

namespace boligflyt::e2e {
namespace {

class CliDevTokenTest : public ::testing::Test {
 protected:
  CommandResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), cli_binary());
    return run_command(args, temp_.path());
  }
  std::filesystem::path data_dir() const { return temp_.path() / "data"; }

  TempDir temp_;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST_F(CliDevTokenTest, HelpNamesTheCommands) {
  const CommandResult help = cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("dev-token"), std::string::npos) << help.out;
  EXPECT_EQ(cli({"dev-token", "--help"}).exit_code, 0);
}

TEST_F(CliDevTokenTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(cli({}).exit_code, 2);
  EXPECT_EQ(cli({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(cli({"dev-token"}).exit_code, 2);
  EXPECT_EQ(cli({"dev-token", "--list", "leder-nav"}).exit_code, 2);
  EXPECT_EQ(cli({"dev-token", "--list", "--format", "xml"}).exit_code, 2);
}

TEST_F(CliDevTokenTest, ListShowsEveryUserWithUnitsAndRoles) {
  const CommandResult list = cli({"dev-token", "--list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::vector<std::string> lines = split_lines(list.out);
  const host::HostConfig config = host::load_host_config(std::nullopt);
  ASSERT_EQ(lines.size(), config.users.size()) << list.out;
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "leder-boligkontor\tKari Solberg\tboligkontor\tunit_leader"),
            lines.end())
      << list.out;
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "prosedyreeier\tSilje Andersen\tboligsosial-koordinator\tprocedure_owner"),
            lines.end())
      << list.out;
  // The demo users of issue 12: employees of several units and the data-protection officer.
  for (const char* line :
       {"ansatt-nav\tFatima Ali\tnav\temployee", "ansatt-eiendom\tOla Nordby\teiendom\temployee",
        "personvernombud\tTone Myhre (personvernombud)\tkommunedirektor\t"
        "data_protection_officer"}) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end())
        << "missing: " << line << "\n"
        << list.out;
  }
  // Listing needs no secret and must not create one.
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

TEST_F(CliDevTokenTest, ListAsJson) {
  const CommandResult list = cli({"dev-token", "--list", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const host::HostConfig config = host::load_host_config(std::nullopt);
  ASSERT_EQ(json_array_size(list.out, ""), config.users.size()) << list.out;
  EXPECT_EQ(json_at(list.out, "/0/id"), "leder-kommunedirektor");
  EXPECT_EQ(json_at(list.out, "/0/units"), R"(["kommunedirektor"])");
  EXPECT_EQ(json_at(list.out, "/0/roles"), R"(["unit_leader"])");
  // The demo users include employees of several units and a data-protection officer, each
  // listed with the role that decides what the pages offer them.
  std::map<std::string, std::string> roles_of;
  for (std::size_t i = 0; i < config.users.size(); ++i) {
    roles_of[json_at(list.out, "/" + std::to_string(i) + "/id").value_or("")] =
        json_at(list.out, "/" + std::to_string(i) + "/roles").value_or("");
  }
  EXPECT_EQ(roles_of["personvernombud"], R"(["data_protection_officer"])");
  std::set<std::string> employee_units;
  for (std::size_t i = 0; i < config.users.size(); ++i) {
    if (json_at(list.out, "/" + std::to_string(i) + "/roles") == R"(["employee"])") {
      employee_units.insert(json_at(list.out, "/" + std::to_string(i) + "/units").value_or(""));
    }
  }
  EXPECT_GE(employee_units.size(), 3u) << list.out;
}

TEST_F(CliDevTokenTest, UnknownUserExitsWithTwo) {
  const CommandResult result = cli({"dev-token", "ola", "--data", data_dir().string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty());
  EXPECT_NE(result.err.find("ukjent bruker «ola»"), std::string::npos) << result.err;
}

TEST_F(CliDevTokenTest, TokenCreatesTheSecretAsTheHostDoes) {
  const CommandResult result = cli({"dev-token", "leder-pro", "--data", data_dir().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::filesystem::path secret = host::hs256_secret_path(data_dir());
  struct stat st {};
  ASSERT_EQ(::stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::string token = result.out;
  ASSERT_TRUE(token.ends_with("\n"));
  token.pop_back();
  const host::HostConfig config = host::load_host_config(std::nullopt);
  const auto authority =
      host::TokenAuthority::hs256(host::load_or_create_hs256_secret(data_dir()).bytes, config);
  const host::TokenCheck check = authority->verify(token);
  ASSERT_TRUE(check.principal) << check.failure;
  EXPECT_EQ(check.principal->user_id, "leder-pro");

  // A second token for the same folder uses the same secret.
  const CommandResult again = cli({"dev-token", "leder-pro", "--data", data_dir().string()});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_TRUE(authority->verify(again.out.substr(0, again.out.size() - 1)).principal);
}

TEST_F(CliDevTokenTest, CustomConfigUsersAreListed) {
  const std::filesystem::path config = temp_.path() / "cli.json";
  write_file(config, R"({"units":[{"id":"nav","name":"NAV"}],
                         "users":[{"id":"test-bruker","display_name":"Test Bruker","units":["nav"],"roles":["approver","quality_leader"]}]})");
  const CommandResult list = cli({"dev-token", "--list", "--config", config.string()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "test-bruker\tTest Bruker\tnav\tapprover,quality_leader\n");
  EXPECT_EQ(
      cli({"dev-token", "leder-nav", "--config", config.string(), "--data", data_dir().string()})
          .exit_code,
      2);
}

}  // namespace
}  // namespace boligflyt::e2e

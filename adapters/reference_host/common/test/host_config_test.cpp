#include "boligflyt/host/host_config.h"

#include <gtest/gtest.h>

namespace boligflyt::host {
namespace {

TEST(HostConfigTest, EmbeddedDefaultHasEveryUnitAndALeaderForEach) {
  const HostConfig config = load_host_config(std::nullopt);
  const std::vector<std::string> unit_ids = {"kommunedirektor",
                                             "boligkontor",
                                             "eiendom",
                                             "nav",
                                             "flyktningtjenesten",
                                             "psykisk-helse-rus",
                                             "pro",
                                             "boligsosial-koordinator",
                                             "klageutvalget",
                                             "okonomi"};
  ASSERT_EQ(config.units.size(), unit_ids.size());
  for (const std::string& id : unit_ids) {
    const Unit* unit = config.find_unit(id);
    ASSERT_NE(unit, nullptr) << id;
    if (id == "kommunedirektor") {
      EXPECT_FALSE(unit->parent.has_value());
    } else {
      EXPECT_EQ(unit->parent.value_or(""), "kommunedirektor") << id;
    }
    const User* leader = config.find_user("leder-" + id);
    ASSERT_NE(leader, nullptr) << id;
    EXPECT_EQ(leader->units, std::vector<std::string>{id});
    EXPECT_EQ(leader->roles, std::vector<std::string>{"unit_leader"});
  }
  EXPECT_EQ(config.find_unit("okonomi")->name, "Økonomi – innfordring");
  ASSERT_NE(config.find_user("prosedyreeier"), nullptr);
  EXPECT_EQ(config.find_user("prosedyreeier")->roles, std::vector<std::string>{"procedure_owner"});
  EXPECT_EQ(config.find_user("godkjenner")->roles, std::vector<std::string>{"approver"});
  EXPECT_EQ(config.find_user("kvalitetsleder")->roles, std::vector<std::string>{"quality_leader"});
  EXPECT_EQ(config.auth.issuer, "boligflyt-dev");
  EXPECT_EQ(config.auth.audience, "boligflyt");
  EXPECT_EQ(config.auth.dev_token_lifetime, std::chrono::hours(24 * 30));
  EXPECT_EQ(config.listen.value_or(""), "127.0.0.1:8080");
}

TEST(HostConfigTest, RelativePathsResolveAgainstTheConfigFolder) {
  const HostConfig config = parse_host_config(
      R"({"plugin_path":"lib/libboligflyt.so","procedures_dir":"/abs/procedures","data_dir":"../data"})",
      "/etc/boligflyt", "test");
  EXPECT_EQ(config.plugin_path->string(), "/etc/boligflyt/lib/libboligflyt.so");
  EXPECT_EQ(config.procedures_dir->string(), "/abs/procedures");
  EXPECT_EQ(config.data_dir->string(), "/etc/data");
}

TEST(HostConfigTest, UnknownUnitOfAUserIsRefusedWithItsName) {
  try {
    parse_host_config(R"({"units":[{"id":"a","name":"A"}],
                          "users":[{"id":"u","display_name":"U","units":["b"],"roles":[]}]})",
                      "/", "test.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("«b»"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.json"), std::string::npos) << e.what();
  }
}

TEST(HostConfigTest, UnknownRoleAndDuplicatesAreRefused) {
  EXPECT_THROW(
      parse_host_config(R"({"users":[{"id":"u","display_name":"U","roles":["admin"]}]})", "/", "t"),
      ConfigError);
  EXPECT_THROW(
      parse_host_config(R"({"units":[{"id":"a","name":"A"},{"id":"a","name":"B"}]})", "/", "t"),
      ConfigError);
  EXPECT_THROW(parse_host_config(R"({"units":[{"id":"a","name":"A","parent":"x"}]})", "/", "t"),
               ConfigError);
  EXPECT_THROW(parse_host_config("not json", "/", "t"), ConfigError);
  EXPECT_THROW(parse_host_config(R"({"auth":{"dev_token_lifetime_days":0}})", "/", "t"),
               ConfigError);
}

TEST(HostConfigTest, DataDirPrefersCommandLineThenConfigThenDefault) {
  HostConfig config;
  EXPECT_EQ(resolve_data_dir(std::nullopt, config),
            (std::filesystem::current_path() / "boligflyt-data").lexically_normal());
  config.data_dir = "/srv/boligflyt";
  EXPECT_EQ(resolve_data_dir(std::nullopt, config), "/srv/boligflyt");
  EXPECT_EQ(resolve_data_dir(std::filesystem::path("/tmp/x"), config), "/tmp/x");
}

}  // namespace
}  // namespace boligflyt::host

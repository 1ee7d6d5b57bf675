#include "boligflyt/host/directory.h"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

namespace boligflyt::host {
namespace {

namespace json = boost::json;

json::object unit_json(const Unit& unit) {
  json::object o;
  o["id"] = unit.id;
  o["name"] = unit.name;
  o["parent"] = unit.parent ? json::value(*unit.parent) : json::value(nullptr);
  return o;
}

json::object user_json(const User& user) {
  json::object o;
  o["id"] = user.id;
  o["display_name"] = user.display_name;
  o["units"] = json::array(user.units.begin(), user.units.end());
  o["roles"] = json::array(user.roles.begin(), user.roles.end());
  if (!user.email.empty()) o["email"] = user.email;  // ABI 1.1
  return o;
}

}  // namespace

bool answer_directory_query(const HostConfig& config, std::string_view query_json,
                            std::string& answer, std::string& error) {
  boost::system::error_code ec;
  json::value query_value = json::parse(query_json, ec);
  if (ec || !query_value.is_object()) {
    error = "directory query is not a JSON object";
    return false;
  }
  const json::object& query = query_value.get_object();
  auto string_of = [&](std::string_view key) -> std::optional<std::string> {
    const json::value* v = query.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  if (auto unit_id = string_of("unit_id")) {
    const Unit* unit = config.find_unit(*unit_id);
    answer = unit ? json::serialize(unit_json(*unit)) : "null";
    return true;
  }
  if (auto user_id = string_of("user_id")) {
    const User* user = config.find_user(*user_id);
    answer = user ? json::serialize(user_json(*user)) : "null";
    return true;
  }
  if (auto unit_id = string_of("leaders_of")) {
    json::array leaders;
    for (const User& user : config.users) {
      const bool leads =
          std::find(user.roles.begin(), user.roles.end(), kRoleUnitLeader) != user.roles.end();
      const bool member =
          std::find(user.units.begin(), user.units.end(), *unit_id) != user.units.end();
      if (leads && member) leaders.push_back(user_json(user));
    }
    answer = json::serialize(leaders);
    return true;
  }
  error = "directory query needs unit_id, user_id or leaders_of";
  return false;
}

}  // namespace boligflyt::host

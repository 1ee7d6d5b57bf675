#pragma once
// Who acts: the person the host authenticated, as the domain sees them. The domain decides
// what an actor may do from their units and roles; how they signed in is the host's business.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace boligflyt {

struct Actor {
  std::string user_id;
  std::string display_name;
  std::vector<std::string> units;
  std::vector<std::string> roles;

  bool has_role(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool in_unit(std::string_view unit) const {
    return std::find(units.begin(), units.end(), unit) != units.end();
  }
};

}  // namespace boligflyt

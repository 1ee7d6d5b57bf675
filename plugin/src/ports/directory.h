#pragma once
// Port: the organisation directory — who leads a unit, a person's name, a unit's name.
// Adapter: adapters/host_abi_table (HostDirectory: the host's directory_lookup, in JSON as
// plugin_abi.h describes it). A directory that cannot answer now answers "nobody known":
// callers fall back to ids, and an export that needs a leader waits (archive-no-leader).

#include <optional>
#include <string>
#include <vector>

namespace boligflyt::ports {

struct DirectoryPerson {
  std::string id;
  std::string display_name;  // the id when the directory has no name
  std::string email;         // "" when the directory has none (always, before ABI 1.1)
};

struct DirectoryUnit {
  std::string id;
  std::string name;
  std::string parent;  // "" for a top unit or when the directory does not say
};

class Directory {
 public:
  virtual ~Directory() = default;
  /// The unit leaders of `unit_id`, in the directory's order; empty when none are known.
  virtual std::vector<DirectoryPerson> leaders_of(const std::string& unit_id) = 0;
  virtual std::optional<DirectoryPerson> person(const std::string& user_id) = 0;
  virtual std::optional<DirectoryUnit> unit(const std::string& unit_id) = 0;
};

}  // namespace boligflyt::ports

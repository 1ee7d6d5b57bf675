#pragma once
// Adapter for the directory port (ports/directory.h) over the host services' directory_lookup
// (JSON queries and answers as plugin_abi.h describes them): the one place that reads the
// host's directory JSON.

#include <memory>

#include "ports/directory.h"
#include "ports/host_services.h"

namespace boligflyt::adapters {

class HostDirectory final : public ports::Directory {
 public:
  /// `host` must outlive this object.
  explicit HostDirectory(ports::HostServices& host) : host_(host) {}

  // ports::Directory
  std::vector<ports::DirectoryPerson> leaders_of(const std::string& unit_id) override;
  std::optional<ports::DirectoryPerson> person(const std::string& user_id) override;
  std::optional<ports::DirectoryUnit> unit(const std::string& unit_id) override;

 private:
  ports::HostServices& host_;
};

/// The factory.
std::unique_ptr<ports::Directory> make_host_directory(ports::HostServices& host);

}  // namespace boligflyt::adapters

#pragma once
// What the store suites that drive the avvik service share: a host that answers nothing (the
// plugin then falls back to its own unit registry) and the actors the tests act as.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "ports/host_services.h"

namespace boligflyt::store::testing {

class QuietHost final : public ports::HostServices {
 public:
  Result<std::optional<std::string>> directory_lookup(const std::string&) override {
    return std::optional<std::string>{};
  }
  Result<void> notify(const std::string&) override { return {}; }
  Result<void> publish_document(const std::string&, std::string_view) override { return {}; }
};

inline Actor leader_of(const std::string& unit) {
  return Actor{"leder-" + unit, "Leder " + unit, {unit}, {"unit_leader"}};
}

inline Actor employee(const std::string& id, std::vector<std::string> units) {
  return Actor{id, "Ansatt " + id, std::move(units), {"employee"}};
}

}  // namespace boligflyt::store::testing

#pragma once
// The API's own view of a request and a response: plain C++ values, independent of the C ABI
// and of any transport. Handlers are functions from these to these (STYLE.md rule 3).

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/actor.h"

namespace boligflyt::api {

/// The authenticated principal of a request is the domain's actor: the API adds nothing to it.
using Principal = Actor;

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// Valid only during one dispatch: views point into the host's buffers.
struct Request {
  std::string_view method;
  std::string_view path;
  std::string_view query;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  std::optional<Principal> principal;
  std::map<std::string, std::string> path_params;  // filled by the router

  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (iequals(k, name)) return v;
    }
    return std::nullopt;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace boligflyt::api

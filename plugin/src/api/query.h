#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace boligflyt::api {

/// Parses an application/x-www-form-urlencoded query string ("a=1&b=%C3%A6"). Invalid
/// percent escapes and invalid UTF-8 are errors naming the parameter.
Result<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace boligflyt::api

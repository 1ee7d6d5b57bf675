#pragma once
#include <boost/json/value.hpp>

#include "api/http.h"
#include "core/result.h"

namespace boligflyt::api {

/// Parses a request body as JSON. Requires Content-Type application/json (415 otherwise);
/// syntax errors name line and column in Norwegian and never echo the body.
Result<boost::json::value> parse_json_body(const Request& request);

/// Same rules for any JSON text (e.g. configuration); `what` names the input in messages.
Result<boost::json::value> parse_json_text(std::string_view text, std::string_view what);

Response json_response(int status, const boost::json::value& body);

/// A text member that is null while empty ("not given yet").
inline boost::json::value text_or_null(const std::string& s) {
  return s.empty() ? boost::json::value() : boost::json::value(s);
}

}  // namespace boligflyt::api

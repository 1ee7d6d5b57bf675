#pragma once
// One place where errors become RFC 9457 problem+json responses.

#include "api/http.h"
#include "core/result.h"

namespace boligflyt::api {

/// Stable URI prefix of problem types; clients switch on the full `type`.
inline constexpr std::string_view kProblemTypePrefix = "urn:boligflyt:problem:";

int status_for(const Error& error);
Response problem_response(const Error& error, std::string_view instance_path = {});

/// 400 invalid-parameter naming the query parameter (Norwegian detail).
inline Error bad_parameter(std::string field, std::string detail) {
  return make_error(ErrorKind::kInvalid, "invalid-parameter", "Ugyldig parameter",
                    std::move(detail), std::move(field));
}

}  // namespace boligflyt::api

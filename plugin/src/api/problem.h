#pragma once
// The only place where errors become RFC 9457 problem+json responses: the catalogue's kinds
// and codes (core/errors.h) get their HTTP status, problem type and Norwegian title here.

#include "api/http.h"
#include "core/result.h"

namespace boligflyt::api {

/// Stable URI prefix of problem types; clients switch on the full `type`.
inline constexpr std::string_view kProblemTypePrefix = "urn:boligflyt:problem:";

/// How one error is shown over HTTP.
struct ProblemShape {
  int status = 500;
  std::string_view type;   // the slug after kProblemTypePrefix
  std::string_view title;  // Norwegian
};

ProblemShape problem_shape(const Error& error);
int status_for(const Error& error);
Response problem_response(const Error& error, std::string_view instance_path = {});

/// 400 invalid-parameter naming the query parameter (Norwegian detail).
inline Error bad_parameter(std::string field, std::string detail) {
  return domain_error(ErrorKind::kBadRequest, "invalid-parameter", std::move(detail),
                      std::move(field));
}

}  // namespace boligflyt::api

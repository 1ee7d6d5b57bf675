#include "api/problem.h"

#include <boost/json.hpp>

namespace boligflyt::api {

int status_for(const Error& error) {
  if (error.http_status != 0) return error.http_status;
  switch (error.kind) {
    case ErrorKind::kInvalid: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kForbidden: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kPreconditionFailed: return 412;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kUnsupportedMedia: return 415;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

Response problem_response(const Error& error, std::string_view instance_path) {
  boost::json::object body;
  body["type"] = std::string(kProblemTypePrefix) + error.slug;
  body["title"] = error.title;
  body["status"] = status_for(error);
  if (!error.detail.empty()) body["detail"] = error.detail;
  if (!error.field.empty()) body["field"] = error.field;
  if (!instance_path.empty()) body["instance"] = instance_path;
  if (!error.extra_members_json.empty()) {
    boost::system::error_code ec;
    auto extra = boost::json::parse(error.extra_members_json, ec);
    if (!ec && extra.is_object()) {
      for (const auto& [k, v] : extra.as_object()) {
        if (!body.contains(k)) body[k] = v;
      }
    }
  }
  Response response;
  response.status = status_for(error);
  response.content_type = "application/problem+json";
  response.body = boost::json::serialize(body);
  if (error.kind == ErrorKind::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return response;
}

}  // namespace boligflyt::api

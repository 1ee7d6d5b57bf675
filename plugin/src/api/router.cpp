#include "api/router.h"

#include <exception>

#include "api/problem.h"
#include "util/utf8.h"

namespace boligflyt::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    out.push_back(path.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one path segment; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out.push_back(segment[i]);
      continue;
    }
    if (i + 2 >= segment.size()) return std::nullopt;
    const int hi = hex_value(segment[i + 1]);
    const int lo = hex_value(segment[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Error bad_path(std::string detail) {
  return make_error(ErrorKind::kBadRequest, "invalid-path", "Ugyldig adresse", std::move(detail),
                    "path");
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler), options};
  for (auto segment : split_path(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

Response Router::handle(Request request) const {
  const auto started = std::chrono::steady_clock::now();
  std::string route_label = "unmatched";
  Response response;

  auto finish = [&](Response r) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(std::string(request.method), route_label, r.status, seconds);
    logger_.log(r.status >= 500 ? LogLevel::kError : LogLevel::kInfo, "http_request",
                {{"method", std::string(request.method)},
                 {"route", route_label},
                 {"status", std::to_string(r.status)},
                 {"duration_ms", std::to_string(seconds * 1000.0)},
                 {"request_id", std::string(request.header("X-Request-Id").value_or(""))}});
    return r;
  };

  if (request.path.empty() || request.path.front() != '/') {
    return finish(problem_response(bad_path("Adressen må begynne med «/».")));
  }
  if (auto bad = util::find_invalid_utf8(request.path)) {
    return finish(problem_response(
        bad_path("Adressen inneholder ugyldig UTF-8 ved byte " + std::to_string(*bad) + ".")));
  }

  const auto raw_segments = split_path(request.path);
  std::vector<std::string> segments;
  for (auto raw : raw_segments) {
    auto decoded = percent_decode(raw);
    if (!decoded) return finish(problem_response(bad_path("Adressen har en ugyldig %-koding.")));
    if (auto bad = util::find_invalid_utf8(*decoded)) {
      return finish(problem_response(bad_path("Adressen inneholder ugyldig UTF-8.")));
    }
    segments.push_back(std::move(*decoded));
  }

  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        if (segments[i].empty()) match = false;
        else params[want.substr(1, want.size() - 2)] = segments[i];
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed.push_back(route.method);
      continue;
    }
    route_label = route.pattern;
    request.path_params = std::move(params);
    return finish(handle_matched(route, request));
  }

  if (!allowed.empty()) {
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    auto error =
        make_error(ErrorKind::kMethodNotAllowed, "method-not-allowed", "Metoden er ikke tillatt",
                   "Adressen finnes, men støtter ikke " + std::string(request.method) +
                       ". Tillatt: " + allow + ".",
                   "method");
    auto r = problem_response(error, request.path);
    r.headers.emplace_back("Allow", allow);
    return finish(r);
  }
  return finish(problem_response(make_error(ErrorKind::kNotFound, "not-found", "Finnes ikke",
                                            "Det finnes ingen ressurs med denne adressen.", "path"),
                                 request.path));
}

Response Router::handle_matched(const Route& route, Request& request) const {
  if (route.options.requires_principal && !request.principal) {
    return problem_response(
        make_error(ErrorKind::kUnauthenticated, "unauthenticated", "Ikke innlogget",
                   "Denne adressen krever innlogging (Bearer-token).", "Authorization"));
  }
  if (request.body.size() > max_body_bytes_) {
    return problem_response(
        make_error(ErrorKind::kTooLarge, "body-too-large", "For stor forespørsel",
                   "Innholdet er på " + std::to_string(request.body.size()) + " byte; grensen er " +
                       std::to_string(max_body_bytes_) + " byte.",
                   "body"));
  }
  try {
    auto result = route.handler(request);
    if (result) return std::move(result).value();
    const auto& error = result.error();
    if (!error.log_message.empty()) {
      logger_.log(
          status_for(error) >= 500 ? LogLevel::kError : LogLevel::kInfo, "request_error",
          {{"route", route.pattern}, {"problem", error.slug}, {"cause", error.log_message}});
    }
    return problem_response(error, request.path);
  } catch (const std::exception& e) {
    logger_.error("handler_exception", {{"route", route.pattern}, {"what", e.what()}});
  } catch (...) {
    logger_.error("handler_exception", {{"route", route.pattern}, {"what", "unknown"}});
  }
  return problem_response(internal_error("handler threw"), request.path);
}

}  // namespace boligflyt::api

#include "api/api_gateway.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>

namespace boligflyt::host {
namespace {

constexpr std::string_view kProblemTypePrefix = "urn:boligflyt:problem:";
constexpr std::size_t kMaxRequestIdLength = 128;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

boligflyt_str to_str(std::string_view s) { return boligflyt_str{s.data(), s.size()}; }

std::string_view to_view(boligflyt_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

std::string new_request_id() {
  // Request ids correlate log lines; they need to be unique, not unpredictable.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  for (int word = 0; word < 2; ++word) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += kDigits[bits & 0x0f];
  }
  return id;
}

// A client-supplied id ends up in logs and response headers; accept only harmless ones.
bool acceptable_request_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                  c == '.' || c == ':';
         });
}

std::string ensure_request_id(HeaderList& headers) {
  for (auto it = headers.begin(); it != headers.end(); ++it) {
    if (!iequals(it->first, "x-request-id")) continue;
    if (acceptable_request_id(it->second)) return it->second;
    headers.erase(it);
    break;
  }
  std::string id = new_request_id();
  headers.emplace_back("X-Request-Id", id);
  return id;
}

std::optional<std::string_view> bearer_token(const std::string* authorization) {
  if (authorization == nullptr) return std::nullopt;
  std::string_view value = *authorization;
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

// Framing belongs to the transport, and CR/LF in a header would let a response split.
bool forwardable_response_header(std::string_view name, std::string_view value) {
  static constexpr std::string_view kReserved[] = {
      "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "content-type"};
  if (name.empty()) return false;
  for (std::string_view reserved : kReserved) {
    if (iequals(name, reserved)) return false;
  }
  auto unsafe = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return std::none_of(name.begin(), name.end(),
                      [&](char c) { return unsafe(c) || c == ':' || c == ' '; }) &&
         std::none_of(value.begin(), value.end(), unsafe);
}

HttpResponse unauthorized(bool token_present, const std::string& request_id) {
  HttpResponse response =
      token_present
          ? make_problem(401, "invalid-token", "Ikke autentisert",
                         "Tilgangstokenet er ugyldig eller utløpt. Logg inn på nytt og prøv igjen.",
                         request_id)
          : make_problem(401, "unauthenticated", "Ikke autentisert",
                         "Forespørselen mangler tilgangstoken. Send det i hodet "
                         "«Authorization: Bearer <token>».",
                         request_id);
  // RFC 6750 §3: tell the client which scheme we expect, and why a token was refused.
  response.headers.emplace_back("WWW-Authenticate",
                                token_present ? R"(Bearer realm="boligflyt", error="invalid_token")"
                                              : R"(Bearer realm="boligflyt")");
  return response;
}

}  // namespace

const std::string* find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

HttpResponse make_problem(unsigned status, std::string_view type, std::string_view title,
                          std::string_view detail, std::string_view request_id) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  std::string& body = response.body;
  body = "{\"type\":\"";
  body += kProblemTypePrefix;
  append_json_escaped(body, type);
  body += "\",\"title\":\"";
  append_json_escaped(body, title);
  body += "\",\"status\":" + std::to_string(status) + ",\"detail\":\"";
  append_json_escaped(body, detail);
  body += '"';
  if (!request_id.empty()) {
    body += ",\"request_id\":\"";
    append_json_escaped(body, request_id);
    body += '"';
  }
  body += "}";
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ApiGateway::ApiGateway(const PluginInstance& plugin, const TokenAuthority& tokens, Logger& logger,
                       std::size_t max_body_bytes, BrowserSessions* sessions)
    : plugin_(plugin),
      tokens_(tokens),
      logger_(logger),
      max_body_bytes_(max_body_bytes),
      sessions_(sessions) {}

HttpResponse ApiGateway::handle(HttpRequest request) {
  // Exceptions stop here: the transport only moves bytes and the plugin is C.
  try {
    return authenticate_and_dispatch(std::move(request));
  } catch (const std::exception& e) {
    logger_.log(LogLevel::kError, "request_failed", {{"error", e.what()}});
  } catch (...) {
    logger_.log(LogLevel::kError, "request_failed");
  }
  return make_problem(500, "internal", "Intern feil",
                      "Det oppstod en uventet feil. Prøv igjen, eller kontakt brukerstøtte.");
}

HttpResponse ApiGateway::authenticate_and_dispatch(HttpRequest request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = ensure_request_id(request.headers);
  const std::string_view target = request.target;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  std::optional<Principal> principal;
  std::optional<HttpResponse> response;
  if (path.empty() || path.front() != '/') {
    response = make_problem(400, "bad-request", "Ugyldig forespørsel",
                            "Adressen i forespørselen må begynne med «/».", request_id);
  } else if (sessions_ != nullptr && (response = sessions_->handle(request, path, query))) {
    // Sign-in, sign-out and the session's CSRF token: the host's own pages.
  } else if (!(request.method == "GET" && path == "/healthz")) {
    const std::optional<std::string_view> token =
        bearer_token(find_header(request.headers, "authorization"));
    const std::optional<BrowserSession> session =
        !token && sessions_ != nullptr ? sessions_->find(request.headers) : std::nullopt;
    if (session) {
      // The cookie rides along on any request the browser makes, so a write must also prove
      // it comes from our own page: the session's CSRF token, which other sites cannot read.
      const bool safe_method = request.method == "GET" || request.method == "HEAD";
      if (safe_method || csrf_token_matches(request.headers, *session)) {
        principal = session->principal;
      } else {
        logger_.log(LogLevel::kWarn, "csrf_refused", {{"path", path}, {"request_id", request_id}});
        response = make_problem(403, "csrf", "Forespørselen er avvist",
                                "Endringer må gjøres fra sidene i boligflyt. Last siden på nytt "
                                "og prøv igjen.",
                                request_id);
      }
    } else if (!token && path.starts_with("/assets/")) {
      // Style sheets and scripts are the same for everyone, and the sign-in page needs them.
    } else if (!token && sessions_ != nullptr && request.method == "GET" &&
               !path.starts_with("/api/") && path != "/metrics") {
      // A person opening a page: send them to sign in, and back here afterwards.
      response = HttpResponse{};
      response->status = 303;
      response->content_type = "text/plain; charset=utf-8";
      std::string next;
      const std::string target_path =
          query.empty() ? std::string(path) : std::string(path) + "?" + std::string(query);
      for (const char c : target_path) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '-' || c == '_' ||
            c == '.') {
          next += c;
        } else {
          static constexpr char kHex[] = "0123456789ABCDEF";
          next += '%';
          next += kHex[static_cast<unsigned char>(c) >> 4U];
          next += kHex[static_cast<unsigned char>(c) & 0x0FU];
        }
      }
      response->headers.emplace_back("Location", "/logg-inn?neste=" + next);
      response->headers.emplace_back("Cache-Control", "no-store");
    } else if (!token) {
      response = unauthorized(false, request_id);
    } else {
      TokenCheck check = tokens_.verify(*token);
      if (check.principal) {
        principal = std::move(check.principal);
      } else {
        logger_.log(LogLevel::kWarn, "authentication_failed",
                    {{"reason", check.failure}, {"path", path}, {"request_id", request_id}});
        response = unauthorized(true, request_id);
      }
    }
  }
  if (!response && rate_limiter_ != nullptr && !(request.method == "GET" && path == "/healthz")) {
    // Keyed by who is asking, not by connection: one user cannot escape the limit by
    // opening more connections, and colleagues behind one NAT address do not share it.
    const std::string key =
        principal ? "user:" + principal->user_id : "addr:" + request.remote_address;
    if (const auto wait = rate_limiter_->take(key)) {
      logger_.log(
          LogLevel::kWarn, "rate_limited",
          {{"user", principal ? std::string_view(principal->user_id) : std::string_view("-")},
           {"path", path},
           {"request_id", request_id}});
      response = make_problem(429, "too-many-requests", "For mange forespørsler",
                              "Du har sendt flere forespørsler enn tjenesten tar imot. Vent " +
                                  std::to_string(wait->count()) + " sekund(er) og prøv igjen.",
                              request_id);
      response->headers.emplace_back("Retry-After", std::to_string(wait->count()));
    }
  }
  if (!response) {
    response = dispatch(request, path, query, principal ? &*principal : nullptr, request_id);
  }
  if (find_header(response->headers, "x-request-id") == nullptr) {
    response->headers.emplace_back("X-Request-Id", request_id);
  }

  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  // The plugin logs the requests it handles; the host's own line is for debugging transport
  // and authentication (refusals are logged above as warnings).
  logger_.log(LogLevel::kDebug, "http_request",
              {{"method", request.method},
               {"path", path},
               {"status", std::to_string(response->status)},
               {"duration_ms", std::to_string(elapsed_ms)},
               {"user", principal ? std::string_view(principal->user_id) : std::string_view("-")},
               {"request_id", request_id}});
  return std::move(*response);
}

HttpResponse ApiGateway::dispatch(const HttpRequest& request, std::string_view path,
                                  std::string_view query, const Principal* principal,
                                  const std::string& request_id) {
  std::vector<boligflyt_header> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    // The host has authenticated; the plugin authorises from the principal and has no use
    // for the credential, which it could only leak (into a log, say).
    if (iequals(name, "authorization")) continue;
    headers.push_back(boligflyt_header{to_str(name), to_str(value)});
  }

  std::vector<boligflyt_str> units;
  std::vector<boligflyt_str> roles;
  boligflyt_principal abi_principal{};
  if (principal != nullptr) {
    for (const std::string& unit : principal->units) units.push_back(to_str(unit));
    for (const std::string& role : principal->roles) roles.push_back(to_str(role));
    abi_principal.struct_size = sizeof abi_principal;
    abi_principal.user_id = to_str(principal->user_id);
    abi_principal.display_name = to_str(principal->display_name);
    abi_principal.units = units.data();
    abi_principal.unit_count = units.size();
    abi_principal.roles = roles.data();
    abi_principal.role_count = roles.size();
  }

  boligflyt_request abi_request{};
  abi_request.struct_size = sizeof abi_request;
  abi_request.method = to_str(request.method);
  abi_request.path = to_str(path);
  abi_request.query = to_str(query);
  abi_request.headers = headers.data();
  abi_request.header_count = headers.size();
  abi_request.body = to_str(request.body);
  abi_request.principal = principal != nullptr ? &abi_principal : nullptr;

  const boligflyt_plugin_api& api = plugin_.api();
  boligflyt_response* out = nullptr;
  char err[1024] = {};
  const boligflyt_status status = api.dispatch(plugin_.get(), &abi_request, &out, err, sizeof err);
  if (status != BOLIGFLYT_OK || out == nullptr) {
    api.response_free(out);
    logger_.log(LogLevel::kError, "plugin_dispatch_failed",
                {{"status", status_name(status)},
                 {"error", std::string_view(err, ::strnlen(err, sizeof err))},
                 {"request_id", request_id}});
    if (status == BOLIGFLYT_E_SHUTTING_DOWN) {
      return make_problem(503, "unavailable", "Tjenesten er midlertidig utilgjengelig",
                          "Tjenesten starter på nytt. Prøv igjen om litt.", request_id);
    }
    return make_problem(500, "internal", "Intern feil",
                        "Det oppstod en uventet feil. Prøv igjen, eller kontakt brukerstøtte og "
                        "oppgi forespørsels-ID-en.",
                        request_id);
  }

  HttpResponse response;
  // Fields of a future, larger response struct are ignored, and so are fields a later minor
  // appended when an older plugin's struct lacks them; one without the 1.0 fields is broken.
  if (out->struct_size < BOLIGFLYT_RESPONSE_SIZE_1_0 || out->status < 100 || out->status > 599) {
    logger_.log(LogLevel::kError, "plugin_response_invalid",
                {{"struct_size", std::to_string(out->struct_size)}, {"request_id", request_id}});
    api.response_free(out);
    return make_problem(500, "internal", "Intern feil",
                        "Det oppstod en uventet feil. Prøv igjen, eller kontakt brukerstøtte og "
                        "oppgi forespørsels-ID-en.",
                        request_id);
  }
  response.status = static_cast<unsigned>(out->status);
  response.content_type = std::string(to_view(out->content_type));
  if (response.content_type.find_first_of("\r\n") != std::string::npos)
    response.content_type.clear();
  for (std::size_t i = 0; out->headers != nullptr && i < out->header_count; ++i) {
    const std::string_view name = to_view(out->headers[i].name);
    const std::string_view value = to_view(out->headers[i].value);
    if (forwardable_response_header(name, value)) response.headers.emplace_back(name, value);
  }
  response.body = std::string(to_view(out->body));
  api.response_free(out);
  return response;
}

HttpResponse ApiGateway::reject(TransportRejection why) {
  switch (why) {
    case TransportRejection::kBodyTooLarge: {
      const std::size_t mib = max_body_bytes_ / (1024 * 1024);
      return make_problem(
          413, "payload-too-large", "Forespørselen er for stor",
          "Innholdet i forespørselen er større enn grensen på " +
              (mib > 0 ? std::to_string(mib) + " MiB" : std::to_string(max_body_bytes_) + " byte") +
              ".");
    }
    case TransportRejection::kHeaderTooLarge:
      return make_problem(431, "header-too-large", "Forespørselshodene er for store",
                          "Hodene i forespørselen er større enn det tjenesten tar imot.");
    case TransportRejection::kMalformed: break;
  }
  return make_problem(400, "bad-request", "Ugyldig forespørsel",
                      "Forespørselen kunne ikke tolkes som HTTP/1.1.");
}

}  // namespace boligflyt::host

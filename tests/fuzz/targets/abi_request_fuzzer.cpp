// libFuzzer target for the whole request path through the C boundary: the ABI's request
// check, the router, the query and cursor decoders, and the JSON body of every write route,
// against a real plugin instance (SQLite store in a scratch folder, the shipped procedures).
//
// An input is text, so that mutations stay meaningful:
//   line 1  control: the first character picks the principal ('0'…'5', '-' for none); the
//           letters after it break the request the way a faulty host could:
//           s = request.struct_size too small, n = a NULL method with a size,
//           h = header_count without headers, p = principal.struct_size too small,
//           u = principal without user id
//   line 2  method        line 3  path ("{avvik}" becomes an avvik that exists)
//   line 4  query         then    "Name: value" header lines, an empty line, and the body
//
// What must hold whatever the bytes:
//   * a broken request struct is refused with BOLIGFLYT_E_INVALID_ARGUMENT and no response;
//   * any other request gets BOLIGFLYT_OK and a response: status 200–599 and never 500 (an
//     internal error is a bug), errors as application/problem+json whose JSON carries the same
//     status and a Norwegian title, JSON bodies that parse and are valid UTF-8.
// Built with libFuzzer by run_libfuzzer.cmake and, without it, as fuzz.replay.abi_request
// over the seeds in tests/fuzz/seeds/abi_request/.

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "boligflyt/plugin_abi.h"

namespace {

const boligflyt_plugin_api* api = nullptr;
boligflyt_instance* instance = nullptr;
std::string avvik_id;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "abi_request_fuzzer: %s\n", what.c_str());
  std::abort();
}

boligflyt_str str(std::string_view s) { return {s.data(), s.size()}; }

struct Who {
  const char* user;
  const char* unit;
  const char* role;
};
constexpr Who kPrincipals[] = {{"leder-nav", "nav", "unit_leader"},
                               {"kvalitetsleder", "kommunedirektor", "quality_leader"},
                               {"prosedyreeier", "boligsosial-koordinator", "procedure_owner"},
                               {"godkjenner", "kommunedirektor", "approver"},
                               {"ansatt-nav", "nav", "employee"},
                               {"leder-boligkontor", "boligkontor", "unit_leader"}};

void silent_log(void*, boligflyt_log_level, const char*, size_t) {}

std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

struct Outcome {
  boligflyt_status status;
  boligflyt_response* response;
};

Outcome dispatch(std::string_view input, bool checked) {
  std::string_view rest = input;
  const std::string_view control = next_line(rest);
  const std::string_view method = next_line(rest);
  std::string path(next_line(rest));
  if (const auto at = path.find("{avvik}"); at != std::string::npos) {
    path.replace(at, 7, avvik_id);
  }
  const std::string_view query = next_line(rest);
  std::vector<std::string> header_text;
  while (!rest.empty()) {
    const auto line = next_line(rest);
    if (line.empty()) break;
    header_text.emplace_back(line);
  }
  std::vector<boligflyt_header> headers;
  for (const auto& h : header_text) {
    const auto colon = h.find(':');
    const std::string_view name = std::string_view(h).substr(0, colon);
    std::string_view value =
        colon == std::string::npos ? "" : std::string_view(h).substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.push_back({str(name), str(value)});
  }

  const char who = control.empty() ? '-' : control[0];
  const bool with_principal = who >= '0' && who <= '5';
  const Who& chosen = kPrincipals[with_principal ? who - '0' : 0];
  const boligflyt_str unit = str(chosen.unit);
  const boligflyt_str role = str(chosen.role);
  boligflyt_principal principal{};
  principal.struct_size = sizeof principal;
  principal.user_id = str(chosen.user);
  principal.display_name = str("Fuzz Testesen");
  principal.units = &unit;
  principal.unit_count = 1;
  principal.roles = &role;
  principal.role_count = 1;

  boligflyt_request request{};
  request.struct_size = sizeof request;
  request.method = str(method);
  request.path = str(path);
  request.query = str(query);
  request.headers = headers.empty() ? nullptr : headers.data();
  request.header_count = headers.size();
  request.body = str(rest);
  request.principal = with_principal ? &principal : nullptr;

  bool broken = false;
  if (checked) {
    for (const char c : control.substr(control.empty() ? 0 : 1)) {
      switch (c) {
        case 's':
          request.struct_size = offsetof(boligflyt_request, principal);
          broken = true;
          break;
        case 'n':
          request.method = {nullptr, 3};
          broken = true;
          break;
        case 'h':
          request.headers = nullptr;
          request.header_count = 2;
          broken = true;
          break;
        case 'p':
          principal.struct_size = 8;
          broken = broken || with_principal;
          break;
        case 'u':
          principal.user_id = {"", 0};
          broken = broken || with_principal;
          break;
        default: break;
      }
    }
  }
  char err[512] = "";
  boligflyt_response* response = nullptr;
  const boligflyt_status status = api->dispatch(instance, &request, &response, err, sizeof err);
  if (broken) {
    if (status != BOLIGFLYT_E_INVALID_ARGUMENT || response != nullptr) {
      fail("a broken request struct was not refused (status " + std::to_string(status) + ")");
    }
    if (std::strlen(err) == 0) fail("a refused request has no error text");
    return {status, nullptr};
  }
  if (status != BOLIGFLYT_OK || response == nullptr) {
    fail("a well-formed request failed at the boundary: " + std::string(err));
  }
  return {status, response};
}

void check_response(const boligflyt_response& r, std::string_view input) {
  const std::string where = " for input:\n" + std::string(input.substr(0, 300));
  if (r.struct_size < sizeof(boligflyt_response)) fail("response struct_size too small" + where);
  if (r.status < 200 || r.status > 599) fail("status " + std::to_string(r.status) + where);
  const std::string_view body(r.body.data, r.body.size);
  const std::string_view type(r.content_type.data, r.content_type.size);
  if (r.status == 500) fail("500 internal error: " + std::string(body.substr(0, 300)) + where);
  const bool json =
      type.starts_with("application/json") || type.starts_with("application/problem+json");
  if (r.status >= 400 && !type.starts_with("application/problem+json")) {
    fail("error " + std::to_string(r.status) + " is not problem+json but " + std::string(type) +
         where);
  }
  if (!json) return;
  boost::system::error_code ec;
  const auto value = boost::json::parse(body, ec);
  if (ec) fail("response JSON does not parse: " + ec.message() + where);
  if (r.status >= 400) {
    const auto* object = value.if_object();
    const auto* status = object ? object->if_contains("status") : nullptr;
    const auto* title = object ? object->if_contains("title") : nullptr;
    if (!status || !status->is_int64() || status->as_int64() != r.status) {
      fail("problem+json without the HTTP status" + where);
    }
    if (!title || !title->is_string() || title->as_string().empty()) {
      fail("problem+json without a title" + where);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  char err[512] = "";
  if (boligflyt_plugin_entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR, &api, err, sizeof err) !=
      BOLIGFLYT_OK) {
    fail(std::string("entry: ") + err);
  }
  // A scratch data folder per process; the store grows while fuzzing, which is fine.
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/boligflyt-fuzz-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) fail("mkdtemp");
  static boligflyt_host_services services{};
  services.struct_size = sizeof services;
  services.log = silent_log;  // notify, documents, directory: the plugin's own fallbacks
  const std::string config = R"({"data_dir":")" + dir + R"(/data","procedures_dir":")" +
                             BOLIGFLYT_FUZZ_PROCEDURES +
                             R"(","archive":{"enabled":false},"maintenance_interval_ms":86400000})";
  if (api->create(&services, config.data(), config.size(), &instance, err, sizeof err) !=
      BOLIGFLYT_OK) {
    fail(std::string("create: ") + err);
  }
  // One avvik for the routes under /deviations/{id}.
  const std::string seed =
      "0\nPOST\n/api/v1/deviations\n\nContent-Type: application/json\n\n"
      R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
      R"("incident_date":"2025-06-02","category":"annet","severity":"lav",)"
      R"("title":"Fuzz","description":"Utgangspunkt for fuzzing."})";
  const auto made = dispatch(seed, false);
  const std::string_view body(made.response->body.data, made.response->body.size);
  if (made.response->status != 201) fail("seed avvik not created: " + std::string(body));
  avvik_id = boost::json::parse(body).at("id").as_string().c_str();
  api->response_free(made.response);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto outcome = dispatch(input, true);
  if (outcome.response) {
    // BOLIGFLYT_FUZZ_VERBOSE=1: what each input got, to see that the seeds reach their routes.
    static const bool verbose = std::getenv("BOLIGFLYT_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
      std::fprintf(stderr, "  -> %d %.*s\n", outcome.response->status,
                   static_cast<int>(std::min<std::size_t>(outcome.response->body.size, 160)),
                   outcome.response->body.data);
    }
    check_response(*outcome.response, input);
    api->response_free(outcome.response);
  }
  return 0;
}

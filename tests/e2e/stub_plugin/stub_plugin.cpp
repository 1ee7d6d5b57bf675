// A stand-in plugin for testing the host on its own: it echoes what crosses the ABI and
// calls the host services on request. Built several ways (see CMakeLists.txt) to also play a
// plugin whose create() fails, one that speaks a newer ABI minor, one built against ABI 1.0
// (its table and responses as small as 1.0 made them) and one whose table is too small even
// for 1.0.
//
// Routes:  /healthz            200
//          /stub/echo          the request as JSON (method, path, query, headers, body, principal)
//          /stub/config        the config JSON create() received
//          /stub/directory     body = directory query; answer or 502
//          /stub/notify        body = notification; 204 or 502
//          /stub/mirror        body = mirrored avvik (ABI 1.1); 204, 502, or 501 without it
//          /stub/publish       header X-Meta = metadata, body = content; 204 or 502
//          /stub/log           body = log line (info)
//          /stub/fail          dispatch() returns BOLIGFLYT_E_INTERNAL
//          /stub/headers       a response with a safe and an unsafe extra header

#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "boligflyt/plugin_abi.h"

namespace {

struct Instance {
  const boligflyt_host_services* services = nullptr;
  std::string config;
  std::string data_dir;
};

// Deriving from the C struct makes the pointer handed out convertible back by static_cast.
struct OwnedResponse : boligflyt_response {
  std::string content_type_text;
  std::string body_text;
  std::vector<std::pair<std::string, std::string>> header_storage;
  std::vector<boligflyt_header> header_array;

  void point_into_storage() {
    headers = header_array.data();
    header_count = header_array.size();
    boligflyt_response::content_type = {content_type_text.data(), content_type_text.size()};
    boligflyt_response::body = {body_text.data(), body_text.size()};
  }
};

std::string_view view(boligflyt_str s) {
  return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

void set_error(char* err, size_t size, const char* message) {
  if (err == nullptr || size == 0) return;
  std::strncpy(err, message, size - 1);
  err[size - 1] = '\0';
}

void escape(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
}

// Good enough for the paths the tests use: the value of "data_dir" without escapes.
[[maybe_unused]] std::string find_data_dir(const std::string& config) {
  const std::string key = "\"data_dir\":\"";
  const std::size_t start = config.find(key);
  if (start == std::string::npos) return {};
  const std::size_t end = config.find('"', start + key.size());
  return config.substr(start + key.size(), end - start - key.size());
}

OwnedResponse* make(int status, std::string content_type, std::string body) {
  auto* owned = new OwnedResponse();
  owned->content_type_text = std::move(content_type);
  owned->body_text = std::move(body);
#ifdef STUB_ABI_1_0
  owned->struct_size = BOLIGFLYT_RESPONSE_SIZE_1_0;
#else
  owned->struct_size = sizeof(boligflyt_response);
#endif
  owned->status = status;
  return owned;
}

boligflyt_response* finish(OwnedResponse* owned) {
  for (const auto& [name, value] : owned->header_storage) {
    owned->header_array.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
  }
  owned->point_into_storage();
  return owned;
}

void collect(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->assign(data, size);
}

boligflyt_status stub_create(const boligflyt_host_services* services, const char* config_json,
                             size_t config_size, boligflyt_instance** out, char* err,
                             size_t err_size) {
#ifdef STUB_FAIL_CREATE
  (void)services;
  (void)config_json;
  (void)config_size;
  (void)out;
  set_error(err, err_size, "stub: lageret i datamappen kan ikke åpnes");
  return BOLIGFLYT_E_INIT;
#else
  if (services == nullptr || out == nullptr) {
    set_error(err, err_size, "stub: missing arguments");
    return BOLIGFLYT_E_INVALID_ARGUMENT;
  }
  auto* instance = new (std::nothrow) Instance();
  if (instance == nullptr) return BOLIGFLYT_E_INIT;
  instance->services = services;
  instance->config.assign(config_json, config_size);
  instance->data_dir = find_data_dir(instance->config);
  *out = reinterpret_cast<boligflyt_instance*>(instance);
  return BOLIGFLYT_OK;
#endif
}

boligflyt_response* echo(const boligflyt_request* request) {
  std::string body = "{\"method\":";
  escape(body, view(request->method));
  body += ",\"path\":";
  escape(body, view(request->path));
  body += ",\"query\":";
  escape(body, view(request->query));
  body += ",\"body\":";
  escape(body, view(request->body));
  body += ",\"headers\":{";
  for (size_t i = 0; i < request->header_count; ++i) {
    std::string name(view(request->headers[i].name));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (i > 0) body += ',';
    escape(body, name);
    body += ':';
    escape(body, view(request->headers[i].value));
  }
  body += "},\"principal\":";
  if (const boligflyt_principal* p = request->principal) {
    body += "{\"user_id\":";
    escape(body, view(p->user_id));
    body += ",\"display_name\":";
    escape(body, view(p->display_name));
    body += ",\"units\":[";
    for (size_t i = 0; i < p->unit_count; ++i) {
      if (i > 0) body += ',';
      escape(body, view(p->units[i]));
    }
    body += "],\"roles\":[";
    for (size_t i = 0; i < p->role_count; ++i) {
      if (i > 0) body += ',';
      escape(body, view(p->roles[i]));
    }
    body += "]}";
  } else {
    body += "null";
  }
  body += '}';
  return finish(make(200, "application/json", std::move(body)));
}

boligflyt_status stub_dispatch(boligflyt_instance* handle, const boligflyt_request* request,
                               boligflyt_response** out, char* err, size_t err_size) {
  if (handle == nullptr || request == nullptr || out == nullptr)
    return BOLIGFLYT_E_INVALID_ARGUMENT;
  auto* instance = reinterpret_cast<Instance*>(handle);
  const boligflyt_host_services* services = instance->services;
  const std::string_view path = view(request->path);
  const std::string body(view(request->body));
  char service_err[512] = {};

  if (path == "/healthz") {
    *out = finish(make(200, "application/json", "{\"status\":\"ok\"}"));
  } else if (path == "/stub/echo") {
    *out = echo(request);
  } else if (path == "/stub/config") {
    *out = finish(make(200, "application/json", instance->config));
  } else if (path == "/stub/directory") {
    std::string answer;
    const int rc = services->directory_lookup(services->host_ctx, body.data(), body.size(),
                                              &collect, &answer, service_err, sizeof service_err);
    *out = finish(rc == 0 ? make(200, "application/json", answer)
                          : make(502, "text/plain", service_err));
  } else if (path == "/stub/notify") {
    const int rc = services->notify(services->host_ctx, body.data(), body.size(), service_err,
                                    sizeof service_err);
    *out = finish(rc == 0 ? make(204, "", "") : make(502, "text/plain", service_err));
  } else if (path == "/stub/mirror") {
    if (!BOLIGFLYT_HAS_FIELD(services, boligflyt_host_services, mirror_deviation) ||
        services->mirror_deviation == nullptr) {
      *out = finish(make(501, "text/plain", "no mirror_deviation"));
    } else {
      const int rc = services->mirror_deviation(services->host_ctx, body.data(), body.size(),
                                                service_err, sizeof service_err);
      *out = finish(rc == 0 ? make(204, "", "") : make(502, "text/plain", service_err));
    }
  } else if (path == "/stub/publish") {
    std::string meta;
    for (size_t i = 0; i < request->header_count; ++i) {
      if (view(request->headers[i].name) == "X-Meta")
        meta = std::string(view(request->headers[i].value));
    }
    const int rc = services->publish_document(services->host_ctx, meta.data(), meta.size(),
                                              reinterpret_cast<const uint8_t*>(body.data()),
                                              body.size(), service_err, sizeof service_err);
    *out = finish(rc == 0 ? make(204, "", "") : make(502, "text/plain", service_err));
  } else if (path == "/stub/log") {
    services->log(services->host_ctx, BOLIGFLYT_LOG_INFO, body.data(), body.size());
    *out = finish(make(204, "", ""));
  } else if (path == "/stub/fail") {
    set_error(err, err_size, "stub: simulated internal failure");
    return BOLIGFLYT_E_INTERNAL;
  } else if (path == "/stub/headers") {
    OwnedResponse* owned = make(201, "text/plain; charset=utf-8", "laget");
    owned->header_storage.emplace_back("X-Stub", "yes");
    owned->header_storage.emplace_back("X-Injected", "a\r\nSet-Cookie: evil=1");
    owned->header_storage.emplace_back("Content-Length", "999");
    owned->header_storage.emplace_back("Location", "/stub/echo");
    *out = finish(owned);
  } else {
    *out =
        finish(make(404, "application/problem+json",
                    "{\"type\":\"urn:stub:not-found\",\"title\":\"Ikke funnet\",\"status\":404}"));
  }
  return BOLIGFLYT_OK;
}

void stub_response_free(boligflyt_response* response) {
  delete static_cast<OwnedResponse*>(response);
}

boligflyt_status stub_destroy(boligflyt_instance* handle, char*, size_t) {
  auto* instance = reinterpret_cast<Instance*>(handle);
  if (instance == nullptr) return BOLIGFLYT_E_INVALID_ARGUMENT;
  // Leaves a trace so that a test can see destroy() ran on shutdown.
  if (!instance->data_dir.empty()) std::ofstream(instance->data_dir + "/stub-destroyed") << "ok\n";
  delete instance;
  return BOLIGFLYT_OK;
}

#ifdef STUB_NEWER_ABI
constexpr uint32_t kStubAbiMinor = BOLIGFLYT_ABI_MINOR + 1;
#elif defined(STUB_ABI_1_0) || defined(STUB_TABLE_TOO_SMALL)
constexpr uint32_t kStubAbiMinor = 0;
#else
constexpr uint32_t kStubAbiMinor = BOLIGFLYT_ABI_MINOR;
#endif

#ifdef STUB_ABI_1_0
constexpr size_t kStubTableSize = BOLIGFLYT_PLUGIN_API_SIZE_1_0;
#elif defined(STUB_TABLE_TOO_SMALL)
// As if destroy() were missing: the host would read past the end of the table.
constexpr size_t kStubTableSize = BOLIGFLYT_PLUGIN_API_SIZE_1_0 - sizeof(void*);
#else
constexpr size_t kStubTableSize = sizeof(boligflyt_plugin_api);
#endif

const boligflyt_plugin_api kApi = {kStubTableSize,
                                   BOLIGFLYT_ABI_MAJOR,
                                   kStubAbiMinor,
                                   "boligflyt-stub",
                                   "0.0.1",
                                   "{\"name\":\"boligflyt-stub\"}",
                                   &stub_create,
                                   &stub_dispatch,
                                   &stub_response_free,
                                   &stub_destroy};

}  // namespace

extern "C" BOLIGFLYT_EXPORT boligflyt_status
boligflyt_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                       const boligflyt_plugin_api** out_api, char* err, size_t err_size) {
  (void)host_abi_minor;
  if (out_api == nullptr) return BOLIGFLYT_E_INVALID_ARGUMENT;
  if (host_abi_major != BOLIGFLYT_ABI_MAJOR) {
    set_error(err, err_size, "stub: unsupported ABI major");
    return BOLIGFLYT_E_ABI_VERSION;
  }
  // A well-behaved plugin would refuse here (its minor exceeds the host's); the newer-ABI
  // variant hands its table over anyway to prove that the host checks too.
  *out_api = &kApi;
  return BOLIGFLYT_OK;
}

// The C boundary. Everything here catches everything: no C++ exception and no C++ type
// leaves this file. Each function validates its pointers and struct sizes, returns a status
// and writes a message into the caller's buffer.

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "abi/installed_paths.h"
#include "abi/manifest.h"
#include "boligflyt/plugin_abi.h"
#include "core/config.h"
#include "core/instance.h"
#include "host_abi_table/host_services_table.h"

struct boligflyt_instance {
  std::unique_ptr<boligflyt::Instance> impl;
  // Calls in flight, so destroy() can wait for them instead of pulling the floor away.
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;
  bool shutting_down = false;
};

namespace {

using boligflyt::api::Principal;
using boligflyt::api::Request;
using boligflyt::api::Response;

void write_error(char* err, size_t err_size, const std::string& message) {
  if (!err || err_size == 0) return;
  const size_t n = message.size() < err_size - 1 ? message.size() : err_size - 1;
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

bool valid_str(const boligflyt_str& s) { return s.data != nullptr || s.size == 0; }
std::string_view view(const boligflyt_str& s) {
  return s.size ? std::string_view(s.data, s.size) : std::string_view();
}

// The response and every byte it points to live in one allocation owned by the plugin.
struct OwnedResponse {
  boligflyt_response c{};
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> header_strings;
  std::vector<boligflyt_header> headers;
};

boligflyt_response* to_c_response(Response&& r) {
  auto* owned = new OwnedResponse();
  owned->content_type = std::move(r.content_type);
  owned->body = std::move(r.body);
  owned->header_strings = std::move(r.headers);
  for (const auto& [name, value] : owned->header_strings) {
    owned->headers.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
  }
  owned->c.struct_size = sizeof(boligflyt_response);
  owned->c.status = r.status;
  owned->c.content_type = {owned->content_type.data(), owned->content_type.size()};
  owned->c.headers = owned->headers.empty() ? nullptr : owned->headers.data();
  owned->c.header_count = owned->headers.size();
  owned->c.body = {owned->body.data(), owned->body.size()};
  // `c` is the first member, so the pointer converts back in response_free.
  return &owned->c;
}

boligflyt_status check_request(const boligflyt_request* r, std::string& why) {
  // The size-tagged struct idiom: the struct must reach at least to the end of this field.
  // The 1.0 request ends with a pointer, whose size the macro takes on purpose.
  if (r->struct_size < BOLIGFLYT_REQUEST_SIZE_1_0) {  // NOLINT(bugprone-sizeof-expression)
    why = "request.struct_size is smaller than ABI 1.0's boligflyt_request";
    return BOLIGFLYT_E_INVALID_ARGUMENT;
  }
  if (!valid_str(r->method) || !valid_str(r->path) || !valid_str(r->query) || !valid_str(r->body)) {
    why = "request has a NULL string with non-zero size";
    return BOLIGFLYT_E_INVALID_ARGUMENT;
  }
  if (r->header_count && !r->headers) {
    why = "request.headers is NULL but header_count is not 0";
    return BOLIGFLYT_E_INVALID_ARGUMENT;
  }
  for (size_t i = 0; i < r->header_count; ++i) {
    if (!valid_str(r->headers[i].name) || !valid_str(r->headers[i].value)) {
      why = "request header " + std::to_string(i) + " has a NULL string with non-zero size";
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
  }
  if (const auto* p = r->principal) {
    if (p->struct_size < BOLIGFLYT_PRINCIPAL_SIZE_1_0) {
      why = "principal.struct_size is smaller than ABI 1.0's boligflyt_principal";
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    if (!valid_str(p->user_id) || p->user_id.size == 0 || !valid_str(p->display_name) ||
        (p->unit_count && !p->units) || (p->role_count && !p->roles)) {
      why = "principal has an empty user_id or NULL arrays";
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < p->unit_count; ++i) {
      if (!valid_str(p->units[i])) {
        why = "principal unit has a NULL string";
        return BOLIGFLYT_E_INVALID_ARGUMENT;
      }
    }
    for (size_t i = 0; i < p->role_count; ++i) {
      if (!valid_str(p->roles[i])) {
        why = "principal role has a NULL string";
        return BOLIGFLYT_E_INVALID_ARGUMENT;
      }
    }
  }
  return BOLIGFLYT_OK;
}

Request to_request(const boligflyt_request* r) {
  Request req;
  req.method = view(r->method);
  req.path = view(r->path);
  req.query = view(r->query);
  req.body = view(r->body);
  req.headers.reserve(r->header_count);
  for (size_t i = 0; i < r->header_count; ++i) {
    req.headers.emplace_back(view(r->headers[i].name), view(r->headers[i].value));
  }
  if (const auto* p = r->principal) {
    Principal principal;
    principal.user_id = view(p->user_id);
    principal.display_name = view(p->display_name);
    for (size_t i = 0; i < p->unit_count; ++i) principal.units.emplace_back(view(p->units[i]));
    for (size_t i = 0; i < p->role_count; ++i) principal.roles.emplace_back(view(p->roles[i]));
    req.principal = std::move(principal);
  }
  return req;
}

boligflyt_status plugin_create(const boligflyt_host_services* services, const char* config_json,
                               size_t config_size, boligflyt_instance** out_instance, char* err,
                               size_t err_size) {
  try {
    if (!out_instance) {
      write_error(err, err_size, "out_instance is NULL");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    *out_instance = nullptr;
    if (!services) {
      write_error(err, err_size,
                  "host services table is NULL; pass a table (its entries may be NULL)");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    // A 1.0 table (without mirror_deviation) is fine; one that cannot hold the 1.0 entries
    // would have us read past its end.
    if (services->struct_size < BOLIGFLYT_HOST_SERVICES_SIZE_1_0) {
      write_error(err, err_size,
                  "host services table has a struct_size smaller than ABI 1.0's "
                  "boligflyt_host_services");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    if (!config_json && config_size) {
      write_error(err, err_size, "config_json is NULL but config_size is not 0");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    auto config = boligflyt::parse_plugin_config(
        config_size ? std::string_view(config_json, config_size) : std::string_view());
    if (!config) {
      const auto& e = config.error();
      write_error(err, err_size,
                  "configuration: " + e.detail + (e.field.empty() ? "" : " [" + e.field + "]"));
      return BOLIGFLYT_E_CONFIG;
    }
    if (config->procedures_dir.empty()) {
      // A host that passes only data_dir gets the procedures shipped with the plugin, or a
      // refusal that names the key: never a plugin that silently serves no procedure.
      config->procedures_dir = boligflyt::abi::installed_procedures_dir();
      if (config->procedures_dir.empty()) {
        write_error(err, err_size,
                    "configuration: «procedures_dir» mangler, og det finnes ingen installerte "
                    "prosedyrer ved siden av tillegget (share/boligflyt/procedures med "
                    "units.xml). Oppgi mappen med prosedyrene. [procedures_dir]");
        return BOLIGFLYT_E_CONFIG;
      }
    }
    auto instance = std::make_unique<boligflyt_instance>();
    try {
      instance->impl = std::make_unique<boligflyt::Instance>(
          std::move(config).value(), boligflyt::adapters::make_table_log_sink(*services),
          boligflyt::adapters::make_table_host_services(*services));
    } catch (const std::exception& e) {
      write_error(err, err_size, std::string("plugin failed to start: ") + e.what());
      return BOLIGFLYT_E_INIT;
    }
    *out_instance = instance.release();
    return BOLIGFLYT_OK;
  } catch (const std::bad_alloc&) {
    write_error(err, err_size, "out of memory");
  } catch (const std::exception& e) {
    write_error(err, err_size, std::string("internal error: ") + e.what());
  } catch (...) {
    write_error(err, err_size, "internal error");
  }
  return BOLIGFLYT_E_INTERNAL;
}

boligflyt_status plugin_dispatch(boligflyt_instance* instance, const boligflyt_request* request,
                                 boligflyt_response** out_response, char* err, size_t err_size) {
  try {
    if (!instance || !request || !out_response) {
      write_error(err, err_size, "instance, request and out_response must not be NULL");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    *out_response = nullptr;
    std::string why;
    if (const auto status = check_request(request, why); status != BOLIGFLYT_OK) {
      write_error(err, err_size, why);
      return status;
    }
    {
      std::lock_guard lock(instance->mutex);
      if (instance->shutting_down) {
        write_error(err, err_size, "instance is shutting down");
        return BOLIGFLYT_E_SHUTTING_DOWN;
      }
      ++instance->in_flight;
    }
    struct Leave {
      boligflyt_instance* i;
      ~Leave() {
        std::lock_guard lock(i->mutex);
        if (--i->in_flight == 0) i->idle.notify_all();
      }
    } leave{instance};
    *out_response = to_c_response(instance->impl->handle(to_request(request)));
    return BOLIGFLYT_OK;
  } catch (const std::bad_alloc&) {
    write_error(err, err_size, "out of memory");
  } catch (const std::exception& e) {
    write_error(err, err_size, std::string("internal error: ") + e.what());
  } catch (...) {
    write_error(err, err_size, "internal error");
  }
  return BOLIGFLYT_E_INTERNAL;
}

void plugin_response_free(boligflyt_response* response) {
  // offsetof(OwnedResponse, c) == 0: the C struct is the first member.
  delete reinterpret_cast<OwnedResponse*>(response);
}

boligflyt_status plugin_destroy(boligflyt_instance* instance, char* err, size_t err_size) {
  try {
    if (!instance) {
      write_error(err, err_size, "instance is NULL");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    {
      std::unique_lock lock(instance->mutex);
      instance->shutting_down = true;
      instance->idle.wait(lock, [instance] { return instance->in_flight == 0; });
    }
    instance->impl->shutdown();
    delete instance;
    return BOLIGFLYT_OK;
  } catch (const std::exception& e) {
    write_error(err, err_size, std::string("internal error during destroy: ") + e.what());
  } catch (...) {
    write_error(err, err_size, "internal error during destroy");
  }
  return BOLIGFLYT_E_INTERNAL;
}

// A host must speak at least the minor the plugin relies on. This plugin is built against
// 1.2 but needs nothing 1.1 or 1.2 added (mirroring and batched notifications are optional),
// so a 1.0 host may load it; the table then says the host's minor, which is what an older
// host checks against its own.
bool abi_compatible(uint32_t host_major, uint32_t host_minor) {
  // Through a variable: with a minimum of 0 the comparison is always true, and GCC says so.
  const uint32_t min_host_minor = BOLIGFLYT_PLUGIN_MIN_HOST_MINOR;
  return host_major == BOLIGFLYT_ABI_MAJOR && host_minor + 1 > min_host_minor;
}

constexpr boligflyt_plugin_api table_for_minor(uint32_t minor) {
  return {
      sizeof(boligflyt_plugin_api),
      BOLIGFLYT_ABI_MAJOR,
      minor,
      "boligflyt",
      BOLIGFLYT_VERSION,
      boligflyt::abi::kManifestJson,
      plugin_create,
      plugin_dispatch,
      plugin_response_free,
      plugin_destroy,
  };
}

// One static table per minor the plugin can speak: the host keeps the pointer for as long as
// the library is loaded.
const boligflyt_plugin_api kApi_1_0 = table_for_minor(0);
const boligflyt_plugin_api kApi_1_1 = table_for_minor(1);
const boligflyt_plugin_api kApi = table_for_minor(BOLIGFLYT_ABI_MINOR);
static_assert(BOLIGFLYT_ABI_MINOR == 2, "add a table for the new minor version");

const boligflyt_plugin_api* table_for_host(uint32_t host_minor) {
  if (host_minor >= BOLIGFLYT_ABI_MINOR) return &kApi;
  return host_minor == 1 ? &kApi_1_1 : &kApi_1_0;
}

}  // namespace

extern "C" BOLIGFLYT_EXPORT boligflyt_status
boligflyt_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                       const boligflyt_plugin_api** out_api, char* err, size_t err_size) {
  try {
    if (!out_api) {
      write_error(err, err_size, "out_api is NULL");
      return BOLIGFLYT_E_INVALID_ARGUMENT;
    }
    *out_api = nullptr;
    if (!abi_compatible(host_abi_major, host_abi_minor)) {
      char message[256];
      std::snprintf(message, sizeof message,
                    "boligflyt plugin speaks ABI %u.%u; host speaks %u.%u. The major versions "
                    "must be equal and the host's minor version at least %u.",
                    static_cast<unsigned>(BOLIGFLYT_ABI_MAJOR),
                    static_cast<unsigned>(BOLIGFLYT_ABI_MINOR), host_abi_major, host_abi_minor,
                    static_cast<unsigned>(BOLIGFLYT_PLUGIN_MIN_HOST_MINOR));
      write_error(err, err_size, message);
      return BOLIGFLYT_E_ABI_VERSION;
    }
    *out_api = table_for_host(host_abi_minor);
    return BOLIGFLYT_OK;
  } catch (...) {
    write_error(err, err_size, "internal error");
    return BOLIGFLYT_E_INTERNAL;
  }
}

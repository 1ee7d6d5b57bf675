#include "loader/plugin_module.h"

#include <dlfcn.h>

#include <array>
#include <cstring>

namespace boligflyt::host {
namespace {

constexpr std::size_t kErrorBufferSize = 1024;

std::string buffer_text(const std::array<char, kErrorBufferSize>& buffer) {
  // The plugin promises NUL termination; do not trust it with our stack.
  return std::string(buffer.data(), ::strnlen(buffer.data(), buffer.size()));
}

}  // namespace

const char* status_name(boligflyt_status status) {
  switch (status) {
    case BOLIGFLYT_OK: return "OK";
    case BOLIGFLYT_E_ABI_VERSION: return "E_ABI_VERSION";
    case BOLIGFLYT_E_INVALID_ARGUMENT: return "E_INVALID_ARGUMENT";
    case BOLIGFLYT_E_CONFIG: return "E_CONFIG";
    case BOLIGFLYT_E_INIT: return "E_INIT";
    case BOLIGFLYT_E_INTERNAL: return "E_INTERNAL";
    case BOLIGFLYT_E_SHUTTING_DOWN: return "E_SHUTTING_DOWN";
  }
  return "ukjent status";
}

std::unique_ptr<PluginModule> PluginModule::open(const std::filesystem::path& path) {
  const std::string where = "programtillegget " + path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw PluginError("Fant ikke " + where +
                      ". Angi riktig sti med «plugin_path» i konfigurasjonen.");
  }
  // RTLD_LOCAL keeps the plugin's symbols (its own Poco/Boost) out of the global namespace.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw PluginError("Kan ikke laste " + where + ": " + (why ? why : "ukjent feil"));
  }
  auto close_and_throw = [&](const std::string& message) {
    ::dlclose(handle);
    throw PluginError(message);
  };

  ::dlerror();
  void* symbol = ::dlsym(handle, BOLIGFLYT_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    close_and_throw(where + " er ikke et boligflyt-programtillegg: symbolet " +
                    BOLIGFLYT_ENTRY_SYMBOL + " mangler.");
  }
  boligflyt_plugin_entry_fn entry = nullptr;
  static_assert(sizeof entry == sizeof symbol);
  std::memcpy(&entry, &symbol, sizeof entry);  // POSIX blesses this object/function pointer cast

  std::array<char, kErrorBufferSize> err{};
  const boligflyt_plugin_api* api = nullptr;
  const boligflyt_status status =
      entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR, &api, err.data(), err.size());
  if (status != BOLIGFLYT_OK) {
    close_and_throw(where + " avviste vertens ABI-versjon " + std::to_string(BOLIGFLYT_ABI_MAJOR) +
                    "." + std::to_string(BOLIGFLYT_ABI_MINOR) + " (" + status_name(status) +
                    "): " + buffer_text(err));
  }
  if (api == nullptr) close_and_throw(where + " returnerte ingen funksjonstabell.");
  // A plugin built against an older minor hands over a smaller table; this host reads only
  // the 1.0 fields of it, so anything that holds them will do. Less than that is broken.
  if (api->struct_size < BOLIGFLYT_PLUGIN_API_SIZE_1_0) {
    close_and_throw(where + " har en for liten funksjonstabell (struct_size " +
                    std::to_string(api->struct_size) + ", ABI 1.0 krever minst " +
                    std::to_string(BOLIGFLYT_PLUGIN_API_SIZE_1_0) + ").");
  }
  if (api->abi_major != BOLIGFLYT_ABI_MAJOR || api->abi_minor > BOLIGFLYT_ABI_MINOR) {
    close_and_throw(where + " bruker ABI-versjon " + std::to_string(api->abi_major) + "." +
                    std::to_string(api->abi_minor) + ", men verten støtter " +
                    std::to_string(BOLIGFLYT_ABI_MAJOR) + "." +
                    std::to_string(BOLIGFLYT_ABI_MINOR) + ".");
  }
  if (api->create == nullptr || api->dispatch == nullptr || api->response_free == nullptr ||
      api->destroy == nullptr) {
    close_and_throw(where + " mangler en eller flere funksjoner i funksjonstabellen.");
  }
  return std::unique_ptr<PluginModule>(new PluginModule(handle, api, path));
}

PluginModule::~PluginModule() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

PluginInstance::PluginInstance(const PluginModule& module, const boligflyt_host_services& services,
                               const std::string& config_json)
    : api_(module.api()) {
  std::array<char, kErrorBufferSize> err{};
  const boligflyt_status status = api_.create(&services, config_json.data(), config_json.size(),
                                              &instance_, err.data(), err.size());
  if (status != BOLIGFLYT_OK || instance_ == nullptr) {
    instance_ = nullptr;
    std::string text = buffer_text(err);
    if (text.empty()) text = "ingen forklaring fra programtillegget";
    throw PluginError("Programtillegget " + module.path().string() + " kunne ikke starte (" +
                      status_name(status) + "): " + text);
  }
}

PluginInstance::~PluginInstance() { destroy(); }

std::string PluginInstance::destroy() {
  if (instance_ == nullptr) return {};
  std::array<char, kErrorBufferSize> err{};
  const boligflyt_status status = api_.destroy(instance_, err.data(), err.size());
  instance_ = nullptr;
  if (status == BOLIGFLYT_OK) return {};
  std::string text = buffer_text(err);
  return std::string(status_name(status)) + (text.empty() ? "" : ": " + text);
}

}  // namespace boligflyt::host

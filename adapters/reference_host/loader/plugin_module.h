#pragma once
// Loading libboligflyt.so and owning one plugin instance, following the rules of
// plugin_abi.h: RTLD_NOW | RTLD_LOCAL, version negotiation, struct_size checks, and
// destroy() before dlclose().

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "boligflyt/plugin_abi.h"

namespace boligflyt::host {

/// The plugin cannot be loaded or started. what() is a Norwegian message for the operator,
/// including the plugin's own error text.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A dlopen()ed plugin library and its negotiated function table.
class PluginModule {
 public:
  /// Throws PluginError.
  static std::unique_ptr<PluginModule> open(const std::filesystem::path& path);
  ~PluginModule();
  PluginModule(const PluginModule&) = delete;
  PluginModule& operator=(const PluginModule&) = delete;

  const boligflyt_plugin_api& api() const { return *api_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  PluginModule(void* handle, const boligflyt_plugin_api* api, std::filesystem::path path)
      : handle_(handle), api_(api), path_(std::move(path)) {}

  void* handle_;
  const boligflyt_plugin_api* api_;
  std::filesystem::path path_;
};

/// One created instance; destroy() runs in the destructor. The module and the services
/// table must outlive it.
class PluginInstance {
 public:
  /// Calls create(); throws PluginError with the plugin's error text.
  PluginInstance(const PluginModule& module, const boligflyt_host_services& services,
                 const std::string& config_json);
  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const boligflyt_plugin_api& api() const { return api_; }
  boligflyt_instance* get() const { return instance_; }

  /// Calls destroy() now; returns the plugin's error text, empty on success.
  std::string destroy();

 private:
  const boligflyt_plugin_api& api_;
  boligflyt_instance* instance_ = nullptr;
};

/// Human-readable name of a status code, for messages.
const char* status_name(boligflyt_status status);

}  // namespace boligflyt::host

#pragma once
// One plugin instance: configuration, store, router, background worker. The C ABI layer
// owns exactly one of these per create() and knows nothing of what is inside.

#include <atomic>
#include <memory>
#include <mutex>

#include "api/http.h"
#include "api/router.h"
#include "archive/export_service.h"
#include "core/background_worker.h"
#include "core/config.h"
#include "deviation/service.h"
#include "host/host_services.h"
#include "observability/logger.h"
#include "observability/metrics.h"
#include "outbox/notification_dispatcher.h"
#include "procedure/service.h"
#include "store/store.h"

namespace boligflyt {

class Instance {
 public:
  /// Start-up: may throw std::exception with a message for the host (files, database).
  Instance(PluginConfig config, LogSink log_sink, std::unique_ptr<host::HostServices> host);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  /// Thread-safe. Never throws.
  api::Response handle(api::Request request);

  /// Stops the background worker; afterwards handle() still answers but nothing runs behind.
  void shutdown();

  const api::Router& router() const { return *router_; }

 private:
  void register_routes();
  void wake_outbox();
  std::unique_ptr<store::Store> open_store() const;

  PluginConfig config_;
  Logger logger_;
  Metrics metrics_;
  std::unique_ptr<host::HostServices> host_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<procedure::ProcedureService> procedures_;
  std::unique_ptr<deviation::DeviationService> deviations_;
  std::unique_ptr<outbox::NotificationDispatcher> dispatcher_;
  std::unique_ptr<archive::ExportService> exports_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<BackgroundWorker> worker_;
  std::mutex outbox_worker_mutex_;
  std::unique_ptr<BackgroundWorker> outbox_worker_;   // delivers notifications, woken on writes
  std::unique_ptr<BackgroundWorker> archive_worker_;  // builds and drops archive exports
  void start_archive();
};

}  // namespace boligflyt

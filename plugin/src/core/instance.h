#pragma once
// One plugin instance, and the plugin's composition root: configuration, store, services,
// the outbox relay with one deliverer per topic, the router, the housekeeping worker. Every
// collaborator is handed to the one that uses it at construction; nothing is wired later.
// The C ABI layer owns exactly one of these per create() and knows nothing of what is inside.

#include <memory>
#include <optional>

#include "api/http.h"
#include "api/router.h"
#include "archive/export_service.h"
#include "core/config.h"
#include "deviation/attachments.h"
#include "deviation/mirror.h"
#include "deviation/service.h"
#include "library/publication.h"
#include "observability/logger.h"
#include "observability/metrics.h"
#include "outbox/mirror_deliverer.h"
#include "outbox/notification_deliverer.h"
#include "outbox/relay.h"
#include "ports/directory.h"
#include "ports/document_library.h"
#include "ports/host_services.h"
#include "ports/store/store.h"
#include "procedure/service.h"
#include "render/document_renderer.h"
#include "util/background_worker.h"
#include "util/data_dir_lock.h"

namespace boligflyt {

class Instance {
 public:
  /// Start-up: may throw std::exception with a message for the host (files, database).
  Instance(PluginConfig config, LogSink log_sink, std::unique_ptr<ports::HostServices> host);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  /// Thread-safe. Never throws.
  api::Response handle(api::Request request);

  /// Stops the background threads; afterwards handle() still answers but nothing runs behind.
  void shutdown();

  const api::Router& router() const { return *router_; }

 private:
  void register_routes();
  std::unique_ptr<store::Store> open_store() const;
  archive::ArchiveSettings archive_settings() const;
  deviation::DeviationService::Clock deviation_clock() const;
  std::unique_ptr<archive::ExportService> start_archive(const archive::ArchiveSettings& settings);
  void start_document_library(outbox::RetryPolicy retry);

  // Declared in the order they are built; destroyed in reverse, after shutdown().
  PluginConfig config_;
  Logger logger_;
  std::optional<util::DataDirLock> data_dir_lock_;  // held for the instance's lifetime
  Metrics metrics_;
  std::unique_ptr<ports::HostServices> host_;
  std::unique_ptr<ports::Directory> directory_;  // over host_
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<outbox::OutboxRelay> relay_;
  std::unique_ptr<archive::ExportMessages> export_messages_;             // null: archive disabled
  std::unique_ptr<deviation::DeviationMirrorMessages> mirror_messages_;  // null: host has none
  render::HtmlDocumentRenderer document_renderer_;
  std::unique_ptr<procedure::ProcedureService> procedures_;
  std::unique_ptr<deviation::DeviationService> deviations_;
  std::unique_ptr<deviation::AttachmentService> attachments_;
  std::unique_ptr<outbox::NotificationDeliverer> notifications_;
  std::unique_ptr<archive::ExportService> exports_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<outbox::MirrorDeliverer> mirrors_;  // destroyed before host_ (declared after)
  std::unique_ptr<outbox::Deliverer> mail_;           // null: no mail of the plugin's own
  std::unique_ptr<BackgroundWorker> worker_;
  // The plugin's own document library; all null when "document_library" is not configured.
  // (Set before procedures_ is built, which they outlive in use: the relay stops first.)
  std::unique_ptr<ports::DocumentLibrary> library_;
  std::unique_ptr<library::LibraryMessages> library_messages_;
  std::unique_ptr<outbox::Deliverer> library_deliverer_;
};

}  // namespace boligflyt

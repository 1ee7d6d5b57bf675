#include "core/instance.h"

#include <filesystem>
#include <system_error>

#include "api/archive_routes.h"
#include "api/deviation_routes.h"
#include "api/page_data_routes.h"
#include "api/procedure_routes.h"
#include "api/render_routes.h"
#include "api/system_routes.h"
#include "api/web_routes.h"
#include "procedure/loader.h"
#include "render/html_document.h"
#include "store/postgresql/postgresql_store.h"
#include "store/sqlite/sqlite_store.h"
#include "util/time.h"

namespace boligflyt {

Instance::Instance(PluginConfig config, LogSink log_sink, std::unique_ptr<host::HostServices> host)
    : config_(std::move(config)),
      logger_(std::move(log_sink), config_.log_level),
      host_(std::move(host)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(config_.data_dir, ec);
  if (ec)
    throw std::runtime_error("cannot create data_dir " + config_.data_dir + ": " + ec.message());
  // The data folder holds case data: keep other local users out of it.
  fs::permissions(config_.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  store_ = open_store();
  const auto schema = !config_.schema_file.empty() ? config_.schema_file
                      : !config_.procedures_dir.empty()
                          ? (fs::path(config_.procedures_dir) / ".." / "schemas" / "procedure.xsd")
                                .lexically_normal()
                                .string()
                          : std::string();
  if (!schema.empty()) {
    procedures_ = std::make_unique<procedure::ProcedureService>(*store_, *host_, logger_,
                                                                config_.procedures_dir, schema);
  }
  if (procedures_) {
    deviation::DeviationSettings settings;
    settings.receive_within = *procedure::parse_iso_duration(config_.deviation_receive_within);
    settings.close_within = *procedure::parse_iso_duration(config_.deviation_close_within);
    deviations_ =
        std::make_unique<deviation::DeviationService>(*store_, *procedures_, logger_, settings);
  }
  outbox::RetryPolicy retry;
  retry.first_delay_seconds = config_.notification_first_retry_seconds;
  retry.max_delay_seconds =
      std::max(config_.notification_max_retry_seconds, config_.notification_first_retry_seconds);
  retry.max_attempts = config_.notification_max_attempts;
  dispatcher_ = std::make_unique<outbox::NotificationDispatcher>(*store_, *host_, logger_, retry);
  if (procedures_ && config_.archive_enabled) start_archive();
  router_ = std::make_unique<api::Router>(logger_, metrics_, config_.max_body_bytes);
  register_routes();
  worker_ = std::make_unique<BackgroundWorker>(
      std::chrono::milliseconds(config_.maintenance_interval_ms), [this] {
        store_->maintenance();
        if (deviations_) {
          deviations_->remind_overdue();
          deviations_->remind_overdue_actions();
        }
      });
  // Retries are due at whole seconds; polling at most every 5 s (sooner when woken by a
  // write) keeps delivery prompt without busy work.
  outbox_worker_ = std::make_unique<BackgroundWorker>(
      std::chrono::milliseconds(std::min(config_.maintenance_interval_ms, 5000)), [this] {
        const auto now = util::now_epoch();
        // Bounded: at most 20 batches per wake-up, then the next tick goes on.
        for (int i = 0; i < 20; ++i) {
          const auto round = dispatcher_->deliver_due(now);
          if (round.delivered + round.retried + round.dead == 0) break;
        }
      });
  if (exports_) {
    // Rendering PDF/A takes a while: exports get their own thread, apart from notifications.
    archive_worker_ = std::make_unique<BackgroundWorker>(
        std::chrono::milliseconds(std::min(config_.maintenance_interval_ms, 5000)), [this] {
          const auto now = util::now_epoch();
          for (int i = 0; i < 10; ++i) {
            const auto round = exports_->deliver_due(now);
            if (round.delivered + round.retried + round.dead == 0) break;
          }
          exports_->process_receipts(now);
        });
  }
  if (procedures_) procedures_->set_outbox_listener([this] { wake_outbox(); });
  if (deviations_) deviations_->set_outbox_listener([this] { wake_outbox(); });
  logger_.info("plugin_started", {{"data_dir", config_.data_dir}, {"store", config_.store_kind}});
}

Instance::~Instance() { shutdown(); }

void Instance::shutdown() {
  std::unique_ptr<BackgroundWorker> outbox_worker;
  std::unique_ptr<BackgroundWorker> archive_worker;
  {
    std::lock_guard lock(outbox_worker_mutex_);
    outbox_worker = std::move(outbox_worker_);
    archive_worker = std::move(archive_worker_);
  }
  if (outbox_worker) outbox_worker->stop();
  if (archive_worker) archive_worker->stop();
  if (worker_) {
    worker_->stop();
    worker_.reset();
    logger_.info("plugin_stopped");
  }
}

void Instance::wake_outbox() {
  std::lock_guard lock(outbox_worker_mutex_);
  if (outbox_worker_) outbox_worker_->wake();
  if (archive_worker_) archive_worker_->wake();
}

void Instance::start_archive() {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(config_.data_dir) / "arkiv";
  const fs::path drop =
      config_.archive_drop_dir.empty() ? base / "utgaaende" : fs::path(config_.archive_drop_dir);
  const fs::path inbox = config_.archive_inbox_dir.empty() ? base / "kvitteringer"
                                                           : fs::path(config_.archive_inbox_dir);
  archive::ArchiveSettings settings;
  settings.protocol = *archive::parse_protocol(config_.archive_protocol);
  settings.fagsystem = config_.archive_fagsystem;
  settings.journalposttype = config_.archive_journalposttype;
  settings.export_on_register = config_.archive_export_on_register;
  if (!config_.archive_classification_system.empty()) {
    settings.klassifikasjon = archive::Klassifikasjon{config_.archive_classification_system,
                                                      config_.archive_classification_class, ""};
  }
  if (!config_.archive_schemas_dir.empty()) settings.schemas_dir = config_.archive_schemas_dir;
  settings.retry.first_delay_seconds = config_.notification_first_retry_seconds;
  settings.retry.max_delay_seconds =
      std::max(config_.notification_max_retry_seconds, config_.notification_first_retry_seconds);
  settings.retry.max_attempts = config_.notification_max_attempts;
  exports_ = std::make_unique<archive::ExportService>(
      *store_, *procedures_, *host_, logger_, settings,
      std::make_unique<archive::FileDropTransport>(drop, inbox,
                                                   config_.archive_package == "asice"
                                                       ? archive::PackageFormat::kAsice
                                                       : archive::PackageFormat::kFolder));
  if (!settings.schemas_dir) {
    logger_.warn(
        "archive_receipts_not_validated",
        {{"reason", "archive.schemas_dir is not set; receipts are parsed, not validated"}});
  }
  exports_->set_wake([this] { wake_outbox(); });
  procedures_->set_archive_exporter([this](const std::string& id, const std::string& version) {
    return exports_->procedure_export(id, version);
  });
  if (deviations_) {
    deviations_->set_archive_exporter(
        [this](const store::DeviationRecord& r, std::string_view event, std::int64_t revision) {
          return exports_->deviation_export(r, event, revision);
        });
    deviations_->set_archive_references(
        [this](const std::string& subject) { return exports_->references(subject); });
  }
}

std::unique_ptr<store::Store> Instance::open_store() const {
  if (config_.store_kind == "postgresql")
    return store::open_postgresql_store(config_.store_connection);
  return store::open_sqlite_store(
      (std::filesystem::path(config_.data_dir) / "boligflyt.sqlite3").string());
}

api::Response Instance::handle(api::Request request) { return router_->handle(std::move(request)); }

void Instance::register_routes() {
  api::SystemServices services{
      *store_, metrics_,          *host_,
      logger_, procedures_.get(), [this] { return dispatcher_->metrics_text(); }};
  api::register_system_routes(*router_, services);
  if (procedures_) {
    api::register_procedure_routes(*router_, *procedures_);
    api::register_render_routes(*router_, *procedures_);
    api::register_deviation_routes(*router_, *deviations_);
    if (exports_) api::register_archive_routes(*router_, *exports_);
    api::register_page_data_routes(*router_, *deviations_);
    api::register_web_routes(*router_);
    procedures_->set_document_renderer(
        [](const procedure::StoredVersion& v, const procedure::UnitRegistry& units) {
          render::RenderOptions options;
          options.status = v.status();
          return render::render_html_document(v.procedure, units, options);
        });
  }
}

}  // namespace boligflyt

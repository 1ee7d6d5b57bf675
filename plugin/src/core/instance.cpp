#include "core/instance.h"

#include <filesystem>
#include <system_error>

#include "api/archive_routes.h"
#include "api/attachment_routes.h"
#include "api/category_routes.h"
#include "api/deviation_routes.h"
#include "api/page_data_routes.h"
#include "api/procedure_routes.h"
#include "api/render_routes.h"
#include "api/system_routes.h"
#include "api/web_routes.h"
#include "archive_file_drop/file_drop.h"
#include "deviation/categories.h"
#include "deviation/mirror.h"
#include "host_abi_table/host_directory.h"
#include "procedure/loader.h"
#include "smtp/mail_deliverer.h"
#include "store_postgresql/postgresql_store.h"
#include "store_sqlite/sqlite_store.h"
#include "util/norway_time.h"
#include "util/time.h"
#include "webdav/webdav_library.h"

namespace boligflyt {

Instance::Instance(PluginConfig config, LogSink log_sink, std::unique_ptr<ports::HostServices> host)
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
  data_dir_lock_ = util::DataDirLock::try_acquire(config_.data_dir);
  if (!data_dir_lock_) {
    throw std::runtime_error("data_dir " + config_.data_dir +
                             " is in use by another boligflyt process (boligflyt.lock is held)");
  }

  util::require_norway_time_zone();
  directory_ = adapters::make_host_directory(*host_);
  store_ = open_store();
  relay_ = std::make_unique<outbox::OutboxRelay>(*store_, logger_);
  // The XSD is compiled in; schema_file only replaces it (a development draft of the schema).
  const auto archive = archive_settings();
  const bool archiving = config_.archive_enabled;
  if (archiving) export_messages_ = std::make_unique<archive::ExportMessages>(archive);
  if (config_.document_library) {
    library_ = adapters::make_webdav_library(*config_.document_library);
    library_messages_ = std::make_unique<library::LibraryMessages>();
  }
  procedures_ = std::make_unique<procedure::ProcedureService>(
      *store_, *host_, logger_, config_.procedures_dir, config_.schema_file,
      procedure::ProcedureCollaborators{.directory = directory_.get(),
                                        .outbox = relay_.get(),
                                        .archiving = export_messages_.get(),
                                        .renderer = &document_renderer_,
                                        .library = library_messages_.get()});
  // ABI 1.1: a host with its own avvik register gets every avvik mirrored there. A 1.0 host
  // (or one that leaves the entry NULL) gets nothing, and the log says so once.
  if (host_->can_mirror_deviations()) {
    mirror_messages_ = std::make_unique<deviation::DeviationMirrorMessages>();
  } else {
    logger_.info("host_register_absent",
                 {{"reason",
                   "host offers no mirror_deviation (ABI 1.0 or NULL): avvik are not "
                   "mirrored to the host's avvik register"}});
  }
  deviation::DeviationSettings settings;
  settings.receive_within = *procedure::parse_iso_duration(config_.deviation_receive_within);
  settings.close_within = *procedure::parse_iso_duration(config_.deviation_close_within);
  settings.privacy_officer = {config_.deviation_privacy_officer_user,
                              config_.deviation_privacy_officer_unit};
  settings.escalate_after = *procedure::parse_iso_duration(config_.deviation_escalate_after);
  if (!config_.cause_codes.empty()) {
    settings.cause_codes.clear();
    for (const auto& [code, label] : config_.cause_codes)
      settings.cause_codes.push_back({code, label});
  }
  deviations_ = std::make_unique<deviation::DeviationService>(
      *store_, *procedures_, logger_, std::move(settings), deviation_clock(),
      deviation::DeviationCollaborators{.outbox = relay_.get(),
                                        .archiving = export_messages_.get(),
                                        .directory = directory_.get(),
                                        .mirroring = mirror_messages_.get()});
  attachments_ = std::make_unique<deviation::AttachmentService>(
      *store_, *deviations_, logger_,
      deviation::AttachmentSettings{.max_file_bytes = config_.attachment_max_file_bytes});

  // One relay delivers every topic; one deliverer per topic.
  outbox::RetryPolicy retry;
  retry.first_delay_seconds = config_.notification_first_retry_seconds;
  retry.max_delay_seconds =
      std::max(config_.notification_max_retry_seconds, config_.notification_first_retry_seconds);
  retry.max_attempts = config_.notification_max_attempts;
  if (config_.mail) {
    mail_ = adapters::make_mail_deliverer(*config_.mail, *directory_, logger_);
    relay_->add_topic(std::string(outbox::kMailTopic), *mail_, retry);
    logger_.info("mail_enabled",
                 {{"server", config_.mail->server}, {"port", std::to_string(config_.mail->port)}});
  }
  if (library_) start_document_library(retry);
  notifications_ = std::make_unique<outbox::NotificationDeliverer>(
      *host_, config_.mail ? store_.get() : nullptr, relay_.get());
  // Larger rounds for notifications: a host with notify_batch (ABI 1.2) makes a round durable
  // with one fsync, and each round costs two store commits, so small rounds fell behind a
  // registration peak (issue 14). A 1.1 host still takes them one notify() at a time.
  outbox::RetryPolicy notification_retry = retry;
  notification_retry.batch = 256;
  relay_->add_topic(std::string(outbox::kNotificationTopic), *notifications_, notification_retry);
  if (mirror_messages_) {
    mirrors_ = std::make_unique<outbox::MirrorDeliverer>(*host_);
    relay_->add_topic(std::string(deviation::kMirrorTopic), *mirrors_, retry);
  }
  if (archiving) {
    exports_ = start_archive(archive);
    relay_->add_topic(std::string(archive::kArchiveTopic), *exports_, archive.retry);
  }

  router_ = std::make_unique<api::Router>(logger_, metrics_, config_.max_body_bytes);
  register_routes();
  worker_ = std::make_unique<BackgroundWorker>(
      std::chrono::milliseconds(config_.maintenance_interval_ms), [this] {
        store_->maintenance();
        if (deviations_) {
          deviations_->remind_overdue();
          deviations_->remind_overdue_actions();
          deviations_->escalate_overdue();
        }
      });
  // Retries are due at whole seconds; a pass at most every 5 s (sooner when a write wakes
  // the relay) keeps delivery prompt without busy work.
  relay_->start(std::chrono::milliseconds(std::min(config_.maintenance_interval_ms, 5000)));
  logger_.info("plugin_started", {{"data_dir", config_.data_dir}, {"store", config_.store_kind}});
}

Instance::~Instance() { shutdown(); }

void Instance::shutdown() {
  relay_->stop();
  if (worker_) {
    worker_->stop();
    worker_.reset();
    logger_.info("plugin_stopped");
  }
}

deviation::DeviationService::Clock Instance::deviation_clock() const {
  if (config_.development_clock_offset_seconds == 0) return {};
  // Development only (config.h): the avvik deadlines see time this far ahead.
  logger_.warn("development_clock_offset",
               {{"seconds", std::to_string(config_.development_clock_offset_seconds)}});
  const std::chrono::seconds offset{config_.development_clock_offset_seconds};
  return [offset] { return std::chrono::system_clock::now() + offset; };
}

archive::ArchiveSettings Instance::archive_settings() const {
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
  // The same catalogue the deviation service closes with (configured, or the default).
  if (config_.cause_codes.empty()) {
    for (const auto& c : deviation::default_cause_codes()) settings.cause_labels[c.code] = c.label;
  }
  for (const auto& [code, label] : config_.cause_codes) settings.cause_labels[code] = label;
  // Rendering PDF/A takes seconds: one export per turn, so notifications go out between.
  settings.retry.batch = 1;
  return settings;
}

std::unique_ptr<archive::ExportService> Instance::start_archive(
    const archive::ArchiveSettings& settings) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(config_.data_dir) / "arkiv";
  const fs::path drop =
      config_.archive_drop_dir.empty() ? base / "utgaaende" : fs::path(config_.archive_drop_dir);
  const fs::path inbox = config_.archive_inbox_dir.empty() ? base / "kvitteringer"
                                                           : fs::path(config_.archive_inbox_dir);
  if (!settings.schemas_dir) {
    logger_.warn(
        "archive_receipts_not_validated",
        {{"reason", "archive.schemas_dir is not set; receipts are parsed, not validated"}});
  }
  return std::make_unique<archive::ExportService>(
      *store_, *procedures_, *directory_, logger_, settings,
      adapters::make_file_drop_transport(drop, inbox,
                                         config_.archive_package == "asice"
                                             ? adapters::PackageFormat::kAsice
                                             : adapters::PackageFormat::kFolder),
      relay_.get());
}

void Instance::start_document_library(outbox::RetryPolicy retry) {
  library_deliverer_ =
      library::make_library_deliverer(*procedures_, document_renderer_, *library_, logger_);
  // Rendering PDF/A takes seconds: one version per turn, so notifications go out between.
  retry.batch = 1;
  relay_->add_topic(std::string(library::kDocumentLibraryTopic), *library_deliverer_, retry);
  // A library configured after versions were published gets the one in force (and any to
  // come) as well; what is in the outbox already is not queued twice.
  if (auto queued =
          store_->enqueue_outbox(library::messages_for_published(*procedures_->snapshot()));
      !queued) {
    logger_.warn("document_library_backfill_failed", {{"cause", queued.error().log_message}});
  }
  logger_.info("document_library_enabled", {{"library", library_->describe()}});
}

std::unique_ptr<store::Store> Instance::open_store() const {
  if (config_.store_kind == "postgresql")
    return store::open_postgresql_store(config_.store_connection);
  return store::open_sqlite_store(
      (std::filesystem::path(config_.data_dir) / "boligflyt.sqlite3").string());
}

api::Response Instance::handle(api::Request request) { return router_->handle(std::move(request)); }

void Instance::register_routes() {
  api::SystemServices services{*store_,           metrics_,
                               *directory_,       logger_,
                               procedures_.get(), [this] { return relay_->metrics_text(); }};
  // Capabilities switched off by configuration: /healthz names them, so that an operator
  // never mistakes a plugin that serves less for one that serves everything.
  if (!exports_)
    services.capabilities_off.emplace_back("Arkiveksport er slått av (archive.enabled).");
  if (config_.procedures_dir.empty()) {
    services.capabilities_off.emplace_back(
        "Ingen prosedyremappe (procedures_dir): prosedyrene og enhetsregisteret er ikke lest inn.");
  }
  api::register_system_routes(*router_, services);
  api::register_procedure_routes(*router_, *procedures_);
  api::register_render_routes(*router_, *procedures_);
  api::register_deviation_routes(*router_, *deviations_);
  api::register_attachment_routes(*router_, *attachments_);
  if (exports_) api::register_archive_routes(*router_, *exports_);
  api::register_page_data_routes(*router_, *deviations_);
  api::register_category_routes(*router_, *deviations_);
  api::register_web_routes(*router_);
}

}  // namespace boligflyt

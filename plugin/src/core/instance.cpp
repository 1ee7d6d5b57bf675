#include "core/instance.h"

#include <filesystem>
#include <system_error>

#include "api/procedure_routes.h"
#include "api/render_routes.h"
#include "api/system_routes.h"
#include "procedure/loader.h"
#include "render/html_document.h"
#include "store/sqlite/sqlite_store.h"

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

  store_ = store::open_sqlite_store((fs::path(config_.data_dir) / "boligflyt.sqlite3").string());
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
  router_ = std::make_unique<api::Router>(logger_, metrics_, config_.max_body_bytes);
  register_routes();
  worker_ =
      std::make_unique<BackgroundWorker>(std::chrono::milliseconds(config_.maintenance_interval_ms),
                                         [this] { store_->maintenance(); });
  logger_.info("plugin_started", {{"data_dir", config_.data_dir}, {"store", config_.store_kind}});
}

Instance::~Instance() { shutdown(); }

void Instance::shutdown() {
  if (worker_) {
    worker_->stop();
    worker_.reset();
    logger_.info("plugin_stopped");
  }
}

api::Response Instance::handle(api::Request request) { return router_->handle(std::move(request)); }

void Instance::register_routes() {
  api::SystemServices services{*store_, metrics_, *host_, logger_, procedures_.get()};
  api::register_system_routes(*router_, services);
  if (procedures_) {
    api::register_procedure_routes(*router_, *procedures_);
    api::register_render_routes(*router_, *procedures_);
    procedures_->set_document_renderer(
        [](const procedure::StoredVersion& v, const procedure::UnitRegistry& units) {
          render::RenderOptions options;
          options.status = v.status();
          return render::render_html_document(v.procedure, units, options);
        });
  }
}

}  // namespace boligflyt

#include "api/render_routes.h"

#include <functional>
#include <memory>

#include "api/render_cache.h"
#include "procedure/model.h"
#include "render/bpmn_export.h"
#include "render/html_document.h"
#include "render/swimlane_svg.h"

namespace boligflyt::api {
namespace {

using procedure::ProcedureCatalog;
using procedure::StoredVersion;
using Renderer = std::function<std::string(const StoredVersion&, const ProcedureCatalog&)>;

/// A rendering route: 304 when the client has this version's ETag (nothing is rendered), else
/// the rendering from the cache (made on the first request only).
Handler rendering_route(procedure::ProcedureService* svc, std::shared_ptr<RenderCache> cache,
                        std::string kind, std::string content_type, Renderer render) {
  return [svc, cache = std::move(cache), kind = std::move(kind),
          content_type = std::move(content_type),
          render = std::move(render)](const Request& r) -> Result<Response> {
    auto v = svc->find(r.path_params.at("id"), r.path_params.at("version"));
    if (!v) return v.error();
    Response response;
    response.content_type = content_type;
    // Same version, same bytes: the content hash plus the lifecycle revision identify it.
    const std::string etag = (*v)->etag();
    response.headers.emplace_back("ETag", etag);
    if (const auto inm = r.header("If-None-Match"); inm && etag_matches(*inm, etag)) {
      response.status = 304;
      return response;
    }
    const auto snapshot = svc->snapshot();
    const auto body = cache->get(kind, etag, snapshot, [&] { return render(**v, *snapshot); });
    response.body = *body;
    return response;
  };
}

}  // namespace

void register_render_routes(Router& router, procedure::ProcedureService& service) {
  procedure::ProcedureService* svc = &service;
  auto cache = std::make_shared<RenderCache>();

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/document",
             rendering_route(svc, cache, "document", "text/html; charset=utf-8",
                             [](const StoredVersion& v, const ProcedureCatalog& catalog) {
                               render::RenderOptions options;
                               options.status = v.status();
                               return render::render_html_document(v.procedure, catalog.units(),
                                                                   options);
                             }));

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/diagram.svg",
             rendering_route(svc, cache, "diagram", "image/svg+xml; charset=utf-8",
                             [](const StoredVersion& v, const ProcedureCatalog& catalog) {
                               return render::render_swimlane_svg(v.procedure, catalog.units());
                             }));

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/bpmn",
             rendering_route(svc, cache, "bpmn", "application/xml; charset=utf-8",
                             [](const StoredVersion& v, const ProcedureCatalog& catalog) {
                               return render::export_bpmn(v.procedure, catalog.units());
                             }));
}

}  // namespace boligflyt::api

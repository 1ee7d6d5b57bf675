#include "api/render_routes.h"

#include "procedure/model.h"
#include "render/bpmn_export.h"
#include "render/html_document.h"
#include "render/swimlane_svg.h"

namespace boligflyt::api {
namespace {

using procedure::StoredVersion;

Response rendered(std::string content_type, std::string body, const StoredVersion& v) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  // Same version, same bytes: the content hash plus the lifecycle revision identify it.
  r.headers.emplace_back("ETag", v.etag());
  return r;
}

}  // namespace

void register_render_routes(Router& router, procedure::ProcedureService& service) {
  procedure::ProcedureService* svc = &service;

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/document",
             [svc](const Request& r) -> Result<Response> {
               auto v = svc->find(r.path_params.at("id"), r.path_params.at("version"));
               if (!v) return v.error();
               render::RenderOptions options;
               options.status = (*v)->status();
               return rendered(
                   "text/html; charset=utf-8",
                   render::render_html_document((*v)->procedure, svc->snapshot()->units(), options),
                   **v);
             });

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/diagram.svg",
             [svc](const Request& r) -> Result<Response> {
               auto v = svc->find(r.path_params.at("id"), r.path_params.at("version"));
               if (!v) return v.error();
               return rendered(
                   "image/svg+xml; charset=utf-8",
                   render::render_swimlane_svg((*v)->procedure, svc->snapshot()->units()), **v);
             });

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/bpmn",
             [svc](const Request& r) -> Result<Response> {
               auto v = svc->find(r.path_params.at("id"), r.path_params.at("version"));
               if (!v) return v.error();
               return rendered("application/xml; charset=utf-8",
                               render::export_bpmn((*v)->procedure, svc->snapshot()->units()), **v);
             });
}

}  // namespace boligflyt::api

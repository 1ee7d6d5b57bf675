#include "api/page_data_routes.h"

#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/problem.h"
#include "api/query.h"
#include "render/swimlane_svg.h"

namespace boligflyt::api {

void register_page_data_routes(Router& router, deviation::DeviationService& service) {
  deviation::DeviationService* svc = &service;
  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/avvik-map.svg",
             [svc](const Request& r) -> Result<Response> {
               auto params = parse_query(r.query);
               if (!params) return params.error();
               bool only_open = false;
               for (const auto& [key, value] : *params) {
                 if (key != "open" || (value != "true" && value != "false"))
                   return bad_parameter(key, "Bare «open=true» eller «open=false» er tillatt.");
                 only_open = value == "true";
               }
               const auto& procedures = svc->procedures();
               auto v = procedures.find(r.path_params.at("id"), r.path_params.at("version"));
               if (!v) return v.error();
               // Counts only, never the avvik themselves: the same numbers the statistics give.
               store::DeviationQuery q;
               q.procedure_id = (*v)->procedure.id;
               q.procedure_version = (*v)->procedure.version.str();
               auto stats = svc->statistics(q);
               if (!stats) return stats.error();
               render::SvgOptions options;
               for (const auto& row : stats->per_step) {
                 const auto count = only_open ? row.open : row.total;
                 if (count > 0) options.avvik_per_step[row.step_id] = static_cast<int>(count);
               }
               Response response;
               response.content_type = "image/svg+xml; charset=utf-8";
               response.body = render::render_swimlane_svg((*v)->procedure,
                                                           procedures.snapshot()->units(), options);
               response.headers.emplace_back("Cache-Control", "private, no-cache");
               return response;
             });

  router.add("GET", "/api/v1/units", [svc](const Request&) -> Result<Response> {
    boost::json::array items;
    for (const auto& unit : svc->procedures().snapshot()->units().units) {
      items.push_back(boost::json::object{
          {"id", unit.id}, {"name", unit.name}, {"parent", text_or_null(unit.parent)}});
    }
    return json_response(200, boost::json::object{{"items", std::move(items)}});
  });
}

}  // namespace boligflyt::api

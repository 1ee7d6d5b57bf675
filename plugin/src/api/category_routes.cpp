#include "api/category_routes.h"

#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/problem.h"
#include "api/query.h"
#include "deviation/categories.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;

json::object category_json(const deviation::CategoryOption& c) {
  json::array steps;
  for (const auto& s : c.steps) steps.emplace_back(s);
  json::object o{{"code", c.code},
                 {"label", c.label},
                 {"source", c.generic ? "generic" : "procedure"},
                 {"steps", std::move(steps)}};
  o["description"] = c.description.empty() ? json::value(nullptr) : json::value(c.description);
  return o;
}

}  // namespace

void register_category_routes(Router& router, deviation::DeviationService& service) {
  deviation::DeviationService* svc = &service;

  router.add(
      "GET", "/api/v1/procedures/{id}/versions/{version}/deviation-categories",
      [svc](const Request& r) -> Result<Response> {
        auto params = parse_query(r.query);
        if (!params) return params.error();
        std::string step_id;
        for (const auto& [key, value] : *params) {
          if (key != "step") return bad_parameter(key, "Ukjent parameter «" + key + "».");
          step_id = value;
        }
        auto v = svc->procedures().find(r.path_params.at("id"), r.path_params.at("version"));
        if (!v) return v.error();
        const auto& procedure = (*v)->procedure;
        json::object body{{"procedure_id", procedure.id}, {"version", procedure.version.str()}};
        if (!step_id.empty()) {
          const auto* step = procedure.find_step(step_id);
          if (step == nullptr) {
            return bad_parameter("step", "Trinnet «" + step_id + "» finnes ikke i versjon " +
                                             procedure.version.str() + ".");
          }
          body["step"] = json::object{{"id", step->id},
                                      {"title", step->title},
                                      {"handles_personal_data", step->handles_personal_data}};
        } else {
          body["step"] = nullptr;
        }
        json::array items;
        for (const auto& c : deviation::categories_for(procedure, step_id)) {
          items.push_back(category_json(c));
        }
        body["items"] = std::move(items);
        return json_response(200, body);
      });

  router.add("GET", "/api/v1/deviation-cause-codes", [svc](const Request&) -> Result<Response> {
    json::array items;
    for (const auto& c : svc->cause_codes()) {
      items.push_back(json::object{{"code", c.code}, {"label", c.label}});
    }
    return json_response(200, json::object{{"items", std::move(items)}});
  });
}

}  // namespace boligflyt::api

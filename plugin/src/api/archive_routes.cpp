#include "api/archive_routes.h"

#include <boost/json.hpp>
#include <chrono>

#include "api/json_body.h"
#include "api/problem.h"
#include "api/query.h"
#include "util/time.h"

namespace boligflyt::api {
namespace json = boost::json;
namespace {

std::optional<Error> require_archive_reader(const Principal& p) {
  if (p.has_role("quality_leader") || p.has_role("procedure_owner")) return std::nullopt;
  return make_error(ErrorKind::kForbidden, "not-allowed", "Ikke tillatt",
                    "Bare kvalitetsleder og prosedyreeier kan se arkiveksportene.");
}

json::object export_json(const archive::ExportView& v) {
  const auto& m = v.message;
  json::object out{
      {"id", m.id},
      {"key", m.dedupe_key},
      {"kind", v.kind},
      {"subject", v.subject},
      {"journalpost_key", v.journalpost_key},
      {"folder", v.folder},
      {"state", v.state},
      {"attempts", m.attempts},
      {"created_at", m.created_at},
      {"next_attempt_at",
       m.status == "pending" ? json::value(util::iso_utc(m.next_attempt_epoch)) : json::value()},
      {"delivered_at", text_or_null(m.delivered_at)},
      {"last_error", text_or_null(m.last_error)}};
  if (v.receipt) {
    const auto& r = *v.receipt;
    out["receipt"] = json::object{{"outcome", r.outcome},
                                  {"received_at", r.received_at},
                                  {"system_id", text_or_null(r.system_id)},
                                  {"case_number", text_or_null(r.case_number)},
                                  {"journalpost_number", text_or_null(r.journalpost_number)},
                                  {"error", text_or_null(r.error_text)}};
  } else {
    out["receipt"] = nullptr;
  }
  return out;
}

Result<std::int64_t> export_id(const Request& r) {
  const std::string& text = r.path_params.at("id");
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return bad_parameter("id", "Eksport-id må være et positivt heltall.");
  }
  return std::stoll(text);
}

}  // namespace

void register_archive_routes(Router& router, archive::ExportService& exports) {
  archive::ExportService* svc = &exports;

  router.add("GET", "/api/v1/archive/exports", [svc](const Request& r) -> Result<Response> {
    if (auto denied = require_archive_reader(*r.principal)) return *denied;
    auto params = parse_query(r.query);
    if (!params) return params.error();
    std::string state;
    std::string subject;
    int limit = 100;
    for (const auto& [key, value] : *params) {
      if (key == "state") {
        if (value != "venter" && value != "sendt" && value != "arkivert" && value != "feilet" &&
            value != "stoppet") {
          return bad_parameter("state",
                               "«state» må være venter, sendt, arkivert, feilet eller stoppet.");
        }
        state = value;
      } else if (key == "subject") {
        subject = value;
      } else if (key == "limit") {
        if (value.empty() || value.size() > 4 ||
            value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) < 1 ||
            std::stoi(value) > 500) {
          return bad_parameter("limit", "«limit» må være et heltall fra 1 til 500.");
        }
        limit = std::stoi(value);
      } else {
        return bad_parameter(key, "Ukjent parameter «" + key + "».");
      }
    }
    auto found = svc->list(state, subject, limit);
    if (!found) return found.error();
    json::array items;
    for (const auto& v : *found) items.push_back(export_json(v));
    return json_response(200, json::object{{"items", std::move(items)}});
  });

  router.add("GET", "/api/v1/archive/exports/{id}", [svc](const Request& r) -> Result<Response> {
    if (auto denied = require_archive_reader(*r.principal)) return *denied;
    auto id = export_id(r);
    if (!id) return id.error();
    auto v = svc->get(*id);
    if (!v) return v.error();
    return json_response(200, export_json(*v));
  });

  router.add("POST", "/api/v1/archive/exports/{id}/retry",
             [svc](const Request& r) -> Result<Response> {
               if (auto denied = require_archive_reader(*r.principal)) return *denied;
               auto id = export_id(r);
               if (!id) return id.error();
               const auto now = util::now_epoch();
               auto v = svc->retry(*id, now);
               if (!v) return v.error();
               return json_response(202, export_json(*v));
             });
}

}  // namespace boligflyt::api

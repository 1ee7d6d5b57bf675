#include "api/system_routes.h"

#include <boost/json.hpp>
#include <charconv>

#include "api/json_body.h"
#include "api/problem.h"

#ifndef BOLIGFLYT_VERSION
#error "BOLIGFLYT_VERSION must come from the build"
#endif

namespace boligflyt::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kNotifyChoices[] = {"immediately", "daily_digest", "weekly_digest"};

json::object default_preferences() {
  return json::object{{"notify", "immediately"}, {"overdue_reminders", true}};
}

std::string etag_for(std::int64_t revision) { return "\"" + std::to_string(revision) + "\""; }

// If-Match carries a strong ETag we issued ("N"); anything else cannot match.
Result<std::optional<std::int64_t>> parse_if_match(const Request& request) {
  const auto header = request.header("If-Match");
  if (!header) return std::optional<std::int64_t>{};
  std::string_view v = *header;
  if (v.size() >= 3 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
    // from_chars refuses what does not fit (an overflowing loop here was found by
    // tests/fuzz/targets/abi_request_fuzzer.cpp).
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && end == v.data() + v.size() && n >= 0 && v.front() != '-') {
      return std::optional<std::int64_t>{n};
    }
  }
  return make_error(ErrorKind::kPreconditionFailed, "precondition-failed", "Utdatert versjon",
                    "If-Match må være en ETag som tjenesten har gitt, for eksempel \"3\".",
                    "If-Match");
}

Response preferences_response(int status, const json::object& prefs, std::int64_t revision,
                              const std::string& updated_at) {
  json::object body = prefs;
  body["revision"] = revision;
  if (!updated_at.empty()) body["updated_at"] = updated_at;
  auto response = json_response(status, body);
  response.headers.emplace_back("ETag", etag_for(revision));
  return response;
}

Result<json::object> validate_preferences(const json::value& input) {
  if (!input.is_object()) return invalid("", "Innstillingene må være et JSON-objekt.");
  json::object prefs = default_preferences();
  for (const auto& [key, value] : input.as_object()) {
    if (key == "notify") {
      bool known = false;
      if (value.is_string()) {
        for (auto choice : kNotifyChoices) known = known || value.as_string() == choice;
      }
      if (!known) {
        return invalid("notify",
                       "«notify» må være «immediately», «daily_digest» eller «weekly_digest».");
      }
      prefs["notify"] = value;
    } else if (key == "overdue_reminders") {
      if (!value.is_bool())
        return invalid("overdue_reminders", "«overdue_reminders» må være true eller false.");
      prefs["overdue_reminders"] = value;
    } else if (key == "revision" || key == "updated_at") {
      // Read-only fields a client may send back unchanged after a GET.
    } else {
      return invalid(std::string(key), "Ukjent felt «" + std::string(key) + "».");
    }
  }
  return prefs;
}

}  // namespace

void register_system_routes(Router& router, SystemServices s) {
  router.add(
      "GET", "/healthz",
      [s](const Request&) -> Result<Response> {
        const auto ping = s.store.ping();
        // Procedure files with problems are skipped, not fatal: "degraded", still 200. So is
        // every capability that configuration switched off, each named with its reason.
        const auto catalog = s.procedures ? s.procedures->snapshot() : nullptr;
        const bool procedures_ok = !catalog || catalog->problem_count() == 0;
        json::array reasons;
        for (const auto& off : s.capabilities_off) reasons.emplace_back(off);
        if (!procedures_ok) {
          reasons.emplace_back(std::to_string(catalog->problem_count()) +
                               " feil i prosedyrefilene; filene med feil er ikke lest inn.");
        }
        if (catalog && catalog->procedure_ids().empty()) {
          reasons.emplace_back("Ingen prosedyre er lest inn, så avvik kan ikke registreres.");
        }
        const char* status = !ping ? "fail" : reasons.empty() ? "ok" : "degraded";
        if (!ping) reasons.emplace_back("Lageret svarer ikke.");
        json::object body{{"status", status},
                          {"version", BOLIGFLYT_VERSION},
                          {"checks", json::object{{"store", ping ? "ok" : "fail"},
                                                  {"procedures", procedures_ok ? "ok" : "degraded"},
                                                  {"procedure_count",
                                                   catalog ? catalog->procedure_ids().size() : 0}}},
                          {"reasons", std::move(reasons)}};
        return json_response(ping ? 200 : 503, body);
      },
      RouteOptions{.requires_principal = false});

  router.add("GET", "/metrics", [s](const Request&) -> Result<Response> {
    std::string extra =
        "# HELP boligflyt_build_info Version of the running plugin.\n"
        "# TYPE boligflyt_build_info gauge\n"
        "boligflyt_build_info{version=\"" BOLIGFLYT_VERSION "\"} 1\n";
    if (auto info = s.store.info()) {
      extra +=
          "# HELP boligflyt_store_schema_version Highest applied store migration.\n"
          "# TYPE boligflyt_store_schema_version gauge\n"
          "boligflyt_store_schema_version{backend=\"" +
          info->backend + "\"} " + std::to_string(info->schema_version) + "\n";
    }
    if (s.extra_metrics) extra += s.extra_metrics();
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = s.metrics.render(extra);
    return response;
  });

  router.add("GET", "/api/v1/system", [s](const Request&) -> Result<Response> {
    auto info = s.store.info();
    if (!info) return info.error();
    return json_response(
        200, json::object{{"name", "boligflyt"},
                          {"version", BOLIGFLYT_VERSION},
                          {"store", json::object{{"backend", info->backend},
                                                 {"installation_id", info->installation_id},
                                                 {"created_at", info->created_at},
                                                 {"schema_version", info->schema_version}}}});
  });

  router.add("GET", "/api/v1/me", [s](const Request& request) -> Result<Response> {
    const auto& p = *request.principal;
    json::array units;
    for (const auto& unit_id : p.units) {
      json::object unit{{"id", unit_id}};
      // Unit names come from the host's directory when it has one; the id alone still works.
      if (const auto found = s.directory.unit(unit_id)) unit["name"] = found->name;
      units.push_back(std::move(unit));
    }
    json::array roles;
    for (const auto& role : p.roles) roles.emplace_back(role);
    return json_response(200, json::object{{"user_id", p.user_id},
                                           {"display_name", p.display_name},
                                           {"units", std::move(units)},
                                           {"roles", std::move(roles)}});
  });

  router.add("GET", "/api/v1/me/preferences", [s](const Request& request) -> Result<Response> {
    auto stored = s.store.get_preferences(request.principal->user_id);
    if (!stored) return stored.error();
    if (!stored->has_value()) return preferences_response(200, default_preferences(), 0, {});
    const auto& prefs = **stored;
    auto parsed = parse_json_text(prefs.json, "lagrede innstillinger");
    if (!parsed || !parsed->is_object())
      return internal_error("stored preferences are not an object");
    return preferences_response(200, parsed->as_object(), prefs.revision, prefs.updated_at);
  });

  router.add("PUT", "/api/v1/me/preferences", [s](const Request& request) -> Result<Response> {
    auto if_match = parse_if_match(request);
    if (!if_match) return if_match.error();
    auto body = parse_json_body(request);
    if (!body) return body.error();
    auto prefs = validate_preferences(*body);
    if (!prefs) return prefs.error();
    auto saved =
        s.store.put_preferences(request.principal->user_id, json::serialize(*prefs), *if_match);
    if (!saved) return saved.error();
    return preferences_response(200, *prefs, saved->revision, saved->updated_at);
  });
}

}  // namespace boligflyt::api

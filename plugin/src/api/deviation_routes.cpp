#include "api/deviation_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "api/deviation_views.h"
#include "api/json_body.h"
#include "api/privacy_views.h"
#include "api/problem.h"
#include "api/query.h"
#include "deviation/lifecycle.h"
#include "deviation/record.h"
#include "util/norway_time.h"
#include "util/sha256.h"
#include "util/time.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;
using deviation::DeviationService;

Result<std::optional<std::int64_t>> if_match(const Request& r) {
  const auto header = r.header("If-Match");
  if (!header) return std::optional<std::int64_t>{};
  std::string_view v = *header;
  if (v.size() > 2 && v.size() < 20 && v.front() == '"' && v.back() == '"') {
    const auto digits = v.substr(1, v.size() - 2);
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::optional<std::int64_t>{std::stoll(std::string(digits))};
    }
  }
  return make_error(ErrorKind::kPreconditionFailed, "precondition-failed", "Utdatert versjon",
                    "If-Match må være en ETag som tjenesten har gitt for avviket.", "If-Match");
}

Result<std::string> text_member(const json::value& body, const char* key) {
  if (!body.is_object()) return invalid("", "Innholdet må være et JSON-objekt.");
  const auto* v = body.as_object().if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return invalid(key, "Feltet «" + std::string(key) + "» må være tekst.");
  return std::string(v->as_string());
}

/// A list of at most `max` texts; absent or null is an empty list.
Result<std::vector<std::string>> string_list_member(const json::value& body, const char* key,
                                                    std::size_t max) {
  std::vector<std::string> out;
  const auto* v = body.is_object() ? body.as_object().if_contains(key) : nullptr;
  if (!v || v->is_null()) return out;
  const std::string shape =
      "«" + std::string(key) + "» må være en liste med høyst " + std::to_string(max) + " koder.";
  if (!v->is_array() || v->as_array().size() > max) return invalid(key, shape);
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) return invalid(key, shape);
    out.emplace_back(item.as_string());
  }
  return out;
}

/// Refuses members the endpoint does not know, so a typo is not silently ignored.
Result<void> only_members(const json::value& body, std::initializer_list<std::string_view> keys) {
  if (!body.is_object()) return invalid("", "Innholdet må være et JSON-objekt.");
  for (const auto& [k, v] : body.as_object()) {
    if (std::find(keys.begin(), keys.end(), std::string_view(k)) == keys.end()) {
      return invalid(std::string(k), "Ukjent felt «" + std::string(k) + "».");
    }
  }
  return {};
}

}  // namespace

void register_deviation_routes(Router& router, DeviationService& service) {
  DeviationService* svc = &service;

  router.add("GET", "/api/v1/deviation-codes", [](const Request&) -> Result<Response> {
    auto codes = [](const std::vector<deviation::Code>& list) {
      json::array out;
      for (const auto& c : list) out.push_back(json::object{{"code", c.code}, {"label", c.label}});
      return out;
    };
    json::array statuses;
    for (const auto s : deviation::kAllStatuses) {
      statuses.push_back(json::object{{"code", deviation::status_code(s)},
                                      {"label", deviation::status_label(s)},
                                      {"open", deviation::is_open(s)}});
    }
    json::array transitions;
    for (const auto& rule : deviation::transition_rules()) {
      json::array from;
      for (const auto s : rule.from) from.emplace_back(deviation::status_code(s));
      json::array who;
      if (rule.reporter) who.emplace_back("reporter");
      if (rule.responsible_leader) who.emplace_back("responsible_leader");
      if (rule.participant_leader) who.emplace_back("participant_leader");
      if (rule.quality_leader) who.emplace_back("quality_leader");
      json::array requires_fields;
      for (const auto& f : rule.requires_fields) requires_fields.emplace_back(f);
      transitions.push_back(
          json::object{{"transition", deviation::transition_code(rule.transition)},
                       {"from", std::move(from)},
                       {"to", deviation::status_code(rule.to)},
                       {"who", std::move(who)},
                       {"requires", std::move(requires_fields)}});
    }
    return json_response(200, json::object{{"categories", codes(deviation::categories())},
                                           {"severities", codes(deviation::severities())},
                                           {"statuses", std::move(statuses)},
                                           {"transitions", std::move(transitions)}});
  });

  router.add("POST", "/api/v1/deviations", [svc](const Request& r) -> Result<Response> {
    std::string idempotency_key;
    if (const auto key = r.header("Idempotency-Key")) {
      if (key->empty() || key->size() > 200 ||
          !std::all_of(key->begin(), key->end(), [](char c) { return c > 32 && c < 127; })) {
        return bad_parameter("Idempotency-Key",
                             "Idempotency-Key må være 1–200 synlige ASCII-tegn.");
      }
      idempotency_key = std::string(*key);
    }
    auto body = parse_json_body(r);
    if (!body) return body.error();
    if (auto ok =
            only_members(*body, {"procedure_id", "step_id", "incident_date", "category", "severity",
                                 "title", "description", "reporting_unit", "case_reference",
                                 "personal_data", "participants", "discovered_at"});
        !ok) {
      return ok.error();
    }
    deviation::RegisterInput in;
    for (const auto& [field, target] :
         {std::pair<const char*, std::string*>{"procedure_id", &in.procedure_id},
          {"step_id", &in.step_id},
          {"incident_date", &in.incident_date},
          {"category", &in.category},
          {"severity", &in.severity},
          {"title", &in.title},
          {"description", &in.description},
          {"reporting_unit", &in.reporting_unit},
          {"case_reference", &in.case_reference},
          {"discovered_at", &in.discovered_at}}) {
      auto text = text_member(*body, field);
      if (!text) return text.error();
      *target = std::move(*text);
    }
    const auto& obj = body->as_object();
    if (const auto* pd = obj.if_contains("personal_data"); pd && !pd->is_null()) {
      if (!pd->is_bool())
        return invalid("personal_data", "«personal_data» må være true eller false.");
      in.personal_data = pd->as_bool();
      in.personal_data_stated = true;
    }
    if (const auto* ps = obj.if_contains("participants"); ps && !ps->is_null()) {
      if (!ps->is_array() || ps->as_array().size() > 20)
        return invalid("participants", "«participants» må være en liste med høyst 20 enheter.");
      for (const auto& p : ps->as_array()) {
        if (!p.is_string())
          return invalid("participants", "«participants» må være en liste med enhets-id-er.");
        in.participants.emplace_back(p.as_string());
      }
    }
    auto created =
        svc->register_deviation(in, *r.principal, idempotency_key, util::sha256_hex(r.body));
    if (!created) return created.error();
    auto response = deviation_response(201, created->record, *svc, *r.principal);
    response.headers.emplace_back("Location", "/api/v1/deviations/" + created->record.id);
    if (created->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    return response;
  });

  router.add("GET", "/api/v1/deviations", [svc](const Request& r) -> Result<Response> {
    auto q = parse_filters(r, true);
    if (!q) return q.error();
    const std::string sort_key = (q->descending ? "-" : "") + q->sort;
    auto page = svc->list(*q, *r.principal);
    if (!page) return page.error();
    json::array items;
    const auto catalog = svc->procedures().snapshot();  // one for the whole page
    for (const auto& d : page->items) {
      items.push_back(deviation_json(d, *svc, *catalog, *r.principal));
    }
    json::object body{{"items", std::move(items)},
                      {"next_cursor",
                       page->more ? json::value(hex_encode(sort_key + "\n" + page->next_sort_value +
                                                           "\n" + page->next_id))
                                  : json::value(nullptr)}};
    if (!r.principal->has_role(deviation::kRoleQualityLeader)) {
      body["scope"] = r.principal->has_role(deviation::kRoleUnitLeader)
                          ? "Avvik du har meldt, og avvik enhetene dine har meldt, har ansvar for "
                            "eller deltar i."
                          : "Avvik du har meldt.";
    }
    return json_response(200, body);
  });

  router.add("GET", "/api/v1/deviations/{id}", [svc](const Request& r) -> Result<Response> {
    auto d = svc->get(r.path_params.at("id"), *r.principal);
    if (!d) return d.error();
    return deviation_response(200, *d, *svc, *r.principal);
  });

  router.add("GET", "/api/v1/deviations/{id}/history", [svc](const Request& r) -> Result<Response> {
    auto h = svc->history(r.path_params.at("id"), *r.principal);
    if (!h) return h.error();
    // A leader who only takes part does not see who reported (deviation/lifecycle.h): the
    // reporter's own events show no actor to them. The chain is verified here (chain.valid).
    std::string hidden_actor;
    if (auto d = svc->get(r.path_params.at("id"), *r.principal);
        d && !deviation::may_see_reporter(DeviationService::relation_of(*d, *r.principal))) {
      hidden_actor = d->reporter;
    }
    json::array items;
    for (const auto& e : h->events) {
      json::value data;
      boost::system::error_code ec;
      data = json::parse(e.data_json, ec);
      if (ec) data = nullptr;
      items.push_back(json::object{{"seq", e.seq},
                                   {"at", e.at},
                                   {"actor", e.actor},
                                   {"kind", e.kind},
                                   {"data", std::move(data)},
                                   {"prev_hash", e.prev_hash},
                                   {"hash", e.hash}});
      if (!hidden_actor.empty() && e.actor == hidden_actor) {
        items.back().as_object()["actor"] = nullptr;
      }
    }
    return json_response(
        200,
        json::object{
            {"id", r.path_params.at("id")},
            {"items", std::move(items)},
            {"chain", json::object{{"valid", h->chain_valid},
                                   {"head", h->events.empty() ? json::value(nullptr)
                                                              : json::value(h->events.back().hash)},
                                   {"first_broken_seq", h->chain_valid
                                                            ? json::value(nullptr)
                                                            : json::value(h->first_broken_seq)}}}});
  });

  router.add(
      "POST", "/api/v1/deviations/{id}/transitions", [svc](const Request& r) -> Result<Response> {
        auto revision = if_match(r);
        if (!revision) return revision.error();
        auto body = parse_json_body(r);
        if (!body) return body.error();
        if (auto ok = only_members(*body, {"transition", "cause", "evaluation", "reason",
                                           "resolved_in_version", "cause_codes"});
            !ok) {
          return ok.error();
        }
        deviation::TransitionInput in;
        auto code = text_member(*body, "transition");
        if (!code) return code.error();
        const auto t = deviation::parse_transition(*code);
        if (!t) {
          return invalid("transition", code->empty() ? "Feltet «transition» mangler."
                                                     : "Ukjent overgang. Gyldige: motta, behandle, "
                                                       "tiltak, lukk, avvis, gjenapne.");
        }
        in.transition = *t;
        for (const auto& [field, target] :
             {std::pair<const char*, std::string*>{"cause", &in.cause},
              {"evaluation", &in.evaluation},
              {"reason", &in.reason},
              {"resolved_in_version", &in.resolved_in_version}}) {
          auto text = text_member(*body, field);
          if (!text) return text.error();
          *target = std::move(*text);
        }
        auto cause_codes = string_list_member(*body, "cause_codes", 20);
        if (!cause_codes) return cause_codes.error();
        in.cause_codes = std::move(*cause_codes);
        auto d = svc->transition(r.path_params.at("id"), in, *r.principal, *revision);
        if (!d) return d.error();
        return deviation_response(200, *d, *svc, *r.principal);
      });

  router.add("POST", "/api/v1/deviations/{id}/comments",
             [svc](const Request& r) -> Result<Response> {
               auto revision = if_match(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               if (auto ok = only_members(*body, {"text"}); !ok) return ok.error();
               auto text = text_member(*body, "text");
               if (!text) return text.error();
               auto d = svc->add_comment(r.path_params.at("id"), *text, *r.principal, *revision);
               if (!d) return d.error();
               return deviation_response(201, *d, *svc, *r.principal);
             });

  router.add(
      "POST", "/api/v1/deviations/{id}/participants", [svc](const Request& r) -> Result<Response> {
        auto revision = if_match(r);
        if (!revision) return revision.error();
        auto body = parse_json_body(r);
        if (!body) return body.error();
        if (auto ok = only_members(*body, {"unit_id"}); !ok) return ok.error();
        auto unit = text_member(*body, "unit_id");
        if (!unit) return unit.error();
        auto d = svc->add_participant(r.path_params.at("id"), *unit, *r.principal, *revision);
        if (!d) return d.error();
        return deviation_response(201, *d, *svc, *r.principal);
      });

  router.add("POST", "/api/v1/deviations/{id}/actions",
             [svc](const Request& r) -> Result<Response> {
               auto revision = if_match(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               if (auto ok = only_members(*body, {"owner_unit", "description", "due_date"}); !ok)
                 return ok.error();
               deviation::ActionInput in;
               for (const auto& [field, target] :
                    {std::pair<const char*, std::string*>{"owner_unit", &in.owner_unit},
                     {"description", &in.description},
                     {"due_date", &in.due_date}}) {
                 auto text = text_member(*body, field);
                 if (!text) return text.error();
                 *target = std::move(*text);
               }
               auto d = svc->add_action(r.path_params.at("id"), in, *r.principal, *revision);
               if (!d) return d.error();
               return deviation_response(201, *d, *svc, *r.principal);
             });

  router.add("POST", "/api/v1/deviations/{id}/actions/{no}/completion",
             [svc](const Request& r) -> Result<Response> {
               auto revision = if_match(r);
               if (!revision) return revision.error();
               const auto& no = r.path_params.at("no");
               if (no.empty() || no.size() > 6 || !std::all_of(no.begin(), no.end(), [](char c) {
                     return c >= '0' && c <= '9';
                   })) {
                 return bad_parameter("no", "Tiltaksnummeret må være et positivt heltall.");
               }
               auto body = parse_json_body(r);
               if (!body) return body.error();
               if (auto ok = only_members(*body, {"done_date"}); !ok) return ok.error();
               auto done = text_member(*body, "done_date");
               if (!done) return done.error();
               auto d = svc->complete_action(r.path_params.at("id"), std::stoll(no), *done,
                                             *r.principal, *revision);
               if (!d) return d.error();
               return deviation_response(200, *d, *svc, *r.principal);
             });

  router.add("PUT", "/api/v1/deviations/{id}/draft-link",
             [svc](const Request& r) -> Result<Response> {
               auto revision = if_match(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               if (auto ok = only_members(*body, {"version"}); !ok) return ok.error();
               auto version = text_member(*body, "version");
               if (!version) return version.error();
               if (version->empty()) return invalid("version", "Feltet «version» mangler.");
               auto d = svc->link_draft(r.path_params.at("id"), *version, *r.principal, *revision);
               if (!d) return d.error();
               return deviation_response(200, *d, *svc, *r.principal);
             });

  router.add("GET", "/api/v1/notifications", [svc](const Request& r) -> Result<Response> {
    if (!r.principal->has_role(deviation::kRoleQualityLeader)) {
      return make_error(ErrorKind::kForbidden, "not-allowed", "Ikke tillatt",
                        "Bare kvalitetsleder kan se varslingskøen.");
    }
    auto params = parse_query(r.query);
    if (!params) return params.error();
    std::string status;
    for (const auto& [key, value] : *params) {
      if (key != "status") return bad_parameter(key, "Ukjent parameter «" + key + "».");
      if (value != "pending" && value != "delivered" && value != "dead")
        return bad_parameter("status", "«status» må være pending, delivered eller dead.");
      status = value;
    }
    auto messages = svc->outbox("notification", status);
    if (!messages) return messages.error();
    json::array items;
    for (const auto& m : *messages) {
      boost::system::error_code ec;
      auto payload = json::parse(m.payload_json, ec);
      json::object item{
          {"id", m.id},
          {"key", m.dedupe_key},
          {"status", m.status},
          {"attempts", m.attempts},
          {"created_at", m.created_at},
          {"next_attempt_at", m.status == "pending"
                                  ? json::value(util::iso_utc(m.next_attempt_epoch))
                                  : json::value(nullptr)},
          {"delivered_at",
           m.delivered_at.empty() ? json::value(nullptr) : json::value(m.delivered_at)},
          {"last_error", m.last_error.empty() ? json::value(nullptr) : json::value(m.last_error)}};
      if (!ec && payload.is_object()) {
        const auto& p = payload.as_object();
        if (const auto* rcpt = p.if_contains("recipient")) item["recipient"] = *rcpt;
        if (const auto* subject = p.if_contains("subject")) item["subject"] = *subject;
      }
      items.push_back(std::move(item));
    }
    auto counts = svc->outbox_counts("notification");
    if (!counts) return counts.error();
    return json_response(200, json::object{{"items", std::move(items)},
                                           {"counts", json::object{{"pending", counts->pending},
                                                                   {"delivered", counts->delivered},
                                                                   {"dead", counts->dead}}}});
  });

  router.add("GET", "/api/v1/statistics/deviations", [svc](const Request& r) -> Result<Response> {
    auto q = parse_filters(r, false);
    if (!q) return q.error();
    auto stats = svc->statistics(*q);
    if (!stats) return stats.error();
    const auto body = statistics_json(*stats, *svc);
    if (wants_csv(r)) {
      Response csv;
      csv.content_type = "text/csv; charset=utf-8";
      csv.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"avviksstatistikk.csv\"");
      csv.body = statistics_csv(body);
      return csv;
    }
    return json_response(200, body);
  });

  router.add("PUT", "/api/v1/deviations/{id}/privacy-assessment",
             [svc](const Request& r) -> Result<Response> {
               auto revision = if_match(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               auto in = parse_assessment(*body);
               if (!in) return in.error();
               auto d = svc->assess_privacy(r.path_params.at("id"), *in, *r.principal, *revision);
               if (!d) return d.error();
               return deviation_response(200, *d, *svc, *r.principal);
             });
}

}  // namespace boligflyt::api

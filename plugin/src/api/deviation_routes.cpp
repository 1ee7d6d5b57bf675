#include "api/deviation_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "api/json_body.h"
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

/// The ETag of an avvik is its revision.
std::string etag(const store::DeviationRecord& r) {
  return "\"" + std::to_string(r.revision) + "\"";
}

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

json::object deviation_json(const store::DeviationRecord& r, const DeviationService& svc,
                            const procedure::ProcedureCatalog& catalog, const Principal& viewer) {
  const auto& units = catalog.units();
  auto unit_name = [&](const std::string& id) -> json::value {
    const auto* u = units.find(id);
    return u ? json::value(u->name) : json::value(nullptr);
  };
  json::object step{{"id", r.step_id}};
  if (const auto v = procedure::Version::parse(r.procedure_version)) {
    if (const auto* sv = catalog.find(r.procedure_id, *v)) {
      if (const auto* s = sv->procedure.find_step(r.step_id)) step["title"] = s->title;
    }
  }
  const auto status = deviation::status_of(r);
  const bool overdue = deviation::is_overdue(r, svc.now_epoch());
  json::array participants;
  for (const auto& u : r.participants) {
    participants.push_back(json::object{{"unit_id", u}, {"name", unit_name(u)}});
  }
  json::array actions;
  for (const auto& a : r.actions) {
    actions.push_back(json::object{
        {"action_no", a.action_no},
        {"owner_unit", a.owner_unit},
        {"owner_unit_name", unit_name(a.owner_unit)},
        {"description", a.description},
        {"due_date", a.due_date},
        {"done_date", a.done_date.empty() ? json::value(nullptr) : json::value(a.done_date)},
        {"created_by", a.created_by},
        {"created_at", a.created_at}});
  }
  json::array comments;
  for (const auto& c : r.comments) {
    comments.push_back(json::object{{"comment_no", c.comment_no},
                                    {"author", c.author},
                                    {"text", c.text},
                                    {"created_at", c.created_at}});
  }
  // What the viewer may do next, so a client can offer exactly those buttons.
  const auto rel = DeviationService::relation_of(r, viewer);
  json::array allowed;
  for (const auto t : deviation::kAllTransitions) {
    deviation::TransitionFacts everything{.has_cause = true,
                                          .has_evaluation = true,
                                          .has_reason = true,
                                          .has_any_action = true,
                                          .has_done_action = true,
                                          .has_resolved_in_version = true};
    if (auto to = deviation::check_transition(status, t, rel, everything)) {
      allowed.push_back(json::object{{"transition", deviation::transition_code(t)},
                                     {"to", deviation::status_code(*to)},
                                     {"to_label", deviation::status_label(*to)}});
    }
  }
  return json::object{{"id", r.id},
                      {"status", r.status},
                      {"status_label", deviation::status_label(status)},
                      {"procedure_id", r.procedure_id},
                      {"procedure_version", r.procedure_version},
                      {"step", std::move(step)},
                      {"incident_date", r.incident_date},
                      {"category", r.category},
                      {"category_label", deviation::label_of(deviation::categories(), r.category)},
                      {"severity", r.severity},
                      {"severity_label", deviation::label_of(deviation::severities(), r.severity)},
                      {"title", r.title},
                      {"description", r.description},
                      {"reporting_unit", r.reporting_unit},
                      {"reporter", r.reporter},
                      {"responsible_unit", r.responsible_unit},
                      {"responsible_unit_name", unit_name(r.responsible_unit)},
                      {"participants", std::move(participants)},
                      {"case_reference", text_or_null(r.case_reference)},
                      {"personal_data", r.personal_data},
                      {"created_at", r.created_at},
                      {"updated_at", r.updated_at},
                      {"received_at", text_or_null(r.received_at)},
                      {"closed_at", text_or_null(r.closed_at)},
                      {"deadlines", json::object{{"receive_by", util::iso_utc(r.receive_due_epoch)},
                                                 {"close_by", util::iso_utc(r.close_due_epoch)},
                                                 {"overdue", overdue}}},
                      {"cause", text_or_null(r.cause)},
                      {"evaluation", text_or_null(r.evaluation)},
                      {"rejection_reason", text_or_null(r.rejection_reason)},
                      {"reopen_reason", text_or_null(r.reopen_reason)},
                      {"resolved_in_version", text_or_null(r.resolved_in_version)},
                      {"linked_draft_version", text_or_null(r.linked_draft_version)},
                      {"actions", std::move(actions)},
                      {"comments", std::move(comments)},
                      {"allowed_transitions", std::move(allowed)},
                      {"revision", r.revision}};
}

Response deviation_response(int status, const store::DeviationRecord& r,
                            const DeviationService& svc, const Principal& viewer) {
  auto body = deviation_json(r, svc, *svc.procedures().snapshot(), viewer);
  // Where the archive filed it (from its kvitteringer); only on the single avvik.
  json::array archive;
  for (const auto& ref : svc.archive_references(r.id)) {
    if (ref.outcome != "kvittering") continue;
    archive.push_back(json::object{{"system_id", ref.system_id},
                                   {"case_number", ref.case_number},
                                   {"journalpost_number", ref.journalpost_number},
                                   {"received_at", ref.received_at}});
  }
  body["archive"] = std::move(archive);
  auto response = json_response(status, body);
  response.headers.emplace_back("ETag", etag(r));
  response.headers.emplace_back("Cache-Control", "private, no-store");
  return response;
}

// --- list and statistics filters -------------------------------------------------------

std::string hex_encode(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : s) {
    out += digits[c >> 4U];
    out += digits[c & 0xFU];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view s) {
  if (s.size() % 2 != 0 || s.size() > 1024) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = nibble(s[i]);
    const int lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<store::DeviationQuery> parse_filters(const Request& r, bool paging) {
  auto params = parse_query(r.query);
  if (!params) return params.error();
  store::DeviationQuery q;
  for (const auto& [key, value] : *params) {
    if (key == "status") {
      std::size_t start = 0;
      while (start <= value.size()) {
        const auto end = std::min(value.find(',', start), value.size());
        const auto code = value.substr(start, end - start);
        if (!deviation::parse_status(code)) {
          return bad_parameter("status", "Ukjent status «" + code +
                                             "». Gyldige: registrert, mottatt, under_behandling, "
                                             "tiltak, lukket, avvist, gjenapnet.");
        }
        q.statuses.push_back(code);
        start = end + 1;
      }
    } else if (key == "unit") {
      q.unit = value;
    } else if (key == "procedure_id") {
      q.procedure_id = value;
    } else if (key == "version") {
      if (!procedure::Version::parse(value))
        return bad_parameter("version", "Versjonen må ha formen 3.0.");
      q.procedure_version = value;
    } else if (key == "step_id") {
      q.step_id = value;
    } else if (key == "category") {
      q.category = value;
    } else if (key == "severity") {
      q.severity = value;
    } else if (key == "from" || key == "to") {
      if (!procedure::is_iso_date(value))
        return bad_parameter(key, "«" + key + "» må være en dato på formen ÅÅÅÅ-MM-DD.");
      (key == "from" ? q.from_date : q.to_date) = value;
    } else if (key == "overdue") {
      if (value != "true" && value != "false")
        return bad_parameter("overdue", "«overdue» må være true eller false.");
      q.overdue_only = value == "true";
    } else if (paging && key == "sort") {
      std::string_view s = value;
      q.descending = !s.empty() && s.front() == '-';
      if (q.descending) s.remove_prefix(1);
      if (s != "created" && s != "updated" && s != "incident_date" && s != "severity" &&
          s != "id") {
        return bad_parameter("sort",
                             "«sort» må være created, updated, incident_date, severity eller id, "
                             "eventuelt med «-» foran for synkende rekkefølge.");
      }
      q.sort = std::string(s);
    } else if (paging && key == "limit") {
      if (value.empty() || value.size() > 3 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          std::stoi(value) < 1 || std::stoi(value) > 500) {
        return bad_parameter("limit", "«limit» må være et heltall fra 1 til 500.");
      }
      q.limit = std::stoi(value);
    } else if (paging && key == "cursor") {
      // cursor = hex("<sort>\n<value>\n<id>"): opaque to clients, bound to the sort order.
      continue;
    } else if (key != "format") {
      return bad_parameter(key, "Ukjent parameter «" + key + "».");
    }
  }
  if (!q.from_date.empty() && !q.to_date.empty() && q.from_date > q.to_date) {
    return bad_parameter("from", "«from» kan ikke være etter «to».");
  }
  if (paging) {
    if (const auto it = params->find("cursor"); it != params->end()) {
      const auto decoded = hex_decode(it->second);
      const auto first = decoded ? decoded->find('\n') : std::string::npos;
      const auto second = decoded && first != std::string::npos ? decoded->find('\n', first + 1)
                                                                : std::string::npos;
      const std::string expected_sort = (q.descending ? "-" : "") + q.sort;
      if (second == std::string::npos || decoded->substr(0, first) != expected_sort) {
        return bad_parameter("cursor",
                             "Ugyldig «cursor». Bruk «next_cursor» fra forrige side, med samme "
                             "sortering.");
      }
      q.after_sort_value = decoded->substr(first + 1, second - first - 1);
      q.after_id = decoded->substr(second + 1);
    }
  }
  return q;
}

// --- statistics ------------------------------------------------------------------------

json::object statistics_json(const store::DeviationStatistics& s, const DeviationService& svc) {
  const auto catalog = svc.procedures().snapshot();
  const auto today = util::norway_today();
  auto step_title = [&](const std::string& procedure_id, const std::string& step_id) {
    // Newest version in force that has the step names it; removed steps keep their id.
    const auto versions = catalog->versions(procedure_id);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      if (const auto* st = (*it)->procedure.find_step(step_id)) return json::value(st->title);
    }
    return json::value(nullptr);
  };
  auto counts = [](const std::vector<store::KeyCount>& rows,
                   const std::function<json::value(const std::string&)>& name) {
    json::array out;
    for (const auto& row : rows) {
      json::object o{{"key", row.key}, {"count", row.count}};
      if (name) o["label"] = name(row.key);
      out.push_back(std::move(o));
    }
    return out;
  };
  json::array steps;
  for (const auto& row : s.per_step) {
    steps.push_back(json::object{{"procedure_id", row.procedure_id},
                                 {"step_id", row.step_id},
                                 {"title", step_title(row.procedure_id, row.step_id)},
                                 {"total", row.total},
                                 {"open", row.open}});
  }
  auto unit_label = [&](const std::string& id) -> json::value {
    const auto* u = catalog->units().find(id);
    return u ? json::value(u->name) : json::value(nullptr);
  };
  auto code_label = [](const std::vector<deviation::Code>& codes) {
    return [&codes](const std::string& code) -> json::value {
      return json::value(deviation::label_of(codes, code));
    };
  };
  auto status_label = [](const std::string& code) -> json::value {
    if (auto st = deviation::parse_status(code)) return json::value(deviation::status_label(*st));
    return json::value(nullptr);
  };
  return json::object{{"generated_at", util::iso_utc(svc.now_epoch())},
                      {"total", s.total},
                      {"open", s.open},
                      {"closed", s.closed},
                      {"rejected", s.rejected},
                      {"per_step", std::move(steps)},
                      {"per_unit", counts(s.per_unit, unit_label)},
                      {"per_category", counts(s.per_category, code_label(deviation::categories()))},
                      {"per_severity", counts(s.per_severity, code_label(deviation::severities()))},
                      {"per_status", counts(s.per_status, status_label)},
                      {"per_month", counts(s.per_month, nullptr)},
                      {"median_days_to_close",
                       s.median_closure_seconds
                           ? json::value(static_cast<double>(*s.median_closure_seconds) / 86400.0)
                           : json::value(nullptr)},
                      {"overdue_deviations", s.overdue_deviations},
                      {"overdue_actions", s.overdue_actions},
                      {"today", today}};
}

std::string csv_field(const json::value& v) {
  std::string text = v.is_string() ? std::string(v.as_string())
                     : v.is_null() ? std::string()
                                   : json::serialize(v);
  if (text.find_first_of(";\"\n\r") != std::string::npos || (!text.empty() && text[0] == '=')) {
    std::string quoted = "\"";
    for (const char c : text) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  }
  return text;
}

/// One row per number, semicolon-separated with a UTF-8 BOM: what Norwegian Excel opens
/// correctly with a double-click.
std::string statistics_csv(const json::object& stats) {
  std::string out =
      "\xEF\xBB\xBF"
      "dimensjon;nøkkel;navn;antall;åpne\r\n";
  auto row = [&](std::string_view dim, const json::value& key, const json::value& name,
                 const json::value& count, const json::value& open) {
    out += std::string(dim) + ";" + csv_field(key) + ";" + csv_field(name) + ";" +
           csv_field(count) + ";" + csv_field(open) + "\r\n";
  };
  for (const char* total : {"total", "open", "closed", "rejected", "overdue_deviations",
                            "overdue_actions", "median_days_to_close"}) {
    row("sum", json::value(total), nullptr, stats.at(total), nullptr);
  }
  for (const auto& s : stats.at("per_step").as_array()) {
    const auto& o = s.as_object();
    row("trinn", o.at("step_id"), o.at("title"), o.at("total"), o.at("open"));
  }
  for (const auto& [key, dim] : {std::pair{"per_unit", "enhet"},
                                 {"per_category", "kategori"},
                                 {"per_severity", "alvorlighetsgrad"},
                                 {"per_status", "status"},
                                 {"per_month", "måned"}}) {
    for (const auto& s : stats.at(key).as_array()) {
      const auto& o = s.as_object();
      row(dim, o.at("key"), o.if_contains("label") ? o.at("label") : json::value(nullptr),
          o.at("count"), nullptr);
    }
  }
  return out;
}

bool wants_csv(const Request& r) {
  if (r.query.find("format=csv") != std::string_view::npos) return true;
  const auto accept = r.header("Accept");
  return accept && accept->find("text/csv") != std::string_view::npos;
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
    if (auto ok = only_members(*body, {"procedure_id", "step_id", "incident_date", "category",
                                       "severity", "title", "description", "reporting_unit",
                                       "case_reference", "personal_data", "participants"});
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
          {"case_reference", &in.case_reference}}) {
      auto text = text_member(*body, field);
      if (!text) return text.error();
      *target = std::move(*text);
    }
    const auto& obj = body->as_object();
    if (const auto* pd = obj.if_contains("personal_data"); pd && !pd->is_null()) {
      if (!pd->is_bool())
        return invalid("personal_data", "«personal_data» må være true eller false.");
      in.personal_data = pd->as_bool();
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
      body["scope"] = "Avvik du har meldt, og avvik enhetene dine har ansvar for eller deltar i.";
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
        if (auto ok = only_members(
                *body, {"transition", "cause", "evaluation", "reason", "resolved_in_version"});
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
}

}  // namespace boligflyt::api

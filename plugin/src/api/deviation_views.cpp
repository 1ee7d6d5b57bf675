// How avvik look over HTTP: the avvik's JSON (with what the viewer may do next), its ETag,
// the list filters and cursors of the query string, and the statistics as JSON and CSV.

#include "api/deviation_views.h"

#include <algorithm>

#include "api/json_body.h"
#include "api/privacy_views.h"
#include "api/problem.h"
#include "api/query.h"
#include "deviation/lifecycle.h"
#include "deviation/record.h"
#include "util/norway_time.h"
#include "util/time.h"

namespace boligflyt::api {

namespace json = boost::json;
using deviation::DeviationService;

namespace {

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
}  // namespace

std::string hex_encode(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : s) {
    out += digits[c >> 4U];
    out += digits[c & 0xFU];
  }
  return out;
}

/// The ETag of an avvik is its revision.
std::string etag(const store::DeviationRecord& r) {
  return "\"" + std::to_string(r.revision) + "\"";
}

namespace {

json::object deviation_fields(const store::DeviationRecord& r, const DeviationService& svc,
                              const procedure::ProcedureCatalog& catalog, const Principal& viewer) {
  const auto& units = catalog.units();
  auto unit_name = [&](const std::string& id) -> json::value {
    const auto* u = units.find(id);
    return u ? json::value(u->name) : json::value(nullptr);
  };
  json::object step{{"id", r.step_id}};
  const procedure::Procedure* version = nullptr;
  if (const auto v = procedure::Version::parse(r.procedure_version)) {
    if (const auto* sv = catalog.find(r.procedure_id, *v)) {
      version = &sv->procedure;
      if (const auto* s = sv->procedure.find_step(r.step_id)) {
        step["title"] = s->title;
        step["handles_personal_data"] = s->handles_personal_data;
      }
    }
  }
  json::array cause_codes;
  for (const auto& code : r.cause_codes) {
    cause_codes.push_back(json::object{
        {"code", code}, {"label", deviation::cause_code_label(svc.cause_codes(), code)}});
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
                      {"category_label", deviation::category_label(version, r.category)},
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
                      {"revision", r.revision},
                      {"cause_codes", std::move(cause_codes)}};
}

}  // namespace

json::object deviation_json(const store::DeviationRecord& r, const DeviationService& svc,
                            const procedure::ProcedureCatalog& catalog, const Principal& viewer) {
  auto out = deviation_fields(r, svc, catalog, viewer);
  add_privacy_members(out, r, svc, viewer);
  const auto rel = DeviationService::relation_of(r, viewer);
  // Who reported it is shown to those lifecycle.h names; to a leader who only takes part it
  // is hidden, in the avvik and in the comments the reporter wrote.
  const bool shows_reporter = deviation::may_see_reporter(rel);
  if (!shows_reporter) {
    out["reporter"] = nullptr;
    for (auto& c : out["comments"].as_array()) {
      auto& comment = c.as_object();
      if (comment["author"] == json::value(r.reporter)) comment["author"] = nullptr;
    }
  }
  out["reporter_name"] = shows_reporter
                             ? json::value(r.reporter_name.empty() ? r.reporter : r.reporter_name)
                             : json::value(nullptr);
  out["reported_by_me"] = rel.reporter;
  return out;
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
  // A procedure's own category is named by the newest version that declares it.
  auto category_name = [&](const std::string& code) -> json::value {
    for (const auto& id : catalog->procedure_ids()) {
      const auto versions = catalog->versions(id);
      for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if ((*it)->procedure.find_deviation_category(code) != nullptr) {
          return json::value(deviation::category_label(&(*it)->procedure, code));
        }
      }
    }
    return json::value(deviation::category_label(nullptr, code));
  };
  auto status_label = [](const std::string& code) -> json::value {
    if (auto st = deviation::parse_status(code)) return json::value(deviation::status_label(*st));
    return json::value(nullptr);
  };
  json::array unit_pairs;
  for (const auto& row : s.per_unit_pair) {
    unit_pairs.push_back(json::object{{"reporting_unit", row.reporting_unit},
                                      {"reporting_unit_name", unit_label(row.reporting_unit)},
                                      {"responsible_unit", row.responsible_unit},
                                      {"responsible_unit_name", unit_label(row.responsible_unit)},
                                      {"count", row.count}});
  }
  return json::object{{"generated_at", util::iso_utc(svc.now_epoch())},
                      {"total", s.total},
                      {"open", s.open},
                      {"closed", s.closed},
                      {"rejected", s.rejected},
                      {"per_step", std::move(steps)},
                      {"per_unit", counts(s.per_unit, unit_label)},
                      {"per_category", counts(s.per_category, category_name)},
                      {"per_severity", counts(s.per_severity, code_label(deviation::severities()))},
                      {"per_status", counts(s.per_status, status_label)},
                      {"per_month", counts(s.per_month, nullptr)},
                      {"median_days_to_close",
                       s.median_closure_seconds
                           ? json::value(static_cast<double>(*s.median_closure_seconds) / 86400.0)
                           : json::value(nullptr)},
                      {"overdue_deviations", s.overdue_deviations},
                      {"overdue_actions", s.overdue_actions},
                      {"privacy", privacy_statistics_json(s)},
                      {"today", today},
                      {"per_cause_code", counts(s.per_cause_code,
                                                [&svc](const std::string& code) -> json::value {
                                                  return json::value(deviation::cause_code_label(
                                                      svc.cause_codes(), code));
                                                })},
                      {"per_unit_pair", std::move(unit_pairs)}};
}

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
  for (const char* key :
       {"total", "assessed_in_time", "assessed_late", "open_overdue", "open_pending"}) {
    row("personvernavvik", json::value(key), nullptr, stats.at("privacy").at(key), nullptr);
  }
  for (const auto& s : stats.at("per_step").as_array()) {
    const auto& o = s.as_object();
    row("trinn", o.at("step_id"), o.at("title"), o.at("total"), o.at("open"));
  }
  // The key names both units ("meldende>ansvarlig"): where units fail each other.
  for (const auto& p : stats.at("per_unit_pair").as_array()) {
    const auto& o = p.as_object();
    row("meldt_av_enhet_til_ansvarlig_enhet",
        json::value(std::string(o.at("reporting_unit").as_string()) + ">" +
                    std::string(o.at("responsible_unit").as_string())),
        nullptr, o.at("count"), nullptr);
  }
  for (const auto& [key, dim] : {std::pair{"per_unit", "enhet"},
                                 {"per_category", "kategori"},
                                 {"per_severity", "alvorlighetsgrad"},
                                 {"per_status", "status"},
                                 {"per_month", "måned"},
                                 {"per_cause_code", "årsakskode"}}) {
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

}  // namespace boligflyt::api

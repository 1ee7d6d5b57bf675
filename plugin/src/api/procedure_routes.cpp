#include "api/procedure_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "api/json_body.h"
#include "api/query.h"
#include "procedure/diff.h"
#include "procedure/iso_duration.h"
#include "render/diff_view.h"
#include "util/norway_time.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;
using procedure::StoredVersion;

Error not_found(const std::string& what) {
  return make_error(ErrorKind::kNotFound, "not-found", "Finnes ikke", what, "path");
}

// Accept negotiation kept deliberately simple: the first listed type we can serve wins.
bool accepts(const Request& r, std::string_view type) {
  const auto accept = r.header("Accept");
  return accept && accept->find(type) != std::string_view::npos;
}

json::object version_summary(const StoredVersion& v) {
  const auto& p = v.procedure;
  json::object o{{"version", p.version.str()},
                 {"status", v.status()},
                 {"title", p.title},
                 {"effective_from", p.effective_from},
                 {"author", p.author},
                 {"approver", p.approver},
                 {"approval_date", p.approval_date},
                 {"review_interval", p.review_interval},
                 {"step_count", p.steps.size()},
                 {"sha256", v.sha256},
                 {"revision", v.record.revision}};
  if (!v.record.consultation_deadline.empty())
    o["consultation_deadline"] = v.record.consultation_deadline;
  if (!v.record.published_at.empty()) o["published_at"] = v.record.published_at;
  return o;
}

json::object deadline_json(const procedure::Deadline& d) {
  json::object o{{"duration", d.duration},
                 {"relative_to", d.relative_to},
                 {"relation", d.relation},
                 {"kind", d.kind}};
  if (!d.step.empty()) o["step"] = d.step;
  if (auto parsed = procedure::parse_iso_duration(d.duration)) o["in_words"] = parsed->in_words();
  if (!d.text.empty()) o["text"] = d.text;
  return o;
}

json::object procedure_json(const StoredVersion& v, const procedure::UnitRegistry& units) {
  const auto& p = v.procedure;
  auto out = version_summary(v);
  out["id"] = p.id;
  out["purpose"] = p.purpose;
  out["approver_body"] = p.approver_body;
  out["start_step"] = p.start_step;
  json::array legal;
  for (const auto& s : p.legal_basis) {
    json::object o{
        {"id", s.id}, {"kind", s.kind}, {"short_title", s.short_title}, {"title", s.title}};
    if (!s.href.empty()) o["href"] = s.href;
    legal.push_back(std::move(o));
  }
  out["legal_basis"] = std::move(legal);
  json::array phases;
  for (const auto& ph : p.phases) {
    json::array steps;
    for (const auto& id : ph.step_ids) {
      const auto* s = p.find_step(id);
      if (!s) continue;
      json::object step{{"id", s->id},
                        {"type", s->kind},
                        {"title", s->title},
                        {"description", s->description},
                        {"responsible_unit", s->responsible.unit}};
      if (const auto* u = units.find(s->responsible.unit)) step["responsible_unit_name"] = u->name;
      json::array participants;
      for (const auto& pu : s->participants) participants.emplace_back(pu.unit);
      step["participating_units"] = std::move(participants);
      json::array deadlines;
      for (const auto& d : s->deadlines) deadlines.push_back(deadline_json(d));
      step["deadlines"] = std::move(deadlines);
      if (!s->recurrence.empty()) {
        json::object rec{{"interval", s->recurrence}};
        if (auto r = procedure::parse_iso_recurrence(s->recurrence))
          rec["in_words"] = r->in_words();
        step["recurrence"] = std::move(rec);
      }
      json::array inputs, outputs;
      for (const auto& d : s->inputs) inputs.emplace_back(d);
      for (const auto& d : s->outputs) outputs.emplace_back(d);
      step["inputs"] = std::move(inputs);
      step["outputs"] = std::move(outputs);
      json::array next;
      for (const auto& n : s->next) {
        json::object o{{"step", n.step}};
        if (!n.condition.empty()) o["condition"] = n.condition;
        next.push_back(std::move(o));
      }
      step["next"] = std::move(next);
      step["end"] = s->is_end;
      step["handles_personal_data"] = s->handles_personal_data;
      steps.push_back(std::move(step));
    }
    phases.push_back(json::object{{"id", ph.id}, {"title", ph.title}, {"steps", std::move(steps)}});
  }
  out["phases"] = std::move(phases);
  json::array categories;
  for (const auto& c : p.deviation_categories) {
    json::array steps;
    for (const auto& id : c.steps) steps.emplace_back(id);
    categories.push_back(json::object{{"code", c.id},
                                      {"label", c.label},
                                      {"description", c.description},
                                      {"steps", std::move(steps)}});
  }
  out["deviation_categories"] = std::move(categories);
  return out;
}

Response with_etag(Response r, const StoredVersion& v) {
  r.headers.emplace_back("ETag", v.etag());
  r.headers.emplace_back("Cache-Control", "private, max-age=0, must-revalidate");
  return r;
}

json::array diagnostics_json(const procedure::Diagnostics& diagnostics) {
  json::array out;
  for (const auto& d : diagnostics) {
    out.push_back(json::object{
        {"line", d.line}, {"column", d.column}, {"code", d.code}, {"message", d.message}});
  }
  return out;
}

json::object answer_json(const store::ConsultationAnswer& a) {
  return json::object{{"unit_id", a.unit_id},
                      {"answer", a.answer.empty() ? json::value(nullptr) : json::value(a.answer)},
                      {"comment", a.comment},
                      {"answered_by", a.answered_by},
                      {"answered_at", a.answered_at}};
}

json::object consultation_json(const procedure::ConsultationStatus& status) {
  auto out = version_summary(*status.version);
  json::array answers;
  std::size_t agreed = 0, disagreed = 0, pending = 0;
  for (const auto& a : status.answers) {
    answers.push_back(answer_json(a));
    if (a.answer == "agree") ++agreed;
    else if (a.answer == "disagree") ++disagreed;
    else ++pending;
  }
  out["answers"] = std::move(answers);
  out["summary"] = json::object{{"agree", agreed}, {"disagree", disagreed}, {"pending", pending}};
  return out;
}

// If-Match carries the ETag we issued ("<revision>-<sha256>"); absent means "whatever is
// current", which is fine for a single user and refused by nothing.
Result<std::optional<std::int64_t>> parse_revision(const Request& r) {
  const auto header = r.header("If-Match");
  if (!header) return std::optional<std::int64_t>{};
  std::string_view v = *header;
  if (v.size() > 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
    const auto dash = v.find('-');
    const auto digits = v.substr(0, dash);
    if (!digits.empty() && digits.size() < 12 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::optional<std::int64_t>{std::stoll(std::string(digits))};
    }
  }
  return make_error(ErrorKind::kPreconditionFailed, "precondition-failed", "Utdatert versjon",
                    "If-Match må være en ETag som tjenesten har gitt.", "If-Match");
}

Result<std::string> string_member(const json::value& body, const char* key, bool required) {
  auto invalid = [&](std::string detail) { return boligflyt::invalid(key, std::move(detail)); };
  if (!body.is_object()) return invalid("Innholdet må være et JSON-objekt.");
  const auto* v = body.as_object().if_contains(key);
  if (!v || v->is_null()) {
    if (required) return invalid("Feltet «" + std::string(key) + "» mangler.");
    return std::string();
  }
  if (!v->is_string()) return invalid("Feltet «" + std::string(key) + "» må være tekst.");
  if (v->as_string().size() > 4000)
    return invalid("Feltet «" + std::string(key) + "» er for langt.");
  return std::string(v->as_string());
}
}  // namespace

void register_procedure_routes(Router& router, procedure::ProcedureService& service) {
  procedure::ProcedureService* svc = &service;

  router.add("GET", "/api/v1/procedures", [svc](const Request&) -> Result<Response> {
    const auto c = svc->snapshot();
    json::array items;
    const auto today = util::norway_today();
    for (const auto& id : c->procedure_ids()) {
      const auto versions = c->versions(id);
      json::object item{{"id", id},
                        {"title", versions.back()->procedure.title},
                        {"version_count", versions.size()}};
      if (const auto* in_force = c->in_force(id, today)) {
        item["in_force"] = version_summary(*in_force);
      }
      items.push_back(std::move(item));
    }
    return json_response(200, json::object{{"items", std::move(items)}});
  });

  router.add(
      "GET", "/api/v1/procedures/{id}/versions", [svc](const Request& r) -> Result<Response> {
        const auto c = svc->snapshot();
        const auto& id = r.path_params.at("id");
        const auto versions = c->versions(id);
        if (versions.empty()) return not_found("Prosedyren «" + id + "» finnes ikke.");
        json::array items;
        for (const auto* v : versions) items.push_back(version_summary(*v));
        return json_response(200, json::object{{"procedure_id", id}, {"items", std::move(items)}});
      });

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}",
             [svc](const Request& r) -> Result<Response> {
               const auto c = svc->snapshot();
               auto v = svc->find(r.path_params.at("id"), r.path_params.at("version"));
               if (!v) return v.error();
               if (accepts(r, "application/xml")) {
                 Response xml;
                 xml.content_type = "application/xml; charset=utf-8";
                 xml.body = (*v)->xml;
                 return with_etag(std::move(xml), **v);
               }
               return with_etag(json_response(200, procedure_json(**v, c->units())), **v);
             });

  router.add(
      "GET", "/api/v1/procedures/{id}/in-force", [svc](const Request& r) -> Result<Response> {
        const auto c = svc->snapshot();
        const auto& id = r.path_params.at("id");
        if (c->versions(id).empty()) return not_found("Prosedyren «" + id + "» finnes ikke.");
        auto query = parse_query(r.query);
        if (!query) return query.error();
        std::string date = util::norway_today();
        if (auto it = query->find("date"); it != query->end()) date = it->second;
        if (!procedure::is_iso_date(date)) {
          return make_error(ErrorKind::kBadRequest, "invalid-date", "Ugyldig dato",
                            "Datoen må skrives som ÅÅÅÅ-MM-DD, for eksempel 2025-03-01.", "date");
        }
        const auto* v = c->in_force(id, date);
        if (!v) return not_found("Ingen versjon av «" + id + "» gjaldt " + date + ".");
        auto body = version_summary(*v);
        body["date"] = date;
        return json_response(200, body);
      });

  router.add("GET", "/api/v1/procedures/{id}/diff/{from}/{to}",
             [svc](const Request& r) -> Result<Response> {
               const auto c = svc->snapshot();
               auto from = svc->find(r.path_params.at("id"), r.path_params.at("from"), "from");
               if (!from) return from.error();
               auto to = svc->find(r.path_params.at("id"), r.path_params.at("to"), "to");
               if (!to) return to.error();
               const auto diff =
                   procedure::diff_procedures((*from)->procedure, (*to)->procedure, &c->units());
               if (accepts(r, "text/html")) {
                 Response html;
                 html.content_type = "text/html; charset=utf-8";
                 html.body =
                     render::render_diff_html((*from)->procedure, (*to)->procedure, c->units());
                 return html;
               }
               if (accepts(r, "text/plain")) {
                 Response text;
                 text.content_type = "text/plain; charset=utf-8";
                 text.body = procedure::diff_as_text(diff);
                 return text;
               }
               json::array changes;
               for (const auto& ch : diff.changes) {
                 changes.push_back(json::object{{"kind", procedure::change_kind_name(ch.kind)},
                                                {"step", ch.step_id},
                                                {"before", ch.before},
                                                {"after", ch.after},
                                                {"text", ch.text}});
               }
               json::array meta;
               for (const auto& m : diff.metadata_changes) meta.emplace_back(m);
               return json_response(200, json::object{{"procedure_id", diff.procedure_id},
                                                      {"from", diff.from_version},
                                                      {"to", diff.to_version},
                                                      {"changes", std::move(changes)},
                                                      {"metadata_changes", std::move(meta)},
                                                      {"text", procedure::diff_as_text(diff)}});
             });

  // --- Lifecycle -------------------------------------------------------------------------

  router.add(
      "POST", "/api/v1/procedures/{id}/versions", [svc](const Request& r) -> Result<Response> {
        const auto content_type = r.header("Content-Type").value_or("");
        const auto media = content_type.substr(0, content_type.find(';'));
        if (!iequals(media, "application/xml") && !iequals(media, "text/xml")) {
          return make_error(
              ErrorKind::kUnsupportedMedia, "unsupported-media-type", "Feil innholdstype",
              "Et utkast lastes opp som XML (Content-Type application/xml).", "Content-Type");
        }
        procedure::Diagnostics diagnostics;
        auto v = svc->upload_draft(r.path_params.at("id"), r.body, *r.principal, diagnostics);
        if (!v) {
          auto error = v.error();
          if (!diagnostics.empty())
            error.extra_members_json =
                json::serialize(json::object{{"errors", diagnostics_json(diagnostics)}});
          return error;
        }
        auto response = with_etag(json_response(201, version_summary(**v)), **v);
        response.headers.emplace_back("Location", "/api/v1/procedures/" + (*v)->procedure.id +
                                                      "/versions/" + (*v)->procedure.version.str());
        return response;
      });

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}/consultation",
             [svc](const Request& r) -> Result<Response> {
               auto status = svc->consultation(r.path_params.at("id"), r.path_params.at("version"));
               if (!status) return status.error();
               return with_etag(json_response(200, consultation_json(*status)), *status->version);
             });

  router.add("POST", "/api/v1/procedures/{id}/versions/{version}/consultation",
             [svc](const Request& r) -> Result<Response> {
               auto revision = parse_revision(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               auto deadline = string_member(*body, "deadline", true);
               if (!deadline) return deadline.error();
               auto status =
                   svc->start_consultation(r.path_params.at("id"), r.path_params.at("version"),
                                           *deadline, *r.principal, *revision);
               if (!status) return status.error();
               return with_etag(json_response(200, consultation_json(*status)), *status->version);
             });

  router.add("PUT", "/api/v1/procedures/{id}/versions/{version}/consultation/answers/{unit}",
             [svc](const Request& r) -> Result<Response> {
               auto body = parse_json_body(r);
               if (!body) return body.error();
               auto answer = string_member(*body, "answer", true);
               if (!answer) return answer.error();
               auto comment = string_member(*body, "comment", false);
               if (!comment) return comment.error();
               auto saved = svc->answer_consultation(
                   r.path_params.at("id"), r.path_params.at("version"), r.path_params.at("unit"),
                   *answer, *comment, *r.principal);
               if (!saved) return saved.error();
               return json_response(200, answer_json(*saved));
             });

  router.add("POST", "/api/v1/procedures/{id}/versions/{version}/approval",
             [svc](const Request& r) -> Result<Response> {
               auto revision = parse_revision(r);
               if (!revision) return revision.error();
               std::string reason;
               if (!r.body.empty()) {
                 auto body = parse_json_body(r);
                 if (!body) return body.error();
                 auto text = string_member(*body, "override_reason", false);
                 if (!text) return text.error();
                 reason = *text;
               }
               auto status = svc->approve(r.path_params.at("id"), r.path_params.at("version"),
                                          reason, *r.principal, *revision);
               if (!status) return status.error();
               return with_etag(json_response(200, consultation_json(*status)), *status->version);
             });

  router.add("POST", "/api/v1/procedures/{id}/versions/{version}/publication",
             [svc](const Request& r) -> Result<Response> {
               auto revision = parse_revision(r);
               if (!revision) return revision.error();
               auto body = parse_json_body(r);
               if (!body) return body.error();
               auto effective = string_member(*body, "effective_from", true);
               if (!effective) return effective.error();
               auto outcome = svc->publish(r.path_params.at("id"), r.path_params.at("version"),
                                           *effective, *r.principal, *revision);
               if (!outcome) return outcome.error();
               auto summary = version_summary(*outcome->version);
               json::array superseded, warnings;
               for (const auto& v : outcome->superseded) superseded.emplace_back(v);
               for (const auto& w : outcome->warnings) warnings.emplace_back(w);
               summary["superseded"] = std::move(superseded);
               summary["warnings"] = std::move(warnings);
               return with_etag(json_response(200, summary), *outcome->version);
             });

  router.add(
      "GET", "/api/v1/procedures/{id}/versions/{version}/read-confirmations",
      [svc](const Request& r) -> Result<Response> {
        auto status = svc->read_status(r.path_params.at("id"), r.path_params.at("version"));
        if (!status) return status.error();
        json::array confirmed, missing, units;
        for (const auto& c : status->confirmed) {
          confirmed.push_back(json::object{
              {"user_id", c.user_id}, {"unit_id", c.unit_id}, {"confirmed_at", c.confirmed_at}});
        }
        for (const auto& u : status->missing_users) missing.emplace_back(u);
        for (const auto& u : status->affected_units) units.emplace_back(u);
        return json_response(200, json::object{{"confirmed", std::move(confirmed)},
                                               {"missing", std::move(missing)},
                                               {"affected_units", std::move(units)}});
      });

  router.add("POST", "/api/v1/procedures/{id}/versions/{version}/read-confirmations",
             [svc](const Request& r) -> Result<Response> {
               auto saved = svc->confirm_read(r.path_params.at("id"), r.path_params.at("version"),
                                              *r.principal);
               if (!saved) return saved.error();
               return json_response(200, json::object{{"user_id", saved->user_id},
                                                      {"unit_id", saved->unit_id},
                                                      {"confirmed_at", saved->confirmed_at}});
             });

  router.add("GET", "/api/v1/procedure-reviews", [svc](const Request& r) -> Result<Response> {
    auto query = parse_query(r.query);
    if (!query) return query.error();
    std::string today = util::norway_today();
    if (auto it = query->find("date"); it != query->end()) today = it->second;
    if (!procedure::is_iso_date(today)) {
      return make_error(ErrorKind::kBadRequest, "invalid-date", "Ugyldig dato",
                        "Datoen må skrives som ÅÅÅÅ-MM-DD.", "date");
    }
    const bool only_overdue = query->count("overdue") && (*query)["overdue"] == "true";
    json::array items;
    for (const auto& review : svc->reviews(today)) {
      if (only_overdue && !review.overdue) continue;
      items.push_back(json::object{{"procedure_id", review.procedure_id},
                                   {"version", review.version},
                                   {"effective_from", review.effective_from},
                                   {"review_interval", review.review_interval},
                                   {"review_due", review.review_due},
                                   {"overdue", review.overdue}});
    }
    return json_response(200, json::object{{"date", today}, {"items", std::move(items)}});
  });
}

}  // namespace boligflyt::api

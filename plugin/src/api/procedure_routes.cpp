#include "api/procedure_routes.h"

#include <boost/json.hpp>

#include <ctime>

#include "api/json_body.h"
#include "api/query.h"
#include "procedure/diff.h"
#include "procedure/iso_duration.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;
using procedure::ProcedureCatalog;
using procedure::StoredVersion;
using procedure::Version;

Error not_found(const std::string& what) {
  return make_error(ErrorKind::kNotFound, "not-found", "Finnes ikke", what, "path");
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool valid_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  const int month = std::stoi(d.substr(5, 2));
  const int day = std::stoi(d.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Accept negotiation kept deliberately simple: the first listed type we can serve wins.
bool accepts(const Request& r, std::string_view type) {
  const auto accept = r.header("Accept");
  return accept && accept->find(type) != std::string_view::npos;
}

json::object version_summary(const StoredVersion& v) {
  const auto& p = v.procedure;
  json::object o{{"version", p.version.str()},
                 {"status", p.status},
                 {"title", p.title},
                 {"effective_from", p.effective_from},
                 {"author", p.author},
                 {"approver", p.approver},
                 {"approval_date", p.approval_date},
                 {"review_interval", p.review_interval},
                 {"step_count", p.steps.size()},
                 {"sha256", v.sha256}};
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
    json::object o{{"id", s.id}, {"kind", s.kind}, {"short_title", s.short_title}, {"title", s.title}};
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
        if (auto r = procedure::parse_iso_recurrence(s->recurrence)) rec["in_words"] = r->in_words();
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
      steps.push_back(std::move(step));
    }
    phases.push_back(json::object{{"id", ph.id}, {"title", ph.title}, {"steps", std::move(steps)}});
  }
  out["phases"] = std::move(phases);
  return out;
}

Result<const StoredVersion*> find_version(const ProcedureCatalog& catalog, const Request& r,
                                          const std::string& param) {
  const auto& id = r.path_params.at("id");
  if (catalog.versions(id).empty()) return not_found("Prosedyren «" + id + "» finnes ikke.");
  const auto& text = r.path_params.at(param);
  auto version = Version::parse(text);
  if (!version) {
    return make_error(ErrorKind::kInvalid, "invalid-version", "Ugyldig versjonsnummer",
                      "«" + text + "» er ikke et versjonsnummer på formen 3.0.", param);
  }
  const auto* v = catalog.find(id, *version);
  if (!v) return not_found("Prosedyren «" + id + "» har ingen versjon " + text + ".");
  return v;
}

Response with_etag(Response r, const std::string& sha256) {
  r.headers.emplace_back("ETag", "\"" + sha256 + "\"");
  r.headers.emplace_back("Cache-Control", "private, max-age=0, must-revalidate");
  return r;
}

}  // namespace

void register_procedure_routes(Router& router, const ProcedureCatalog& catalog) {
  const ProcedureCatalog* c = &catalog;

  router.add("GET", "/api/v1/procedures", [c](const Request&) -> Result<Response> {
    json::array items;
    const auto today = today_utc();
    for (const auto& id : c->procedure_ids()) {
      const auto versions = c->versions(id);
      json::object item{{"id", id}, {"title", versions.back()->procedure.title},
                        {"version_count", versions.size()}};
      if (const auto* in_force = c->in_force(id, today)) {
        item["in_force"] = version_summary(*in_force);
      }
      items.push_back(std::move(item));
    }
    return json_response(200, json::object{{"items", std::move(items)}});
  });

  router.add("GET", "/api/v1/procedures/{id}/versions", [c](const Request& r) -> Result<Response> {
    const auto& id = r.path_params.at("id");
    const auto versions = c->versions(id);
    if (versions.empty()) return not_found("Prosedyren «" + id + "» finnes ikke.");
    json::array items;
    for (const auto* v : versions) items.push_back(version_summary(*v));
    return json_response(200, json::object{{"procedure_id", id}, {"items", std::move(items)}});
  });

  router.add("GET", "/api/v1/procedures/{id}/versions/{version}",
             [c](const Request& r) -> Result<Response> {
               auto v = find_version(*c, r, "version");
               if (!v) return v.error();
               if (accepts(r, "application/xml")) {
                 Response xml;
                 xml.content_type = "application/xml; charset=utf-8";
                 xml.body = (*v)->xml;
                 return with_etag(std::move(xml), (*v)->sha256);
               }
               return with_etag(json_response(200, procedure_json(**v, c->units())), (*v)->sha256);
             });

  router.add("GET", "/api/v1/procedures/{id}/in-force", [c](const Request& r) -> Result<Response> {
    const auto& id = r.path_params.at("id");
    if (c->versions(id).empty()) return not_found("Prosedyren «" + id + "» finnes ikke.");
    auto query = parse_query(r.query);
    if (!query) return query.error();
    std::string date = today_utc();
    if (auto it = query->find("date"); it != query->end()) date = it->second;
    if (!valid_date(date)) {
      return make_error(ErrorKind::kInvalid, "invalid-date", "Ugyldig dato",
                        "Datoen må skrives som ÅÅÅÅ-MM-DD, for eksempel 2025-03-01.", "date");
    }
    const auto* v = c->in_force(id, date);
    if (!v) return not_found("Ingen versjon av «" + id + "» gjaldt " + date + ".");
    auto body = version_summary(*v);
    body["date"] = date;
    return json_response(200, body);
  });

  router.add("GET", "/api/v1/procedures/{id}/diff/{from}/{to}",
             [c](const Request& r) -> Result<Response> {
               auto from = find_version(*c, r, "from");
               if (!from) return from.error();
               auto to = find_version(*c, r, "to");
               if (!to) return to.error();
               const auto diff =
                   procedure::diff_procedures((*from)->procedure, (*to)->procedure, &c->units());
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
}

}  // namespace boligflyt::api

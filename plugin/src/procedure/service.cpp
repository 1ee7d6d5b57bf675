#include "procedure/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "outbox/messages.h"
#include "procedure/diff.h"
#include "procedure/iso_duration.h"
#include "procedure/service_errors.h"
#include "util/norway_time.h"
#include "util/sha256.h"

namespace boligflyt::procedure {
namespace {

using detail::forbidden;
using detail::wrong_status;

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> units_touched(const Procedure* base, const Procedure& version) {
  std::set<std::string> units;
  auto add_step_units = [&](const Step* s) {
    if (!s) return;
    units.insert(s->responsible.unit);
    for (const auto& p : s->participants) units.insert(p.unit);
    // Format 1.2: a unit that receives a handover or an escalation is concerned as well.
    // (External parties are not units and get no høring.)
    for (const auto& h : s->handovers) {
      if (version.find_party(h.to) == nullptr) units.insert(h.to);
    }
    for (const auto& e : s->escalations) units.insert(e.to);
  };
  if (!base) {
    for (const auto& s : version.steps) add_step_units(&s);
  } else {
    for (const auto& c : diff_procedures(*base, version).changes) {
      add_step_units(base->find_step(c.step_id));
      add_step_units(version.find_step(c.step_id));
    }
  }
  return {units.begin(), units.end()};
}

}  // namespace

bool is_iso_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{std::stoi(d.substr(0, 4))},
                           month{static_cast<unsigned>(std::stoi(d.substr(5, 2)))},
                           day{static_cast<unsigned>(std::stoi(d.substr(8, 2)))}};
  return ymd.ok();
}

std::optional<std::string> add_duration(const std::string& date, const IsoDuration& d) {
  if (!is_iso_date(date)) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{std::stoi(date.substr(0, 4))},
                     month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                     day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  ymd += years{d.years};
  ymd += months{d.months};
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;  // clamp 31 Jan + 1 month
  sys_days days_since = sys_days{ymd} + std::chrono::days{d.weeks * 7 + d.days};
  const year_month_day out{days_since};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(out.year()),
                static_cast<unsigned>(out.month()), static_cast<unsigned>(out.day()));
  return std::string(buf);
}

ProcedureService::ProcedureService(store::Store& store, ports::HostServices& host,
                                   const Logger& logger, const std::string& procedures_dir,
                                   const std::string& schema_file,
                                   ProcedureCollaborators collaborators)
    : store_(store), host_(host), logger_(logger), collaborators_(collaborators) {
  loader_ = std::make_unique<ProcedureLoader>(schema_file);
  if (!procedures_dir.empty()) {
    auto units = loader_->load_units_file((fs::path(procedures_dir) / "units.xml").string());
    for (const auto& d : units.diagnostics) {
      logger_.warn("procedure_problem", {{"diagnostic", format_diagnostic(d)}});
    }
    startup_problems_ += units.diagnostics.size();
    if (units.registry && units.diagnostics.empty()) units_ = *units.registry;

    // Shipped versions are imported once; afterwards the store is the source of truth and
    // a shipped file that differs from its stored, published bytes is reported, not applied.
    auto existing = store_.list_procedure_versions();
    if (!existing) throw std::runtime_error("store: " + existing.error().log_message);
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(procedures_dir, ec)) {
      if (!dir.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
        if (f.is_regular_file() && f.path().extension() == ".xml") files.push_back(f.path());
      }
    }
    std::sort(files.begin(), files.end());
    struct Shipped {
      std::string name;
      std::string xml;
      LoadedProcedure loaded;
    };
    std::vector<Shipped> shipped;
    // A shipped published version that a later shipped published version follows is stored
    // as superseded, as publishing it through the revision flow would have left it; its
    // file stays byte for byte as it was published.
    std::map<std::string, std::string> latest_published;  // procedure id -> effective_from
    for (const auto& path : files) {
      const auto name = path.parent_path().filename().string() + "/" + path.filename().string();
      auto xml = read_file(path);
      auto loaded = loader_->load_procedure(xml, name, &units_);
      if (!loaded.ok()) {
        for (const auto& d : loaded.diagnostics) {
          logger_.warn("procedure_problem", {{"diagnostic", format_diagnostic(d)}});
        }
        startup_problems_ += loaded.diagnostics.size();
        continue;
      }
      if (loaded.procedure->status == "published") {
        auto& latest = latest_published[loaded.procedure->id];
        latest = std::max(latest, loaded.procedure->effective_from);
      }
      shipped.push_back({name, std::move(xml), std::move(loaded)});
    }
    for (const auto& [name, xml, loaded] : shipped) {
      const auto& p = *loaded.procedure;
      const auto sha = util::sha256_hex(xml);
      parsed_by_sha_.emplace(sha, p);  // rebuild() reuses it instead of parsing again
      const auto same = std::find_if(existing->begin(), existing->end(), [&](const auto& r) {
        return r.procedure_id == p.id && r.version == p.version.str();
      });
      if (same != existing->end()) {
        if (same->sha256 != sha) {
          logger_.warn("shipped_procedure_differs",
                       {{"file", name}, {"stored_sha256", same->sha256}, {"file_sha256", sha}});
        }
        continue;
      }
      store::ProcedureVersionRecord record;
      record.procedure_id = p.id;
      record.version = p.version.str();
      record.status = p.status;
      if (p.status == "published" && p.effective_from < latest_published[p.id]) {
        record.status = "superseded";
      }
      record.xml = xml;
      record.sha256 = sha;
      record.author = p.author;
      record.approver = p.approver;
      record.approved_at = p.approval_date;
      record.effective_from = p.effective_from;
      record.source = "shipped:" + name;
      if (auto inserted = store_.insert_procedure_version(record); !inserted) {
        throw std::runtime_error("store: " + inserted.error().log_message +
                                 inserted.error().detail);
      }
      logger_.info("procedure_imported", {{"procedure", p.id}, {"version", record.version}});
    }
  }
  rebuild();
}

std::shared_ptr<const ProcedureCatalog> ProcedureService::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void ProcedureService::rebuild() {
  auto catalog = std::make_shared<ProcedureCatalog>();
  catalog->set_units(units_);
  std::size_t problems = startup_problems_;
  // Versions are immutable per content hash, so only records whose bytes are new (a fresh
  // upload, a publication) are parsed and validated; the rest come from the last snapshot.
  std::map<std::string, const Procedure*> known;
  for (const auto& [sha, p] : parsed_by_sha_) known.emplace(sha, &p);
  const auto previous = snapshot();
  if (previous) {
    for (const auto& id : previous->procedure_ids()) {
      for (const auto* v : previous->versions(id)) known.emplace(v->sha256, &v->procedure);
    }
  }
  auto records = store_.list_procedure_versions();
  if (records) {
    for (auto& record : *records) {
      auto v = std::make_unique<StoredVersion>();
      if (const auto it = known.find(record.sha256); it != known.end()) {
        v->procedure = *it->second;
      } else {
        auto loaded = loader_->load_procedure(record.xml,
                                              record.procedure_id + "-" + record.version, nullptr);
        if (!loaded.procedure) {
          ++problems;
          continue;
        }
        v->procedure = std::move(*loaded.procedure);
      }
      v->xml = record.xml;
      v->sha256 = record.sha256;
      v->source = record.source;
      v->record = std::move(record);
      v->record.xml.clear();  // kept once, in v->xml
      catalog->add(std::move(v));
    }
  } else {
    logger_.error("procedure_rebuild_failed", {{"cause", records.error().log_message}});
    ++problems;
  }
  catalog->set_problem_count(problems);
  parsed_by_sha_.clear();
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(catalog);
}

Result<std::shared_ptr<const StoredVersion>> ProcedureService::find(
    const std::string& procedure_id, const std::string& version, const std::string& field) const {
  auto catalog = snapshot();
  if (catalog->versions(procedure_id).empty()) {
    return not_found("Prosedyren «" + procedure_id + "» finnes ikke.", "path");
  }
  auto parsed = Version::parse(version);
  if (!parsed) {
    return domain_error(ErrorKind::kInvalid, "invalid-version",
                        "«" + version + "» er ikke et versjonsnummer på formen 3.0.", field);
  }
  const auto* v = catalog->find(procedure_id, *parsed);
  if (!v)
    return not_found("Prosedyren «" + procedure_id + "» har ingen versjon " + version + ".",
                     "path");
  return std::shared_ptr<const StoredVersion>(catalog, v);
}

std::vector<std::string> ProcedureService::affected_units(const ProcedureCatalog& catalog,
                                                          const StoredVersion& version) const {
  // A draft is written against the version it says it supersedes; with a published version
  // that is not yet in force (4.0 from 2027), "what changes" is relative to that one, not to
  // today's.
  const StoredVersion* base = nullptr;
  if (version.procedure.supersedes) {
    base = catalog.find(version.procedure.id, *version.procedure.supersedes);
  }
  if (base == nullptr) base = catalog.in_force(version.procedure.id, util::norway_today());
  return units_touched(base && base != &version ? &base->procedure : nullptr, version.procedure);
}

void ProcedureService::notify_units(const std::vector<std::string>& units,
                                    const std::string& subject, const std::string& body,
                                    const std::string& key, const std::string& link) {
  // Through the durable outbox: a host that cannot take a notification now gets it later.
  std::vector<store::OutboxMessage> messages;
  messages.reserve(units.size());
  for (const auto& unit : units) {
    messages.push_back(
        outbox::notification_to_unit_leaders(unit, subject, body, link, key + ":" + unit));
  }
  if (messages.empty()) return;
  if (auto queued = store_.enqueue_outbox(messages); !queued) {
    logger_.error("notify_enqueue_failed", {{"key", key}, {"cause", queued.error().log_message}});
    return;
  }
  if (collaborators_.outbox != nullptr) collaborators_.outbox->wake();
}

Result<std::shared_ptr<const StoredVersion>> ProcedureService::upload_draft(
    const std::string& procedure_id, std::string_view xml, const Actor& actor,
    Diagnostics& diagnostics) {
  if (!actor.has_role(kRoleProcedureOwner)) {
    return forbidden("Bare prosedyreeiere kan laste opp utkast.");
  }
  auto loaded = loader_->load_procedure(xml, "utkast.xml", &units_);
  diagnostics = loaded.diagnostics;
  if (!loaded.ok()) {
    return invalid("body", "Utkastet har " + std::to_string(diagnostics.size()) +
                               " feil. Se «errors» for linje og kolonne.");
  }
  const auto& p = *loaded.procedure;
  if (p.id != procedure_id) {
    return invalid("id", "Filen gjelder prosedyren «" + p.id + "», men adressen gjelder «" +
                             procedure_id + "».");
  }
  if (p.status != "draft") {
    return invalid("status",
                   "Et utkast må ha status=\"draft\"; godkjenning og publisering skjer i "
                   "systemet.");
  }
  if (p.author != actor.user_id) {
    return invalid("author", "Forfatteren i filen («" + p.author + "») må være deg («" +
                                 actor.user_id + "»).");
  }
  std::lock_guard lock(write_mutex_);
  auto catalog = snapshot();
  for (const auto* existing : catalog->versions(procedure_id)) {
    if (!(existing->procedure.version < p.version)) {
      auto e = conflict("version-not-increasing", "Versjon " + p.version.str() +
                                                      " er ikke høyere enn eksisterende versjon " +
                                                      existing->procedure.version.str() + ".");
      e.field = "version";
      return e;
    }
  }
  store::ProcedureVersionRecord record;
  record.procedure_id = p.id;
  record.version = p.version.str();
  record.status = "draft";
  record.xml = std::string(xml);
  record.sha256 = util::sha256_hex(xml);
  record.author = actor.user_id;
  record.source = "api";
  auto inserted = store_.insert_procedure_version(record);
  if (!inserted) return inserted.error();
  logger_.info("procedure_draft_uploaded",
               {{"procedure", p.id}, {"version", record.version}, {"by", actor.user_id}});
  rebuild();
  return find(procedure_id, record.version);
}

Result<ConsultationStatus> ProcedureService::start_consultation(
    const std::string& procedure_id, const std::string& version, const std::string& deadline,
    const Actor& actor, std::optional<std::int64_t> expected_revision) {
  if (!actor.has_role(kRoleProcedureOwner)) {
    return forbidden("Bare prosedyreeiere kan sende et utkast på høring.");
  }
  if (!is_iso_date(deadline) || deadline < util::norway_today()) {
    return invalid("deadline",
                   "Høringsfristen må være en dato (ÅÅÅÅ-MM-DD) fra i dag og fremover.");
  }
  std::lock_guard lock(write_mutex_);
  auto v = find(procedure_id, version);
  if (!v) return v.error();
  if ((*v)->status() != "draft") return wrong_status(**v, "draft");
  auto record = (*v)->record;
  record.xml = (*v)->xml;
  record.status = "consultation";
  record.consultation_deadline = deadline;
  const auto units = affected_units(*snapshot(), **v);
  auto saved = store_.update_procedure_version(record, expected_revision.value_or(record.revision),
                                               units, {}, {});
  if (!saved) return saved.error();
  rebuild();
  notify_units(units, "Høring: " + (*v)->procedure.title + " versjon " + version,
               "Et utkast som endrer trinn der enheten din deltar, er sendt på høring. Svar "
               "«enig» eller «uenig» innen " +
                   deadline + ".",
               "consultation:" + procedure_id + ":" + version,
               "/api/v1/procedures/" + procedure_id + "/versions/" + version);
  return consultation(procedure_id, version);
}

Result<ConsultationStatus> ProcedureService::consultation(const std::string& procedure_id,
                                                          const std::string& version) {
  auto v = find(procedure_id, version);
  if (!v) return v.error();
  auto answers = store_.list_consultation(procedure_id, version);
  if (!answers) return answers.error();
  return ConsultationStatus{*v, std::move(*answers)};
}

Result<store::ConsultationAnswer> ProcedureService::answer_consultation(
    const std::string& procedure_id, const std::string& version, const std::string& unit_id,
    const std::string& answer, const std::string& comment, const Actor& actor) {
  if (!actor.has_role(kRoleUnitLeader) || !actor.in_unit(unit_id)) {
    return forbidden("Bare lederen for enheten «" + unit_id + "» kan svare på høringen for den.");
  }
  if (answer != "agree" && answer != "disagree") {
    return invalid("answer", "Svaret må være «agree» (enig) eller «disagree» (uenig).");
  }
  if (answer == "disagree" && comment.empty()) {
    return invalid("comment",
                   "Skriv hva enheten er uenig i, slik at prosedyreeieren kan rette det.");
  }
  auto v = find(procedure_id, version);
  if (!v) return v.error();
  if ((*v)->status() != "consultation") return wrong_status(**v, "consultation");
  return store_.answer_consultation(
      procedure_id, version,
      store::ConsultationAnswer{unit_id, answer, comment, actor.user_id, {}});
}

Result<ConsultationStatus> ProcedureService::approve(
    const std::string& procedure_id, const std::string& version, const std::string& override_reason,
    const Actor& actor, std::optional<std::int64_t> expected_revision) {
  if (!actor.has_role(kRoleApprover))
    return forbidden("Bare godkjennere kan godkjenne en versjon.");
  std::lock_guard lock(write_mutex_);
  auto status = consultation(procedure_id, version);
  if (!status) return status.error();
  const auto& v = *status->version;
  if (v.record.author == actor.user_id) {
    auto e =
        forbidden("Du skrev denne versjonen og kan derfor ikke godkjenne den selv (fire øyne).");
    e.slug = "four-eyes";
    return e;
  }
  if (v.status() != "consultation") return wrong_status(v, "consultation");
  std::size_t open = 0;
  for (const auto& a : status->answers) open += a.answer != "agree";
  if (open > 0 && override_reason.empty()) {
    auto e = conflict(
        "consultation-not-agreed",
        std::to_string(open) +
            " enhet(er) har svart uenig eller ikke svart. Se "
            "svarene, og oppgi «override_reason» dersom versjonen likevel skal godkjennes.");
    e.field = "override_reason";
    return e;
  }
  auto record = v.record;
  record.xml = v.xml;
  record.status = "approved";
  record.approver = actor.user_id;
  record.approved_at = util::norway_today();
  auto saved = store_.update_procedure_version(record, expected_revision.value_or(record.revision),
                                               {}, {}, {});
  if (!saved) return saved.error();
  logger_.info("procedure_approved", {{"procedure", procedure_id},
                                      {"version", version},
                                      {"by", actor.user_id},
                                      {"overridden", open ? "true" : "false"}});
  rebuild();
  return consultation(procedure_id, version);
}

Result<store::ReadConfirmation> ProcedureService::confirm_read(const std::string& procedure_id,
                                                               const std::string& version,
                                                               const Actor& actor) {
  auto v = find(procedure_id, version);
  if (!v) return v.error();
  if ((*v)->status() != "published" && (*v)->status() != "superseded") {
    return wrong_status(**v, "published");
  }
  return store_.confirm_read(
      procedure_id, version,
      store::ReadConfirmation{actor.user_id, actor.units.empty() ? "" : actor.units.front(), {}});
}

Result<ReadStatus> ProcedureService::read_status(const std::string& procedure_id,
                                                 const std::string& version) {
  auto v = find(procedure_id, version);
  if (!v) return v.error();
  auto confirmed = store_.list_read_confirmations(procedure_id, version);
  if (!confirmed) return confirmed.error();
  ReadStatus status;
  status.confirmed = std::move(*confirmed);
  // Affected units relative to the version before this one.
  auto catalog = snapshot();
  const StoredVersion* before = nullptr;
  for (const auto* other : catalog->versions(procedure_id)) {
    if (other->procedure.version < (*v)->procedure.version) before = other;
  }
  status.affected_units = units_touched(before ? &before->procedure : nullptr, (*v)->procedure);
  std::set<std::string> done;
  for (const auto& c : status.confirmed) done.insert(c.user_id);
  std::set<std::string> missing;
  for (const auto& unit : status.affected_units) {
    if (collaborators_.directory == nullptr) break;
    for (const auto& leader : collaborators_.directory->leaders_of(unit)) {
      if (!done.count(leader.id)) missing.insert(leader.id);
    }
  }
  status.missing_users.assign(missing.begin(), missing.end());
  return status;
}

std::vector<ReviewStatus> ProcedureService::reviews(const std::string& today) const {
  std::vector<ReviewStatus> out;
  auto catalog = snapshot();
  for (const auto& id : catalog->procedure_ids()) {
    const auto* v = catalog->in_force(id, today);
    if (!v) continue;
    const auto& p = v->procedure;
    ReviewStatus r{id, p.version.str(), p.effective_from, p.review_interval, {}, false};
    if (auto interval = parse_iso_duration(p.review_interval)) {
      if (auto due = add_duration(p.effective_from, *interval)) {
        r.review_due = *due;
        r.overdue = *due < today;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace boligflyt::procedure

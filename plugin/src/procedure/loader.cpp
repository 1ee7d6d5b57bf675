#include "procedure/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

#include "procedure/embedded_schema.h"
#include "util/utf8.h"

namespace boligflyt::procedure {
namespace {

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

std::vector<pugi::xml_node> children(const pugi::xml_node& node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element && local_name(c) == name) out.push_back(c);
  }
  return out;
}

std::string text_of(const pugi::xml_node& node) {
  std::string text = node.text().get();
  // Collapse the indentation of multi-line text in the file into single spaces.
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string attr(const pugi::xml_node& node, const char* name, const char* fallback = "") {
  auto a = node.attribute(name);
  return a ? a.value() : fallback;
}

// Line and column of node offsets. Positions are asked for in document order, so each call
// continues from the previous one instead of rescanning from the start: loading stays linear
// in the file size (a rescan per node made a 4 MB upload take minutes).
class PositionMap {
 public:
  explicit PositionMap(std::string_view xml) : xml_(xml) {}
  SourcePos at(const pugi::xml_node& node) const {
    const auto offset = node.offset_debug();
    if (offset < 0) return {};
    const auto target = std::min(static_cast<std::size_t>(offset), xml_.size());
    if (target < offset_) {  // out of order: start again (rare)
      offset_ = 0;
      line_ = 1;
      column_ = 1;
    }
    for (; offset_ < target; ++offset_) {
      const auto c = static_cast<unsigned char>(xml_[offset_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;  // count code points, not continuation bytes
      }
    }
    return {line_, column_};
  }

 private:
  std::string_view xml_;
  mutable std::size_t offset_ = 0;
  mutable std::size_t line_ = 1;
  mutable std::size_t column_ = 1;
};

Procedure read_procedure(const pugi::xml_node& root, const PositionMap& positions) {
  Procedure p;
  p.pos = positions.at(root);
  p.id = attr(root, "id");
  p.status = attr(root, "status");
  p.version = Version::parse(attr(root, "version")).value_or(Version{});
  p.title = text_of(child(root, "title"));
  p.purpose = text_of(child(root, "purpose"));
  p.owner_unit = attr(child(root, "ownerUnit"), "unit");
  p.author = attr(child(root, "author"), "person");
  if (auto approver = child(root, "approver")) {
    p.approver = attr(approver, "person");
    p.approval_date = attr(approver, "date");
    p.approver_body = attr(approver, "body");
  }
  p.effective_from = text_of(child(root, "effectiveFrom"));
  p.review_interval = text_of(child(root, "reviewInterval"));
  if (auto supersedes = child(root, "supersedes"))
    p.supersedes = Version::parse(text_of(supersedes));

  for (auto source : children(child(root, "legalBasis"), "source")) {
    LegalSource s;
    s.id = attr(source, "id");
    s.kind = attr(source, "kind");
    s.short_title = text_of(child(source, "shortTitle"));
    s.title = text_of(child(source, "title"));
    s.href = attr(source, "href");
    s.validity = {attr(source, "validFrom"), attr(source, "validTo")};
    s.pos = positions.at(source);
    for (auto provision : children(source, "provision")) {
      s.provisions.emplace_back(attr(provision, "ref"), text_of(provision));
      if (provision.attribute("validFrom") || provision.attribute("validTo")) {
        s.provision_validity[attr(provision, "ref")] = {attr(provision, "validFrom"),
                                                        attr(provision, "validTo")};
      }
    }
    p.legal_basis.push_back(std::move(s));
  }
  for (auto doc : children(child(root, "documents"), "document")) {
    p.documents.push_back({attr(doc, "id"), attr(doc, "kind"), text_of(child(doc, "title")),
                           text_of(child(doc, "description"))});
  }
  for (auto node : children(child(root, "externalParties"), "party")) {
    p.external_parties.push_back({attr(node, "id"), attr(node, "kind"),
                                  text_of(child(node, "name")), text_of(child(node, "description")),
                                  positions.at(node)});
  }
  for (auto node : children(child(root, "meetings"), "meeting")) {
    Meeting m;
    m.id = attr(node, "id");
    m.pos = positions.at(node);
    m.name = text_of(child(node, "name"));
    m.chair = attr(child(node, "chair"), "unit");
    if (auto chair = child(node, "chair")) m.chair_pos = positions.at(chair);
    for (auto member : children(node, "member")) {
      m.members.emplace_back(attr(member, "ref"), text_of(member));
      m.member_pos.push_back(positions.at(member));
    }
    if (auto cadence = child(node, "cadence")) {
      m.cadence = attr(cadence, "interval");
      m.cadence_text = text_of(cadence);
    }
    m.mandate = text_of(child(node, "mandate"));
    p.meetings.push_back(std::move(m));
  }
  auto phases = child(root, "phases");
  p.start_step = attr(phases, "start");
  for (auto phase_node : children(phases, "phase")) {
    Phase phase{attr(phase_node, "id"),
                text_of(child(phase_node, "title")),
                text_of(child(phase_node, "description")),
                {},
                positions.at(phase_node)};
    for (auto step_node : children(phase_node, "step")) {
      Step s;
      s.id = attr(step_node, "id");
      s.kind = attr(step_node, "type", "task");
      s.phase = phase.id;
      s.pos = positions.at(step_node);
      s.title = text_of(child(step_node, "title"));
      s.description = text_of(child(step_node, "description"));
      if (auto r = child(step_node, "responsibleUnit")) {
        s.responsible = {attr(r, "unit"), {}, positions.at(r)};
      }
      for (auto u : children(step_node, "participatingUnit")) {
        s.participants.push_back({attr(u, "unit"), text_of(u), positions.at(u)});
      }
      for (auto d : children(step_node, "input")) s.inputs.push_back(attr(d, "document"));
      for (auto d : children(step_node, "output")) s.outputs.push_back(attr(d, "document"));
      for (auto d : children(step_node, "deadline")) {
        s.deadlines.push_back({attr(d, "duration"), attr(d, "relativeTo"),
                               attr(d, "relation", "after"), attr(d, "kind", "latest"),
                               attr(d, "step"), text_of(d), positions.at(d), attr(d, "binds"),
                               attr(d, "basis"), attr(d, "source"), attr(d, "provision")});
      }
      if (auto r = child(step_node, "recurrence")) s.recurrence = attr(r, "interval");
      for (auto l : children(step_node, "legalRef")) {
        s.legal_refs.emplace_back(attr(l, "source"), attr(l, "provision"));
        s.legal_ref_pos.push_back(positions.at(l));
      }
      for (auto u : children(step_node, "participatingParty")) {
        s.participating_parties.push_back({attr(u, "party"), text_of(u), positions.at(u)});
      }
      for (auto h : children(step_node, "handover")) {
        s.handovers.push_back({attr(h, "id"), attr(h, "from"), attr(h, "to"), attr(h, "within"),
                               attr(h, "channel"), text_of(h), positions.at(h)});
      }
      for (auto e : children(step_node, "escalation")) {
        s.escalations.push_back({attr(e, "after"), attr(e, "to"), text_of(e), positions.at(e)});
      }
      s.meeting = attr(step_node, "meeting");
      s.join = attr(step_node, "join");
      for (auto n : children(step_node, "next")) {
        s.next.push_back(
            {attr(n, "step"), text_of(child(n, "condition")), positions.at(n), attr(n, "outcome")});
      }
      if (auto parallel = child(step_node, "parallel")) {
        // The branches are the step's next steps, so every graph walk (reachability, the
        // picture, the diff) sees them; `parallel` says they all start at once.
        s.parallel = true;
        s.parallel_join = attr(parallel, "join");
        s.parallel_pos = positions.at(parallel);
        for (auto b : children(parallel, "branch")) {
          s.next.push_back({attr(b, "step"), text_of(b), positions.at(b), {}});
        }
      }
      s.handles_personal_data =
          std::string_view(attr(step_node, "handlesPersonalData")) == "true" ||
          std::string_view(attr(step_node, "handlesPersonalData")) == "1";
      if (auto e = child(step_node, "end")) {
        s.is_end = true;
        s.end_text = text_of(e);
      }
      phase.step_ids.push_back(s.id);
      p.steps.push_back(std::move(s));
    }
    p.phases.push_back(std::move(phase));
  }
  for (auto node : children(child(root, "deviationCategories"), "category")) {
    DeviationCategory category{attr(node, "id"),
                               text_of(child(node, "label")),
                               text_of(child(node, "description")),
                               {},
                               positions.at(node)};
    for (auto applies : children(node, "appliesTo"))
      category.steps.push_back(attr(applies, "step"));
    p.deviation_categories.push_back(std::move(category));
  }
  for (auto entry : children(child(root, "changelog"), "entry")) {
    ChangelogEntry e{
        attr(entry, "version"), attr(entry, "date"), text_of(child(entry, "summary")), {}};
    for (auto change : children(entry, "change")) {
      e.changes.emplace_back(attr(change, "kind"), attr(change, "step"), text_of(change));
    }
    p.changelog.push_back(std::move(e));
  }
  return p;
}

std::optional<std::string> read_limited(const std::string& path, std::string& error) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    error = "Filen kan ikke leses: " + ec.message() + ".";
    return std::nullopt;
  }
  if (size > kMaxXmlBytes) {
    error = "Filen er på " + std::to_string(size) + " byte; grensen er " +
            std::to_string(kMaxXmlBytes) + " byte.";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    error = "Filen kan ikke leses.";
    return std::nullopt;
  }
  return buffer.str();
}

// Checks the root element of the document intake has parsed: name and namespace.
bool parse_root(pugi::xml_document& doc, std::string_view xml, const std::string& file,
                std::string_view expected_root, Diagnostics& out) {
  auto root = doc.document_element();
  const PositionMap positions(xml);
  const auto pos = positions.at(root);
  std::string ns_attr = "xmlns";
  if (const auto colon = std::string_view(root.name()).find(':'); colon != std::string_view::npos) {
    ns_attr += ":" + std::string(root.name()).substr(0, colon);
  }
  if (local_name(root) != expected_root) {
    out.push_back({file, pos.line, pos.column, "wrong-root",
                   "Rotelementet er «" + std::string(root.name()) + "»; ventet «" +
                       std::string(expected_root) + "»."});
    return false;
  }
  if (std::string_view(root.attribute(ns_attr.c_str()).value()) != kNamespace) {
    out.push_back({file, pos.line, pos.column, "wrong-namespace",
                   "Navnerommet er «" + std::string(root.attribute(ns_attr.c_str()).value()) +
                       "»; ventet «" + kNamespace + "»."});
    return false;
  }
  return true;
}

}  // namespace

std::optional<Version> Version::parse(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  Version v;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == dot) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  if (dot > 6 || text.size() - dot - 1 > 6) return std::nullopt;
  v.major = std::stoi(std::string(text.substr(0, dot)));
  v.minor = std::stoi(std::string(text.substr(dot + 1)));
  return v;
}

const Step* Procedure::find_step(std::string_view id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const ExternalParty* Procedure::find_party(std::string_view id) const {
  for (const auto& p : external_parties) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const Meeting* Procedure::find_meeting(std::string_view id) const {
  for (const auto& m : meetings) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

const DeviationCategory* Procedure::find_deviation_category(std::string_view id) const {
  for (const auto& c : deviation_categories) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const Unit* UnitRegistry::find(std::string_view id) const {
  for (const auto& u : units) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

ProcedureLoader::ProcedureLoader()
    : validator_(embedded_procedure_xsd(), "procedure.xsd (innebygd)") {}

ProcedureLoader::ProcedureLoader(const std::string& xsd_path)
    : validator_(xsd_path.empty()
                     ? XsdValidator(embedded_procedure_xsd(), "procedure.xsd (innebygd)")
                     : XsdValidator(xsd_path)) {}

LoadedProcedure ProcedureLoader::load_procedure(std::string_view xml, const std::string& file,
                                                const UnitRegistry* units) const {
  LoadedProcedure loaded;
  pugi::xml_document doc;
  if (!check_xml_intake(xml, file, loaded.diagnostics, doc)) return loaded;
  if (!parse_root(doc, xml, file, "procedure", loaded.diagnostics)) return loaded;
  validator_.validate(xml, file, loaded.diagnostics);
  // Semantic checks run even after XSD errors, so the owner sees everything in one pass.
  loaded.procedure = read_procedure(doc.document_element(), PositionMap(xml));
  lint_procedure(*loaded.procedure, file, units, loaded.diagnostics);
  return loaded;
}

LoadedUnits ProcedureLoader::load_units(std::string_view xml, const std::string& file) const {
  LoadedUnits loaded;
  pugi::xml_document doc;
  if (!check_xml_intake(xml, file, loaded.diagnostics, doc)) return loaded;
  if (!parse_root(doc, xml, file, "unitRegistry", loaded.diagnostics)) return loaded;
  validator_.validate(xml, file, loaded.diagnostics);
  UnitRegistry registry;
  for (auto u : children(doc.document_element(), "unit")) {
    registry.units.push_back({attr(u, "id"), text_of(child(u, "name")), attr(u, "parent"),
                              attr(u, "leaderRole"), text_of(child(u, "description"))});
  }
  loaded.registry = std::move(registry);
  return loaded;
}

LoadedProcedure ProcedureLoader::load_procedure_file(const std::string& path,
                                                     const UnitRegistry* units) const {
  std::string error;
  auto xml = read_limited(path, error);
  if (!xml) {
    LoadedProcedure loaded;
    loaded.diagnostics.push_back({path, 0, 0, "unreadable", error});
    return loaded;
  }
  return load_procedure(*xml, path, units);
}

LoadedUnits ProcedureLoader::load_units_file(const std::string& path) const {
  std::string error;
  auto xml = read_limited(path, error);
  if (!xml) {
    LoadedUnits loaded;
    loaded.diagnostics.push_back({path, 0, 0, "unreadable", error});
    return loaded;
  }
  return load_units(*xml, path);
}

}  // namespace boligflyt::procedure

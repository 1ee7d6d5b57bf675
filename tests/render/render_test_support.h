#pragma once
// Test support for the renderers: the shipped procedure (units, 2.0 and 3.0) loaded once, and
// small helpers over pugixml documents (the HTML is well-formed XML on purpose).

#include <functional>
#include <memory>
#include <pugixml.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "procedure/loader.h"

namespace boligflyt::render::testing {

struct Shipped {
  procedure::UnitRegistry units;
  procedure::Procedure v2;
  procedure::Procedure v3;
};

inline const Shipped& shipped() {
  static const std::unique_ptr<Shipped> data = [] {
    const procedure::ProcedureLoader loader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    auto units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    if (!units.ok()) throw std::runtime_error("units.xml does not load");
    auto s = std::make_unique<Shipped>();
    s->units = *units.registry;
    const std::string dir = BOLIGFLYT_SOURCE_DIR "/procedures/boligflytprosedyre/";
    for (auto [file, target] : {std::pair{"boligflytprosedyre-2.0.xml", &s->v2},
                                std::pair{"boligflytprosedyre-3.0.xml", &s->v3}}) {
      auto loaded = loader.load_procedure_file(dir + file, &s->units);
      if (!loaded.ok()) throw std::runtime_error(std::string(file) + " does not load");
      *target = std::move(*loaded.procedure);
    }
    return s;
  }();
  return *data;
}

/// Parses `text` as XML; fails the calling test (via the returned description) when it is not.
inline std::string parse(pugi::xml_document& doc, const std::string& text) {
  const auto result = doc.load_string(text.c_str(), pugi::parse_default | pugi::parse_doctype);
  if (result) return {};
  const auto offset = static_cast<std::size_t>(result.offset);
  return std::string(result.description()) + " at offset " + std::to_string(offset) + ": " +
         text.substr(offset > 60 ? offset - 60 : 0, 120);
}

/// Every element below `root` (document order) for which `match` holds.
inline std::vector<pugi::xml_node> elements(
    const pugi::xml_node& root, const std::function<bool(const pugi::xml_node&)>& match) {
  std::vector<pugi::xml_node> out;
  std::function<void(const pugi::xml_node&)> walk = [&](const pugi::xml_node& node) {
    for (auto child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (match(child)) out.push_back(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

inline std::vector<pugi::xml_node> by_name(const pugi::xml_node& root, const std::string& name) {
  return elements(root, [&](const pugi::xml_node& n) { return name == n.name(); });
}

inline int count_id(const pugi::xml_node& root, const std::string& id) {
  return static_cast<int>(elements(root, [&](const pugi::xml_node& n) {
                            return id == n.attribute("id").value();
                          }).size());
}

/// All text below a node, concatenated.
inline std::string text_of(const pugi::xml_node& node) {
  std::string out;
  for (auto child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
    else if (child.type() == pugi::node_element) out += text_of(child);
  }
  return out;
}

inline std::size_t occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

/// A copy of 3.0 with hostile text in its title, a step's title and description and a condition.
inline procedure::Procedure with_markup_in_text() {
  procedure::Procedure p = shipped().v3;
  p.title = "Bolig <b>flyt</b> & \"prosedyre\" 'x'";
  auto& step = p.steps.front();
  step.title = "Veiledning <script>alert(\"x\")</script> & mer";
  step.description = "A < B && C > D \"sitat\"";
  for (auto& s : p.steps) {
    if (!s.next.empty() && !s.next.front().condition.empty()) {
      s.next.front().condition = "Når <i>x</i> & \"y\"";
      break;
    }
  }
  return p;
}

/// The least a procedure can be: one phase, a start step and an end step, units unknown to the
/// registry, no documents, legal basis, approval or changelog.
inline procedure::Procedure sparse_procedure() {
  procedure::Procedure p;
  p.id = "liten";
  p.title = "Liten prosedyre";
  p.version = {0, 1};
  p.status = "draft";
  p.phases.push_back({"fase", "Fase", "", {"start", "slutt"}, {}});
  procedure::Step start;
  start.id = "start";
  start.title = "Første trinn";
  start.phase = "fase";
  start.responsible.unit = "ukjent-enhet";
  start.next.push_back({"slutt", "", {}, {}});
  procedure::Step end;
  end.id = "slutt";
  end.kind = "decision";
  end.title = "Siste trinn";
  end.phase = "fase";
  end.responsible.unit = "annen-enhet";
  end.is_end = true;
  p.steps = {start, end};
  p.start_step = "start";
  return p;
}

}  // namespace boligflyt::render::testing

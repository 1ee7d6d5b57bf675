#pragma once
// Shared by the format 1.2 rendering tests (model_1_2_render_test.cpp for the HTML document
// and the swimlane SVG, model_1_2_bpmn_test.cpp for the BPMN export): the procedure files of
// BOLIGFLYT_RENDER_MODEL_FILES (tests/render/CMakeLists.txt), each loaded once, a test
// fixture parameterised by file, and small helpers over the rendered XML.

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "render/wording.h"
#include "render_test_support.h"

namespace boligflyt::render::model12 {

using procedure::Procedure;
using testing::elements;

struct Model {
  std::string file;
  procedure::UnitRegistry units;
  Procedure p;
};

inline std::vector<std::string> model_files() {
  std::vector<std::string> files;
  std::stringstream list(BOLIGFLYT_RENDER_MODEL_FILES);
  for (std::string file; std::getline(list, file, ',');) {
    if (!file.empty()) files.push_back(file);
  }
  return files;
}

inline const Model& model(const std::string& file) {
  static std::map<std::string, std::unique_ptr<Model>> cache;
  auto& slot = cache[file];
  if (!slot) {
    const procedure::ProcedureLoader loader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    auto units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    if (!units.ok()) throw std::runtime_error("units.xml does not load");
    slot = std::make_unique<Model>();
    slot->file = file;
    slot->units = *units.registry;
    auto loaded =
        loader.load_procedure_file(std::string(BOLIGFLYT_SOURCE_DIR "/") + file, &slot->units);
    if (!loaded.ok()) throw std::runtime_error(file + " does not load");
    slot->p = std::move(*loaded.procedure);
  }
  return *slot;
}

inline pugi::xml_node by_id(const pugi::xml_node& root, const std::string& id) {
  const auto found =
      elements(root, [&](const pugi::xml_node& n) { return id == n.attribute("id").value(); });
  return found.size() == 1 ? found.front() : pugi::xml_node();
}

inline std::string party_or_unit(const Model& m, const std::string& id) {
  if (const auto* party = m.p.find_party(id)) return party->name;
  return unit_name(m.units, id);
}

class Model12 : public ::testing::TestWithParam<std::string> {
 protected:
  const Model& m() const { return model(GetParam()); }
};

struct SvgRect {
  int x = 0, y = 0, w = 0, h = 0;
};

inline SvgRect first_rect(const pugi::xml_node& g) {
  const auto r = g.child("rect");
  return {r.attribute("x").as_int(), r.attribute("y").as_int(), r.attribute("width").as_int(),
          r.attribute("height").as_int()};
}

// "M x y0 L x y1" of a handover arrow.
inline std::vector<int> numbers_in(const std::string& d) {
  std::vector<int> out;
  static const std::regex number("-?[0-9]+");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), number); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoi(it->str()));
  }
  return out;
}

// Test names from the file's name: "modell_1_2".
inline std::string file_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(info.param.find_last_of('/') + 1);
  name = name.substr(0, name.rfind(".xml"));
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace boligflyt::render::model12

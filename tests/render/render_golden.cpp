// Writes the comparison views (render_diff_html) of consecutive published versions of the
// boligflytprosedyre, so render.golden can hold them against the goldens byte for byte. The
// per-version HTML, SVG and BPMN come from `boligflyt procedure render` itself.
//
// usage: boligflyt-render-golden --source-dir DIR --out DIR

#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "procedure/loader.h"
#include "render/diff_view.h"

namespace {

namespace fs = std::filesystem;
using boligflyt::procedure::Procedure;
using boligflyt::procedure::ProcedureLoader;
using boligflyt::procedure::UnitRegistry;

void write(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

Procedure load(const ProcedureLoader& loader, const fs::path& file, const UnitRegistry& units) {
  auto loaded = loader.load_procedure_file(file.string(), &units);
  if (!loaded.ok()) throw std::runtime_error("cannot load " + file.string());
  return std::move(*loaded.procedure);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path source;
  fs::path out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--source-dir") source = argv[i + 1];
    else if (flag == "--out") out = argv[i + 1];
  }
  if (source.empty() || out.empty()) {
    std::fprintf(stderr, "usage: boligflyt-render-golden --source-dir DIR --out DIR\n");
    return 2;
  }
  try {
    const ProcedureLoader loader((source / "schemas" / "procedure.xsd").string());
    auto units_loaded = loader.load_units_file((source / "procedures" / "units.xml").string());
    if (!units_loaded.ok()) throw std::runtime_error("cannot load units.xml");
    const UnitRegistry& units = *units_loaded.registry;
    const fs::path dir = source / "procedures" / "boligflytprosedyre";
    constexpr std::array<std::pair<std::string_view, std::string_view>, 3> pairs{
        {{"1.0", "2.0"}, {"2.0", "3.0"}, {"3.0", "3.1"}}};
    fs::create_directories(out);
    for (const auto& [from, to] : pairs) {
      const auto file = [&](std::string_view v) {
        return dir / ("boligflytprosedyre-" + std::string(v) + ".xml");
      };
      const Procedure a = load(loader, file(from), units);
      const Procedure b = load(loader, file(to), units);
      write(out / ("diff-" + std::string(from) + "-" + std::string(to) + ".html"),
            boligflyt::render::render_diff_html(a, b, units));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boligflyt-render-golden: %s\n", e.what());
    return 1;
  }
  return 0;
}

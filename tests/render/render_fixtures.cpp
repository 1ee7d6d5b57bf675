// Writes the rendered artefacts of the shipped boligflytprosedyre for the checks that use real
// tools (bpmn-moddle, Chromium with axe-core) and for people to look at:
//
//   boligflytprosedyre-3.0.html           the document
//   boligflytprosedyre-3.0.svg            the swimlane picture
//   boligflytprosedyre-3.0-avvik.svg      the picture with an avvik overlay (sample counts)
//   boligflytprosedyre-3.0.bpmn           the BPMN 2.0 export
//   boligflytprosedyre-diff-2.0-3.0.html  the comparison of 2.0 and 3.0
//   <name>.html, <name>.svg, <name>.bpmn  each --model FILE (format 1.2), named as the file
//
// usage: boligflyt-render-fixtures --source-dir DIR --out DIR [--model FILE ...]

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "procedure/loader.h"
#include "render/bpmn_export.h"
#include "render/diff_view.h"
#include "render/html_document.h"
#include "render/swimlane_svg.h"

namespace {

namespace fs = std::filesystem;
using boligflyt::procedure::Procedure;
using boligflyt::procedure::ProcedureLoader;
using boligflyt::procedure::UnitRegistry;

void write(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
  std::printf("%s\n", path.string().c_str());
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
  std::vector<fs::path> models;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--source-dir") source = argv[i + 1];
    else if (flag == "--out") out = argv[i + 1];
    else if (flag == "--model") models.emplace_back(argv[i + 1]);
  }
  if (source.empty() || out.empty()) {
    std::fprintf(stderr, "usage: boligflyt-render-fixtures --source-dir DIR --out DIR\n");
    return 2;
  }
  try {
    const ProcedureLoader loader((source / "schemas" / "procedure.xsd").string());
    auto units_loaded = loader.load_units_file((source / "procedures" / "units.xml").string());
    if (!units_loaded.ok()) throw std::runtime_error("cannot load units.xml");
    const UnitRegistry& units = *units_loaded.registry;
    const fs::path dir = source / "procedures" / "boligflytprosedyre";
    const Procedure v2 = load(loader, dir / "boligflytprosedyre-2.0.xml", units);
    const Procedure v3 = load(loader, dir / "boligflytprosedyre-3.0.xml", units);

    fs::create_directories(out);
    namespace render = boligflyt::render;
    write(out / "boligflytprosedyre-3.0.html", render::render_html_document(v3, units));
    write(out / "boligflytprosedyre-3.0.svg", render::render_swimlane_svg(v3, units));
    // A sample overlay, as the live system would draw it from its avvik register.
    render::SvgOptions overlay;
    overlay.avvik_per_step = {{"husleierestanse-purring", 9}, {"husleierestanse-kontakt", 6},
                              {"tildelingsmote", 4},          {"klage-mottak", 2},
                              {"institusjon-varsel", 3},      {"kontrakt-signering", 1}};
    write(out / "boligflytprosedyre-3.0-avvik.svg",
          render::render_swimlane_svg(v3, units, overlay));
    write(out / "boligflytprosedyre-3.0.bpmn", render::export_bpmn(v3, units));
    write(out / "boligflytprosedyre-diff-2.0-3.0.html", render::render_diff_html(v2, v3, units));
    for (const auto& file : models) {
      const Procedure model = load(loader, file, units);
      const std::string stem = file.stem().string();  // "modell-1.2" of "modell-1.2.xml"
      write(out / (stem + ".html"), render::render_html_document(model, units));
      write(out / (stem + ".svg"), render::render_swimlane_svg(model, units));
      write(out / (stem + ".bpmn"), render::export_bpmn(model, units));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boligflyt-render-fixtures: %s\n", e.what());
    return 1;
  }
  return 0;
}

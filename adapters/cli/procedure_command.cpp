// `boligflyt procedure validate FILE...` and `boligflyt procedure diff OLD NEW`: for
// procedure owners at their desk and for CI pipelines.
//
// Exit codes (stable, for scripts):
//   0  validate: every file is valid        diff: no differences
//   1  validate: problems were found        diff: the versions differ
//   2  usage error, or a file could not be used at all

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "command.h"
#include "procedure/diff.h"
#include "procedure/loader.h"
#include "render/bpmn_export.h"
#include "render/html_document.h"
#include "render/swimlane_svg.h"

namespace boligflyt::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using procedure::Diagnostics;

constexpr std::string_view kHelp =
    "Bruk:\n"
    "  boligflyt procedure validate FIL... [--units FIL] [--schema FIL] [--format text|json]\n"
    "  boligflyt procedure diff GAMMEL NY [--units FIL] [--schema FIL] [--format text|json]\n"
    "  boligflyt procedure render FIL --to html|svg|bpmn [--units FIL] [--schema FIL]\n"
    "\n"
    "validate kontrollerer prosedyrefiler mot skjemaet og reglene (unike trinn, kjente enheter,\n"
    "gyldige frister, ingen blindveier) og viser alle feil med fil, linje og kolonne.\n"
    "diff viser hva som er endret fra en versjon til en annen, trinn for trinn.\n"
    "render skriver prosedyren som utskriftsvennlig HTML, svømmebanediagram (SVG) eller\n"
    "BPMN 2.0 til standard ut.\n"
    "\n"
    "--units FIL  enhetsregisteret. Uten valget brukes units.xml i prosedyremappens overmappe\n"
    "             eller i samme mappe, ellers det installerte. Finnes det ikke, er validate\n"
    "             ikke godkjent, for enhetskontrollen kunne ikke kjøres.\n"
    "\n"
    "Avslutningskoder: 0 gyldig / ingen endringer, 1 feil funnet / endringer, 2 bruksfeil.\n";

struct Options {
  std::vector<std::string> files;
  std::string units;
  std::string schema;
  bool json_output = false;
  std::string to;  // render: html | svg | bpmn
};

std::string program_dir() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().string();
}

// The unit registry: named with --units, else beside the procedure files as the repository
// and the package lay them out (procedures/units.xml next to procedures/<id>/<file>.xml),
// else the installed one. No silent fallback: the caller says when none was found.
std::string default_units(const std::string& file) {
  const auto parent = fs::path(file).parent_path();
  std::error_code ec;
  for (const auto& candidate :
       {parent.parent_path() / "units.xml", parent / "units.xml",
        fs::path(program_dir()) / ".." / "share" / "boligflyt" / "procedures" / "units.xml"}) {
    if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
  }
  return {};
}

constexpr std::string_view kNoUnitsMessage =
    "fant ikke enhetsregisteret (units.xml) ved siden av filen eller i installasjonen, så det "
    "er ikke kontrollert at de ansvarlige og deltakende enhetene finnes. Oppgi det med --units "
    "FIL.";

std::optional<Options> parse_options(std::span<const std::string> args, std::string& error) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) {
        error = "«" + a + "» trenger en verdi.";
        return false;
      }
      target = args[++i];
      return true;
    };
    if (a == "--units") {
      if (!value(o.units)) return std::nullopt;
    } else if (a == "--schema") {
      if (!value(o.schema)) return std::nullopt;
    } else if (a == "--format") {
      std::string format;
      if (!value(format)) return std::nullopt;
      if (format != "json" && format != "text") {
        error = "--format må være text eller json.";
        return std::nullopt;
      }
      o.json_output = format == "json";
    } else if (a == "--to") {
      if (!value(o.to)) return std::nullopt;
      if (o.to != "html" && o.to != "svg" && o.to != "bpmn") {
        error = "--to må være html, svg eller bpmn.";
        return std::nullopt;
      }
    } else if (a.rfind("--", 0) == 0) {
      error = "ukjent valg «" + a + "».";
      return std::nullopt;
    } else {
      o.files.push_back(a);
    }
  }
  return o;
}

json::object diagnostic_json(const procedure::Diagnostic& d) {
  return json::object{
      {"file", d.file},
      {"line", d.line},
      {"column", d.column},
      {"code", d.code},
      {"message", d.message},
      {"severity", d.severity},
      {"consequential", d.consequential},
      {"cause", d.consequential ? json::value(json::object{{"code", d.cause_code},
                                                           {"line", d.cause_line},
                                                           {"column", d.cause_column}})
                                : json::value(nullptr)},
      {"step", d.subject}};
}

int validate(const Options& o) {
  if (o.files.empty()) {
    std::cerr << "boligflyt procedure validate: oppgi minst én fil.\n" << kHelp;
    return kExitUsage;
  }
  const procedure::ProcedureLoader loader(o.schema);
  Diagnostics all;
  std::optional<procedure::UnitRegistry> units;
  const std::string units_path = o.units.empty() ? default_units(o.files.front()) : o.units;
  if (!units_path.empty()) {
    auto loaded = loader.load_units_file(units_path);
    all.insert(all.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    if (loaded.registry) units = std::move(loaded.registry);
  } else {
    // A check that cannot run must not look like a check that passed.
    all.push_back(procedure::Diagnostic{.file = o.files.front(),
                                        .code = "unit-registry-missing",
                                        .message = std::string(kNoUnitsMessage)});
  }
  Diagnostics warnings;
  std::vector<std::unique_ptr<procedure::Procedure>> loaded_procedures;
  std::vector<std::pair<std::string, const procedure::Procedure*>> sequence;
  json::array files;
  for (const auto& file : o.files) {
    auto loaded = loader.load_procedure_file(file, units ? &*units : nullptr);
    json::array problems;
    for (const auto& d : loaded.diagnostics) problems.push_back(diagnostic_json(d));
    json::object entry{{"file", file}, {"valid", loaded.ok()}, {"problems", std::move(problems)}};
    if (loaded.procedure) {
      // Citations of sources not in force on the effective date: reported, never invalid.
      const Diagnostics cited = procedure::citation_warnings(*loaded.procedure, file);
      json::array cited_json;
      for (const auto& d : cited) cited_json.push_back(diagnostic_json(d));
      entry["warnings"] = std::move(cited_json);
      warnings.insert(warnings.end(), cited.begin(), cited.end());
      entry["procedure"] = loaded.procedure->id;
      entry["version"] = loaded.procedure->version.str();
      entry["steps"] = loaded.procedure->steps.size();
      loaded_procedures.push_back(
          std::make_unique<procedure::Procedure>(std::move(*loaded.procedure)));
      sequence.emplace_back(file, loaded_procedures.back().get());
    }
    files.push_back(std::move(entry));
    all.insert(all.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
  }
  if (sequence.size() > 1) {
    Diagnostics series;
    procedure::check_version_sequence(sequence, series);
    all.insert(all.end(), series.begin(), series.end());
  }
  if (o.json_output) {
    json::array problems;
    for (const auto& d : all) problems.push_back(diagnostic_json(d));
    json::array warnings_json;
    for (const auto& d : warnings) warnings_json.push_back(diagnostic_json(d));
    std::cout << json::serialize(json::object{{"valid", all.empty()},
                                              {"files", std::move(files)},
                                              {"problems", std::move(problems)},
                                              {"warnings", std::move(warnings_json)}})
              << "\n";
  } else {
    // Consequences (steps cut off behind a wrong `next`) fold into one line under their
    // cause; --format json lists each of them.
    for (const auto& line : procedure::format_diagnostics_summarised(all)) {
      std::cout << line << "\n";
    }
    for (const auto& d : warnings) std::cout << procedure::format_diagnostic(d) << "\n";
    if (all.empty()) {
      for (const auto& p : loaded_procedures) {
        std::cout << "OK  " << p->id << " " << p->version.str() << " (" << p->steps.size()
                  << " trinn)\n";
      }
    } else {
      std::size_t roots = 0;
      for (const auto& d : all) roots += d.consequential ? 0 : 1;
      std::cout << roots << " feil funnet";
      if (roots < all.size()) {
        std::cout << " (" << all.size() - roots
                  << " følgefeil er slått sammen; --format json viser alle)";
      }
      std::cout << ".\n";
    }
  }
  return all.empty() ? kExitOk : kExitFailure;
}

int diff(const Options& o) {
  if (o.files.size() != 2) {
    std::cerr << "boligflyt procedure diff: oppgi nøyaktig to filer (gammel og ny).\n" << kHelp;
    return kExitUsage;
  }
  const procedure::ProcedureLoader loader(o.schema);
  std::optional<procedure::UnitRegistry> units;
  const std::string units_path = o.units.empty() ? default_units(o.files[1]) : o.units;
  if (!units_path.empty()) {
    units = loader.load_units_file(units_path).registry;
  } else {
    std::cerr << "advarsel: " << kNoUnitsMessage << " Enhetene vises med id.\n";
  }
  std::vector<procedure::Procedure> versions;
  for (const auto& file : o.files) {
    auto loaded = loader.load_procedure_file(file, units ? &*units : nullptr);
    if (!loaded.procedure) {
      for (const auto& d : loaded.diagnostics) std::cerr << procedure::format_diagnostic(d) << "\n";
      return kExitUsage;
    }
    versions.push_back(std::move(*loaded.procedure));
  }
  const auto d = procedure::diff_procedures(versions[0], versions[1], units ? &*units : nullptr);
  if (o.json_output) {
    json::array changes;
    for (const auto& c : d.changes) {
      changes.push_back(json::object{{"kind", procedure::change_kind_name(c.kind)},
                                     {"step", c.step_id},
                                     {"before", c.before},
                                     {"after", c.after},
                                     {"text", c.text}});
    }
    json::array meta;
    for (const auto& m : d.metadata_changes) meta.emplace_back(m);
    std::cout << json::serialize(json::object{{"procedure_id", d.procedure_id},
                                              {"from", d.from_version},
                                              {"to", d.to_version},
                                              {"changes", std::move(changes)},
                                              {"metadata_changes", std::move(meta)}})
              << "\n";
  } else {
    std::cout << procedure::diff_as_text(d);
  }
  return d.changes.empty() && d.metadata_changes.empty() ? kExitOk : kExitFailure;
}

int render_file(const Options& o) {
  if (o.files.size() != 1 || o.to.empty()) {
    std::cerr << "boligflyt procedure render: oppgi én fil og --to html|svg|bpmn.\n" << kHelp;
    return kExitUsage;
  }
  const procedure::ProcedureLoader loader(o.schema);
  procedure::UnitRegistry units;
  const std::string units_path = o.units.empty() ? default_units(o.files[0]) : o.units;
  if (!units_path.empty()) {
    auto loaded_units = loader.load_units_file(units_path);
    if (loaded_units.registry) units = std::move(*loaded_units.registry);
  } else {
    std::cerr << "advarsel: " << kNoUnitsMessage << " Enhetene vises med id.\n";
  }
  auto loaded = loader.load_procedure_file(o.files[0], units.units.empty() ? nullptr : &units);
  if (!loaded.ok()) {
    // A document of a procedure with problems would mislead its readers.
    for (const auto& d : loaded.diagnostics) std::cerr << procedure::format_diagnostic(d) << "\n";
    return kExitFailure;
  }
  if (o.to == "html") {
    std::cout << render::render_html_document(*loaded.procedure, units);
  } else if (o.to == "svg") {
    std::cout << render::render_swimlane_svg(*loaded.procedure, units);
  } else {
    std::cout << render::export_bpmn(*loaded.procedure, units);
  }
  return std::cout.good() ? kExitOk : kExitFailure;
}

}  // namespace

int run_procedure(std::span<const std::string> args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kHelp;
    return args.empty() ? kExitUsage : kExitOk;
  }
  std::string error;
  auto options = parse_options(args.subspan(1), error);
  if (!options) {
    std::cerr << "boligflyt procedure: " << error << "\n";
    return kExitUsage;
  }
  try {
    if (args[0] == "validate") return validate(*options);
    if (args[0] == "diff") return diff(*options);
    if (args[0] == "render") return render_file(*options);
  } catch (const std::exception& e) {
    std::cerr << "boligflyt procedure: " << e.what() << "\n";
    return kExitUsage;
  }
  std::cerr << "boligflyt procedure: ukjent underkommando «" << args[0] << "».\n" << kHelp;
  return kExitUsage;
}

}  // namespace boligflyt::cli

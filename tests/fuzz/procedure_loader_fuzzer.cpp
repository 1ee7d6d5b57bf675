// libFuzzer target for the procedure loader: arbitrary bytes as an uploaded procedure draft
// and as a unit registry. Whatever the bytes, loading must end in a model and/or diagnostics:
// no crash, no hang, no leak, and no attempt by libxml2 to fetch anything (a DTD, an entity, a
// schema named by xsi:schemaLocation).
//
// Built twice (tests/fuzz/CMakeLists.txt): with clang and -fsanitize=fuzzer,address,undefined
// for real fuzzing, and with the main compiler plus replay_main.cpp to replay the corpus.
// BOLIGFLYT_FUZZ_XSD, BOLIGFLYT_FUZZ_UNITS and BOLIGFLYT_FUZZ_CURRENT name the shipped schema,
// unit registry and current version; they are read once, at start-up.

#include <libxml/parser.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "procedure/diff.h"
#include "procedure/loader.h"
#include "util/utf8.h"

namespace {

using boligflyt::procedure::Diagnostics;
using boligflyt::procedure::ProcedureLoader;

struct Shipped {
  ProcedureLoader loader{BOLIGFLYT_FUZZ_XSD};
  boligflyt::procedure::UnitRegistry units;
  boligflyt::procedure::Procedure current;
};

const Shipped* shipped = nullptr;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "procedure_loader_fuzzer: %s\n", what.c_str());
  std::abort();
}

// Once the schema is compiled, nothing may come from outside the input. libxml2 asks this
// function for every external DTD, entity or schema document it wants, so any call is a bug.
xmlParserInputPtr refuse_external_load(const char* url, const char* id, xmlParserCtxtPtr) {
  fail(std::string("libxml2 tried to load an external resource: url=") + (url ? url : "(none)") +
       " id=" + (id ? id : "(none)"));
}

// Diagnostics go to procedure owners (CLI) and into problem+json (HTTP): each needs a code, a
// message, the caller's file name, and valid UTF-8 whatever the input was.
void check_diagnostics(const Diagnostics& diagnostics, const std::string& file) {
  for (const auto& d : diagnostics) {
    const auto text = boligflyt::procedure::format_diagnostic(d);
    if (d.code.empty() || d.message.empty()) fail("diagnostic without code or message: " + text);
    if (d.file != file) fail("diagnostic names another file: " + text);
    if (const auto bad = boligflyt::util::find_invalid_utf8(text)) {
      fail("diagnostic is not valid UTF-8 at byte " + std::to_string(*bad) + ": " + text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  auto* s = new Shipped;  // lives as long as the process; never freed, never a leak report
  auto units = s->loader.load_units_file(BOLIGFLYT_FUZZ_UNITS);
  if (!units.ok()) fail("the shipped unit registry does not load: " BOLIGFLYT_FUZZ_UNITS);
  s->units = *units.registry;
  auto current = s->loader.load_procedure_file(BOLIGFLYT_FUZZ_CURRENT, &s->units);
  if (!current.ok()) fail("the shipped current version does not load: " BOLIGFLYT_FUZZ_CURRENT);
  s->current = *current.procedure;
  shipped = s;
  xmlSetExternalEntityLoader(refuse_external_load);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);

  const std::string procedure_file = "fuzz-procedure.xml";
  const auto loaded = shipped->loader.load_procedure(xml, procedure_file, &shipped->units);
  check_diagnostics(loaded.diagnostics, procedure_file);
  if (loaded.procedure) {
    // An uploaded draft is diffed against the version in force, so the diff meets hostile
    // models too (duplicate ids, empty fields, odd durations).
    const auto diff =
        boligflyt::procedure::diff_procedures(shipped->current, *loaded.procedure, &shipped->units);
    static_cast<void>(boligflyt::procedure::diff_as_text(diff));
  }

  const std::string units_file = "fuzz-units.xml";
  const auto units = shipped->loader.load_units(xml, units_file);
  check_diagnostics(units.diagnostics, units_file);
  if (units.registry) {
    // A hostile registry checked against a real procedure: unit look-ups by any id.
    Diagnostics lint;
    boligflyt::procedure::lint_procedure(shipped->current, units_file, &*units.registry, lint);
    check_diagnostics(lint, units_file);
  }
  return 0;
}

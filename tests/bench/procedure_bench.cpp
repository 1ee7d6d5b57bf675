// How long loading the current boligflytprosedyre takes (intake, XSD validation, reading,
// semantic checks), beside what libxml2's own parse + XSD validation of the same bytes costs
// in the same run: the ratio says what our checks add on top of the validation we cannot skip.
// Figures are reported, never asserted: timing depends on the machine and its load.
//
// Besides time, each benchmark reports the peak heap of one call: this binary replaces malloc
// (forwarding to glibc, which documents the replacement) to count bytes while Google
// Benchmark's memory-measurement run is on. At the end the process's peak RSS is printed too.
//
// usage: procedure_bench [--benchmark_min_time=0.2] [other Google Benchmark flags]

#include <benchmark/benchmark.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "procedure/diff.h"
#include "procedure/loader.h"

// ---- Heap accounting -------------------------------------------------------------------------

// glibc's own allocator under its exported internal names; the replacements below forward to
// it, so memory from either side can be freed by the other.
// NOLINTBEGIN(bugprone-reserved-identifier): these are glibc's names, not ours.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}
// NOLINTEND(bugprone-reserved-identifier)

namespace {

struct HeapCounters {
  std::atomic<bool> on{false};
  std::atomic<std::int64_t> current{0};
  std::atomic<std::int64_t> peak{0};
  std::atomic<std::int64_t> allocations{0};
  std::atomic<std::int64_t> allocated{0};
};
HeapCounters heap;  // constant-initialised: usable before any constructor runs

void count_allocation(void* pointer) {
  if (pointer == nullptr || !heap.on.load(std::memory_order_relaxed)) return;
  const auto size = static_cast<std::int64_t>(malloc_usable_size(pointer));
  heap.allocations.fetch_add(1, std::memory_order_relaxed);
  heap.allocated.fetch_add(size, std::memory_order_relaxed);
  const auto now = heap.current.fetch_add(size, std::memory_order_relaxed) + size;
  auto peak = heap.peak.load(std::memory_order_relaxed);
  while (now > peak && !heap.peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void count_release(void* pointer) {
  if (pointer == nullptr || !heap.on.load(std::memory_order_relaxed)) return;
  heap.current.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(pointer)),
                         std::memory_order_relaxed);
}

}  // namespace

extern "C" {
void* malloc(std::size_t size) noexcept {
  void* pointer = __libc_malloc(size);
  count_allocation(pointer);
  return pointer;
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  void* pointer = __libc_calloc(count, size);
  count_allocation(pointer);
  return pointer;
}
void* realloc(void* old, std::size_t size) noexcept {
  count_release(old);
  void* pointer = __libc_realloc(old, size);
  // A failed realloc keeps the old block; count it again.
  count_allocation(pointer != nullptr || size == 0 ? pointer : old);
  return pointer;
}
void free(void* pointer) noexcept {
  count_release(pointer);
  __libc_free(pointer);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  void* pointer = __libc_memalign(alignment, size);
  count_allocation(pointer);
  return pointer;
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  return memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  void* pointer = memalign(alignment, size);
  if (pointer == nullptr) return ENOMEM;
  *out = pointer;
  return 0;
}
}

namespace {

// Google Benchmark runs each benchmark once more between Start and Stop (up to 16 iterations)
// to measure memory; the counters run only then, so timed runs pay for one relaxed load.
class HeapMemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override {
    heap.current = 0;
    heap.peak = 0;
    heap.allocations = 0;
    heap.allocated = 0;
    heap.on = true;
  }
  void Stop(Result& result) override {
    heap.on = false;
    result.num_allocs = heap.allocations;
    result.max_bytes_used = heap.peak;
    result.total_allocated_bytes = heap.allocated;
    result.net_heap_growth = heap.current;
  }
  void Stop(Result* result) override { Stop(*result); }
};

// ---- Inputs, prepared once before any benchmark runs -----------------------------------------

namespace procedure = boligflyt::procedure;

// The options XsdValidator::validate uses (plugin/src/procedure/xml_validation.cpp).
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Inputs {
  std::string v3_file =
      BOLIGFLYT_SOURCE_DIR "/procedures/boligflytprosedyre/boligflytprosedyre-3.0.xml";
  std::string v2_file =
      BOLIGFLYT_SOURCE_DIR "/procedures/boligflytprosedyre/boligflytprosedyre-2.0.xml";
  std::string xsd_file = BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd";
  std::string v3_xml = read_file(v3_file);
  procedure::ProcedureLoader loader{xsd_file};
  procedure::UnitRegistry units;
  procedure::Procedure v2;
  procedure::Procedure v3;
  xmlSchemaPtr schema = nullptr;  // libxml2's compiled XSD, for the baseline

  Inputs() {
    auto loaded_units = loader.load_units_file(BOLIGFLYT_SOURCE_DIR "/procedures/units.xml");
    if (!loaded_units.ok()) throw std::runtime_error("procedures/units.xml does not load");
    units = *loaded_units.registry;
    auto loaded_v2 = loader.load_procedure_file(v2_file, &units);
    auto loaded_v3 = loader.load_procedure(v3_xml, v3_file, &units);
    if (!loaded_v2.ok() || !loaded_v3.ok())
      throw std::runtime_error("shipped versions do not load");
    v2 = *loaded_v2.procedure;
    v3 = *loaded_v3.procedure;

    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd_file.c_str());
    schema = parser ? xmlSchemaParse(parser) : nullptr;
    xmlSchemaFreeParserCtxt(parser);
    if (schema == nullptr) throw std::runtime_error("libxml2 cannot compile " + xsd_file);
  }
  ~Inputs() { xmlSchemaFree(schema); }
  Inputs(const Inputs&) = delete;
  Inputs& operator=(const Inputs&) = delete;
};

const Inputs* inputs = nullptr;

// Parse + validate as libxml2 alone does it; returns xmlSchemaValidateDoc's result (0 = valid).
int libxml2_parse_and_validate(const std::string& xml, const std::string& file) {
  xmlDocPtr doc =
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), file.c_str(), "UTF-8", kParseOptions);
  if (doc == nullptr) return -1;
  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(inputs->schema);
  const int rc = context ? xmlSchemaValidateDoc(context, doc) : -1;
  xmlSchemaFreeValidCtxt(context);
  xmlFreeDoc(doc);
  return rc;
}

// ---- Benchmarks ------------------------------------------------------------------------------
// `for (auto _ : state)` is Google Benchmark's loop; the unused `_` is by design.
// NOLINTBEGIN(clang-analyzer-deadcode.DeadStores)

// What an upload or `boligflyt procedure validate` does with the current version.
void BM_LoadValidateLint_v3(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = inputs->loader.load_procedure(inputs->v3_xml, inputs->v3_file, &inputs->units);
    benchmark::DoNotOptimize(loaded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * inputs->v3_xml.size()));
}
BENCHMARK(BM_LoadValidateLint_v3)->Unit(benchmark::kMicrosecond);

// The floor: libxml2's parse and XSD validation of the same bytes, schema compiled once.
void BM_Libxml2ParseAndXsdValidate_v3(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(libxml2_parse_and_validate(inputs->v3_xml, inputs->v3_file));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * inputs->v3_xml.size()));
}
BENCHMARK(BM_Libxml2ParseAndXsdValidate_v3)->Unit(benchmark::kMicrosecond);

// Parts of the load, to see where the time above the floor goes.
void BM_Intake_v3(benchmark::State& state) {
  for (auto _ : state) {
    procedure::Diagnostics diagnostics;
    pugi::xml_document doc;
    benchmark::DoNotOptimize(
        procedure::check_xml_intake(inputs->v3_xml, inputs->v3_file, diagnostics, doc));
  }
}
BENCHMARK(BM_Intake_v3)->Unit(benchmark::kMicrosecond);

void BM_Lint_v3(benchmark::State& state) {
  for (auto _ : state) {
    procedure::Diagnostics diagnostics;
    procedure::lint_procedure(inputs->v3, inputs->v3_file, &inputs->units, diagnostics);
    benchmark::DoNotOptimize(diagnostics);
  }
}
BENCHMARK(BM_Lint_v3)->Unit(benchmark::kMicrosecond);

void BM_Diff_2_to_3(benchmark::State& state) {
  for (auto _ : state) {
    auto diff = procedure::diff_procedures(inputs->v2, inputs->v3, &inputs->units);
    benchmark::DoNotOptimize(diff);
  }
}
BENCHMARK(BM_Diff_2_to_3)->Unit(benchmark::kMicrosecond);
// NOLINTEND(clang-analyzer-deadcode.DeadStores)

// ---- Summary ---------------------------------------------------------------------------------

struct Figure {
  double cpu_us = 0;
  std::optional<std::int64_t> peak_heap_bytes;
};

// Prints as usual and keeps each benchmark's figure (the median when repeated) for the summary.
class SummaryReporter final : public benchmark::ConsoleReporter {
 public:
  // Colour only on a terminal: a custom reporter does not see --benchmark_color, and CTest logs
  // should not carry escape codes.
  SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      auto& figure = figures[run.run_name.function_name];
      figure.cpu_us = run.GetAdjustedCPUTime() * in_microseconds(run.time_unit);
      if (run.memory_result != nullptr) figure.peak_heap_bytes = run.memory_result->max_bytes_used;
    }
  }

  std::map<std::string, Figure> figures;

 private:
  static double in_microseconds(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond: return 1e-3;
      case benchmark::kMicrosecond: return 1;
      case benchmark::kMillisecond: return 1e3;
      case benchmark::kSecond: return 1e6;
    }
    return 1;
  }
};

std::string heap_text(const Figure& figure) {
  if (!figure.peak_heap_bytes) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MiB",
                static_cast<double>(*figure.peak_heap_bytes) / (1024.0 * 1024.0));
  return text;
}

void print_summary(const std::map<std::string, Figure>& figures) {
  const auto find = [&](const char* name) -> const Figure* {
    const auto it = figures.find(name);
    return it == figures.end() ? nullptr : &it->second;
  };
  std::printf("\n== summary (same run; CPU time per call; peak heap of one call)\n");
  const auto* ours = find("BM_LoadValidateLint_v3");
  const auto* floor = find("BM_Libxml2ParseAndXsdValidate_v3");
  if (ours != nullptr && floor != nullptr && floor->cpu_us > 0) {
    std::printf(
        "load+validate+lint 3.0: ours %.1f µs vs libxml2 parse+XSD %.1f µs (ratio %.2f); "
        "peak heap ours %s vs libxml2 %s\n",
        ours->cpu_us, floor->cpu_us, ours->cpu_us / floor->cpu_us, heap_text(*ours).c_str(),
        heap_text(*floor).c_str());
  }
  const auto* intake = find("BM_Intake_v3");
  const auto* lint = find("BM_Lint_v3");
  if (ours != nullptr && intake != nullptr && lint != nullptr) {
    std::printf("  of which intake (UTF-8, pugixml, DOCTYPE check) %.1f µs, lint %.1f µs\n",
                intake->cpu_us, lint->cpu_us);
  }
  if (const auto* diff = find("BM_Diff_2_to_3")) {
    std::printf("diff 2.0 -> 3.0: %.1f µs; peak heap %s\n", diff->cpu_us, heap_text(*diff).c_str());
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("process peak RSS (getrusage ru_maxrss): %.1f MiB\n",
              static_cast<double>(usage.ru_maxrss) / 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    static const Inputs prepared;
    inputs = &prepared;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "procedure_bench: %s\n", e.what());
    return 1;
  }
  HeapMemoryManager memory;
  benchmark::RegisterMemoryManager(&memory);
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::RegisterMemoryManager(nullptr);
  print_summary(reporter.figures);
  benchmark::Shutdown();
  return 0;
}

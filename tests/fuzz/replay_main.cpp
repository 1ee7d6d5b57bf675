// Runs the fuzz target over files and folders of inputs, built with the main compiler and
// without libFuzzer, so every test run replays the seed corpus and every input that ever found
// a bug (kept in tests/fuzz/corpus/ as a regression seed).
//
// usage: procedure_loader_fuzz_replay FILE_OR_FOLDER...

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> collect_inputs(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else if (fs::is_regular_file(arg)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "fuzz replay: FAIL: %s is neither a file nor a folder\n", argv[i]);
      std::exit(1);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  const auto inputs = collect_inputs(argc, argv);
  if (inputs.empty()) {
    std::fprintf(stderr, "fuzz replay: FAIL: no inputs (usage: %s FILE_OR_FOLDER...)\n", argv[0]);
    return 1;
  }
  LLVMFuzzerInitialize(&argc, &argv);

  double slowest_ms = 0;
  fs::path slowest;
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Printed before the run, so a crash names the input that caused it.
    std::printf("replay %s (%zu bytes)\n", path.c_str(), bytes.size());
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (took.count() > slowest_ms) {
      slowest_ms = took.count();
      slowest = path;
    }
  }
  std::printf("fuzz replay: OK: %zu inputs, slowest %.1f ms (%s)\n", inputs.size(), slowest_ms,
              slowest.filename().c_str());
  return 0;
}

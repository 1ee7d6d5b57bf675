// libFuzzer target for the archive's receipt parser: the XML that comes back from outside
// (the archive's inbox folder). Whatever the bytes: a Receipt or a Norwegian error, no
// crash, no hang, no fetch of anything the document names, and what it returns is usable —
// valid UTF-8 in every text, a kvittering that carries the key it answers.
//
// Built with libFuzzer by run_libfuzzer.cmake and, without it, as fuzz.replay.receipt over
// the seeds in tests/fuzz/seeds/receipt/.

#include <libxml/parser.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archive/arkivmelding.h"
#include "util/utf8.h"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "receipt_fuzzer: %s\n", what.c_str());
  std::abort();
}

xmlParserInputPtr refuse_external_load(const char* url, const char*, xmlParserCtxtPtr) {
  fail(std::string("libxml2 tried to load an external resource: ") + (url ? url : "(none)"));
}

void check_text(std::string_view what, const std::string& text) {
  if (const auto bad = boligflyt::util::find_invalid_utf8(text)) {
    fail(std::string(what) + " is not valid UTF-8 at byte " + std::to_string(*bad));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  xmlSetExternalEntityLoader(refuse_external_load);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const auto receipt = boligflyt::archive::parse_receipt(xml, std::nullopt);
  if (!receipt) {
    const auto& e = receipt.error();
    if (e.detail.empty()) fail("an error without a detail for people");
    check_text("error detail", e.detail);
    return 0;
  }
  check_text("system_id", receipt->system_id);
  check_text("case_number", receipt->case_number);
  check_text("journalpost_number", receipt->journalpost_number);
  check_text("error_message", receipt->error_message);
  check_text("error_type", receipt->error_type);
  return 0;
}

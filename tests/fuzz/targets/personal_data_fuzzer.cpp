// libFuzzer target for the personal-data guard (deviation/personal_data.h): free text in,
// a national identity number found or not. What must hold whatever the bytes:
//   * a match points at a real, valid number inside the text (11 digits, or 6 + separator +
//     5), with a 1-based code-point position that agrees with its byte offset;
//   * check_free_text refuses exactly when find_national_id finds one, and its message never
//     repeats the digits it found;
//   * no crash, no hang on any bytes, valid UTF-8 or not.
// Built with libFuzzer by run_libfuzzer.cmake and, without it, as fuzz.replay.personal_data
// over the seeds in tests/fuzz/seeds/personal_data/.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "deviation/personal_data.h"
#include "util/utf8.h"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "personal_data_fuzzer: %s\n", what.c_str());
  std::abort();
}

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace boligflyt::deviation;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto match = find_national_id(text);
  const auto checked = check_free_text("description", "beskrivelse", text);
  if (match.has_value() == checked.ok()) {
    fail("check_free_text and find_national_id disagree");
  }
  if (!match) return 0;

  if (match->byte_offset + 11 > text.size()) fail("match runs past the end of the text");
  std::string digits;
  for (std::size_t i = match->byte_offset; i < text.size() && digits.size() < 11; ++i) {
    if (digit(text[i])) {
      digits += text[i];
    } else if (digits.size() != 6) {
      break;  // only the one separator after the birth date
    }
  }
  if (digits.size() != 11) fail("match does not start 11 digits: " + digits);
  if (!is_valid_national_id(digits)) fail("match is not a valid number: " + digits);
  if (match->byte_offset > 0 && digit(text[match->byte_offset - 1])) {
    fail("match starts inside a longer digit run");
  }
  // Positions are for people, in code points: checked where the text before is valid UTF-8.
  std::size_t code_points = 0;
  for (std::size_t i = 0; i < match->byte_offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++code_points;
  }
  const bool prefix_valid =
      !boligflyt::util::find_invalid_utf8(text.substr(0, match->byte_offset)).has_value();
  if (prefix_valid && match->position != code_points + 1) {
    fail("position " + std::to_string(match->position) + " does not agree with byte offset " +
         std::to_string(match->byte_offset));
  }
  const auto& e = checked.error();
  if (e.field != "description") fail("the refusal names another field: " + e.field);
  if (e.detail.find(digits) != std::string::npos ||
      e.detail.find(digits.substr(0, 6)) != std::string::npos) {
    fail("the refusal repeats the number it found");
  }
  return 0;
}

#include "deviation/personal_data.h"

#include <array>
#include <string>

namespace boligflyt::deviation {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit(char c) { return c - '0'; }

int two_digits(std::string_view s, std::size_t at) { return digit(s[at]) * 10 + digit(s[at + 1]); }

// A check digit is right when the weighted sum over the digits before it, plus the check digit
// itself (weight 1), is a multiple of 11. That is the same as "11 - sum mod 11, where 11 gives
// 0 and 10 is impossible": when the remainder would demand 10, no digit satisfies it.
constexpr std::array<int, 10> kWeights1 = {3, 7, 6, 1, 8, 9, 4, 5, 2, 1};
constexpr std::array<int, 11> kWeights2 = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1};

template <std::size_t N>
bool weighted_sum_divisible(std::string_view digits, const std::array<int, N>& weights) {
  int sum = 0;
  for (std::size_t i = 0; i < N; ++i) sum += digit(digits[i]) * weights[i];
  return sum % 11 == 0;
}

bool plausible_date(std::string_view digits) {
  const int day = two_digits(digits, 0);
  const int month = two_digits(digits, 2);
  const bool day_ok = (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
  const bool month_ok =
      (month >= 1 && month <= 12) || (month >= 41 && month <= 52) || (month >= 81 && month <= 92);
  return day_ok && month_ok;
}

// Length in bytes of the separator allowed inside "DDMMYY NNNNN" at `at`, or 0.
std::size_t separator_length(std::string_view text, std::size_t at) {
  const std::string_view rest = text.substr(at);
  if (rest.starts_with(' ') || rest.starts_with('-')) return 1;
  if (rest.starts_with("\u00A0")) return 2;  // no-break space
  if (rest.starts_with("\u202F")) return 3;  // narrow no-break space
  return 0;
}

std::size_t digit_run_end(std::string_view text, std::size_t from) {
  while (from < text.size() && is_digit(text[from])) ++from;
  return from;
}

std::size_t code_point_position(std::string_view text, std::size_t byte_offset) {
  std::size_t position = 1;
  for (std::size_t i = 0; i < byte_offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++position;  // not a continuation
  }
  return position;
}

}  // namespace

bool is_valid_national_id(std::string_view eleven_digits) {
  if (eleven_digits.size() != 11) return false;
  for (const char c : eleven_digits) {
    if (!is_digit(c)) return false;
  }
  return weighted_sum_divisible(eleven_digits, kWeights1) &&
         weighted_sum_divisible(eleven_digits, kWeights2) && plausible_date(eleven_digits);
}

std::optional<NationalIdMatch> find_national_id(std::string_view utf8_text) {
  std::size_t i = 0;
  while (i < utf8_text.size()) {
    if (!is_digit(utf8_text[i])) {
      ++i;
      continue;
    }
    // A maximal run of digits: nothing before it is a digit (we would be inside the run).
    const std::size_t start = i;
    const std::size_t end = digit_run_end(utf8_text, start);
    std::string candidate;
    if (end - start == 11) {
      candidate = utf8_text.substr(start, 11);
    } else if (end - start == 6) {
      const std::size_t sep = separator_length(utf8_text, end);
      const std::size_t second = end + sep;
      if (sep > 0 && second < utf8_text.size() && is_digit(utf8_text[second]) &&
          digit_run_end(utf8_text, second) - second == 5) {
        candidate =
            std::string(utf8_text.substr(start, 6)) + std::string(utf8_text.substr(second, 5));
      }
    }
    if (!candidate.empty() && is_valid_national_id(candidate)) {
      return NationalIdMatch{start, code_point_position(utf8_text, start),
                             digit(candidate[0]) >= 4};
    }
    i = end;
  }
  return std::nullopt;
}

Result<void> check_free_text(std::string_view field, std::string_view label,
                             std::string_view utf8_text) {
  const auto match = find_national_id(utf8_text);
  if (!match) return {};
  const std::string position = std::to_string(match->position);
  auto e = domain_error(
      ErrorKind::kPersonalData, "personal-data",
      "Feltet «" + std::string(label) +
          "» inneholder noe som ser ut som et fødselsnummer eller D-nummer (fra "
          "tegn " +
          position +
          "). Avvik skal handle om prosedyren, ikke om personer: fjern nummeret, "
          "eller bruk saksnummeret i arkivet.",
      std::string(field),
      // Where, and which kind; never the digits.
      "free text refused: field " + std::string(field) + " holds a national identity number (" +
          (match->d_number ? "D-nummer" : "fødselsnummer") + ") at code point " + position);
  e.position = match->position;
  return e;
}

}  // namespace boligflyt::deviation

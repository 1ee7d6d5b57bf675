#pragma once
// THE saksnummer rule (Noark 5: saksår/sakssekvensnummer, "2026/4185"), used where an avvik
// is registered and where its arkivmelding is built, so that whatever registration accepts
// is exported. Both parts become xs:int in the arkivmelding: a year 1900–2099 and a sequence
// of at most nine digits stay in range, and no leading zeros, because "2026/0042" would come
// back from the archive as 2026/42 and no longer match.

#include <optional>
#include <string>
#include <string_view>

namespace boligflyt {

struct Saksnummer {
  std::string year;      // "2026"
  std::string sequence;  // "4185"
};

inline std::optional<Saksnummer> parse_saksnummer(std::string_view text) {
  const auto slash = text.find('/');
  if (slash != 4) return std::nullopt;
  const auto year = text.substr(0, 4);
  const auto sequence = text.substr(5);
  auto digits = [](std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!digits(year) || !(year.starts_with("19") || year.starts_with("20"))) return std::nullopt;
  if (!digits(sequence) || sequence.size() > 9 || sequence[0] == '0') return std::nullopt;
  return Saksnummer{std::string(year), std::string(sequence)};
}

inline bool is_valid_saksnummer(std::string_view text) {
  return parse_saksnummer(text).has_value();
}

}  // namespace boligflyt

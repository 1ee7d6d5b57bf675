#pragma once
// THE saksnummer rule (Noark 5 M011 saksår / M012 sakssekvensnummer), used where an avvik is
// registered and where its arkivmelding is built, so that whatever registration accepts is
// exported. The same grammar reads journalpost references (M013 journalår / M014
// journalsekvensnummer, "2026/4185"; or saksnummer plus M015 journalpostnummer, "2026/4185-3").
//
// Norwegian sak/arkiv systems print one number in several forms: "2026/4185" (Noark 5's own),
// "26/04185" (two-digit year, sequence padded to five digits: Elements/ePhorte), and
// "2026/004185" (padded to six: Public 360 and others). They are the same case, so each is
// normalised once, at registration, to the canonical "YYYY/N" without leading zeros: the
// archive answers with xs:int values, so the canonical form is what comes back and matches.
//
// A two-digit year YY is read in a sliding window: 20YY when that is no later than next year
// (a case number cannot be from further ahead), else 19YY. So in 2026 "26/04185" is 2026/4185,
// "27/1" is 2027/1 and "98/01234" is 1998/1234. A four-digit year is taken as written.
//
// Refused, because no archive would accept or print them: a year outside 1900–2099 (year 0
// included), sequence 0, more than nine significant digits (xs:int), more than ten digits as
// typed (padding included), any other separator or character.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace boligflyt {

struct Saksnummer {
  int year = 0;                  // 1900–2099
  std::int64_t sequence = 0;     // 1–999999999
  std::int64_t document = 0;     // journalpostnummer after "-", 0 when none
  std::string canonical() const  // "2026/4185" or "2026/4185-3"
  {
    std::string out = std::to_string(year) + "/" + std::to_string(sequence);
    if (document > 0) out += "-" + std::to_string(document);
    return out;
  }
};

/// What parse_archive_number makes of a text: the number, or why not (Norwegian, for the user;
/// it never repeats the text).
struct SaksnummerParse {
  std::optional<Saksnummer> value;
  std::string problem;
};

namespace detail {

inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

inline std::int64_t digits_value(std::string_view s) {
  std::int64_t v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

/// A run of digits with leading zeros allowed; 0 when it has none significant, -1 when too long.
inline std::int64_t padded_number(std::string_view s) {
  if (s.size() > 10) return -1;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s.size() > 9) return -1;
  return digits_value(s);
}

}  // namespace detail

/// Reads a saksnummer ("2026/4185", "26/04185", "2026/004185"), and with `allow_document` a
/// journalpost reference too ("2026/4185-3"). `this_year` is Norway's current year, for the
/// two-digit window; a four-digit year never depends on it, so a canonical form always reads
/// back the same. Surrounding spaces are ignored.
inline SaksnummerParse parse_archive_number(std::string_view text, int this_year,
                                            bool allow_document = false) {
  const auto fail = [](std::string problem) {
    return SaksnummerParse{std::nullopt, std::move(problem)};
  };
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  const std::string shape = allow_document ? "ÅÅÅÅ/N eller ÅÅÅÅ/N-D, for eksempel 2026/4185-3"
                                           : "ÅÅÅÅ/N, for eksempel 2026/4185 eller 26/04185";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return fail("Nummeret må skrives " + shape + ".");
  const auto year_text = text.substr(0, slash);
  auto rest = text.substr(slash + 1);
  std::string_view document_text;
  if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
    if (!allow_document) {
      return fail("Dette ser ut som et dokumentnummer. Oppgi saksnummeret uten «-" +
                  std::string(rest.substr(dash + 1).substr(0, 6)) + "».");
    }
    document_text = rest.substr(dash + 1);
    rest = rest.substr(0, dash);
    if (!detail::all_digits(document_text)) return fail("Nummeret må skrives " + shape + ".");
  }
  if (!detail::all_digits(year_text) || !detail::all_digits(rest)) {
    return fail("Nummeret må skrives " + shape + ".");
  }
  int year = 0;
  if (year_text.size() == 2) {
    const int yy = static_cast<int>(detail::digits_value(year_text));
    year = 2000 + yy <= this_year + 1 ? 2000 + yy : 1900 + yy;
  } else if (year_text.size() == 4) {
    year = static_cast<int>(detail::digits_value(year_text));
  } else {
    return fail("Året må ha to eller fire sifre.");
  }
  if (year < 1900 || year > 2099) return fail("Året må være mellom 1900 og 2099.");
  const auto sequence = detail::padded_number(rest);
  if (sequence < 0) return fail("Løpenummeret er for langt (høyst ni sifre).");
  if (sequence == 0) return fail("Løpenummeret kan ikke være 0.");
  Saksnummer n{year, sequence, 0};
  if (!document_text.empty()) {
    const auto document = detail::padded_number(document_text);
    if (document < 0) return fail("Dokumentnummeret er for langt (høyst ni sifre).");
    if (document == 0) return fail("Dokumentnummeret kan ikke være 0.");
    n.document = document;
  }
  return SaksnummerParse{n, {}};
}

/// A saksnummer in any accepted form, or nullopt.
inline std::optional<Saksnummer> parse_saksnummer(std::string_view text, int this_year) {
  return parse_archive_number(text, this_year).value;
}

/// True for the stored, canonical form ("2026/4185"): what the export reads back. Four-digit
/// years only, so no clock is involved.
inline bool is_canonical_saksnummer(std::string_view text) {
  const auto n = parse_saksnummer(text, 0);
  return n && n->canonical() == text;
}

}  // namespace boligflyt

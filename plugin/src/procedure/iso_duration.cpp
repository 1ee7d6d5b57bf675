#include "procedure/iso_duration.h"

#include <charconv>
#include <vector>

namespace boligflyt::procedure {
namespace {

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string join_words(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? " og " : ", ";
    out += parts[i];
  }
  return out;
}

}  // namespace

std::optional<IsoDuration> parse_iso_duration(std::string_view s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  IsoDuration d;
  bool in_time = false;
  bool any = false;
  std::string_view order_date = "YMWD";
  std::string_view order_time = "HMS";
  std::size_t date_pos = 0, time_pos = 0;
  std::size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time || i + 1 == s.size()) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || (in_time && s[i] == '.'))) ++i;
    if (i == start || i == s.size()) return std::nullopt;
    const char unit = s[i];
    const std::string_view number = s.substr(start, i - start);
    ++i;
    double value = 0;
    int whole = 0;
    if (unit == 'S') {
      if (std::from_chars(number.data(), number.data() + number.size(), value).ec != std::errc())
        return std::nullopt;
    } else {
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), whole);
      if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
    }
    // Components must come in order and at most once.
    auto& order = in_time ? order_time : order_date;
    auto& pos = in_time ? time_pos : date_pos;
    const auto found = order.find(unit, pos);
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 1;
    any = true;
    if (!in_time) {
      if (unit == 'Y') d.years = whole;
      else if (unit == 'M') d.months = whole;
      else if (unit == 'W') d.weeks = whole;
      else d.days = whole;
    } else {
      if (unit == 'H') d.hours = whole;
      else if (unit == 'M') d.minutes = whole;
      else d.seconds = value;
    }
  }
  if (!any) return std::nullopt;
  return d;
}

double IsoDuration::approximate_days() const {
  return years * 365.0 + months * 30.0 + weeks * 7.0 + days + hours / 24.0 + minutes / 1440.0 +
         seconds / 86400.0;
}

std::string IsoDuration::in_words() const {
  std::vector<std::string> parts;
  if (years) parts.push_back(plural(years, "år", "år"));
  if (months) parts.push_back(plural(months, "måned", "måneder"));
  if (weeks) parts.push_back(plural(weeks, "uke", "uker"));
  if (days) parts.push_back(plural(days, "dag", "dager"));
  if (hours) parts.push_back(plural(hours, "time", "timer"));
  if (minutes) parts.push_back(plural(minutes, "minutt", "minutter"));
  if (seconds > 0) parts.push_back(std::to_string(static_cast<int>(seconds)) + " sekunder");
  if (parts.empty()) return "straks";
  return join_words(parts);
}

std::optional<IsoRecurrence> parse_iso_recurrence(std::string_view s) {
  if (s.size() < 4 || s[0] != 'R') return std::nullopt;
  IsoRecurrence r;
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  if (slash > 1) {
    int n = 0;
    auto [ptr, ec] = std::from_chars(s.data() + 1, s.data() + slash, n);
    if (ec != std::errc() || ptr != s.data() + slash || n <= 0) return std::nullopt;
    r.repetitions = n;
  }
  std::string_view rest = s.substr(slash + 1);
  if (const auto second = rest.find('/'); second != std::string_view::npos) {
    r.start = std::string(rest.substr(0, second));
    if (r.start.size() != 10) return std::nullopt;
    rest = rest.substr(second + 1);
  }
  auto interval = parse_iso_duration(rest);
  if (!interval || interval->approximate_days() <= 0) return std::nullopt;
  r.interval = *interval;
  return r;
}

std::string IsoRecurrence::in_words() const {
  const auto& d = interval;
  std::string every;
  const bool single = (d.years != 0) + (d.months != 0) + (d.weeks != 0) + (d.days != 0) +
                          (d.hours != 0) + (d.minutes != 0) ==
                      1;
  if (single && d.weeks == 1) every = "hver uke";
  else if (single && d.days == 1) every = "hver dag";
  else if (single && d.months == 1) every = "hver måned";
  else if (single && d.years == 1) every = "hvert år";
  else if (single && d.days) every = "hver " + std::to_string(d.days) + ". dag";
  else if (single && d.weeks) every = "hver " + std::to_string(d.weeks) + ". uke";
  else if (single && d.months) every = "hver " + std::to_string(d.months) + ". måned";
  else if (single && d.years) every = "hvert " + std::to_string(d.years) + ". år";
  else every = "hver " + d.in_words();
  if (repetitions) every += " (" + std::to_string(*repetitions) + " ganger)";
  return every;
}

}  // namespace boligflyt::procedure

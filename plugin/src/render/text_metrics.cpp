#include "render/text_metrics.h"

#include <array>
#include <cstdint>

namespace boligflyt::render {
namespace {

// Advance widths in 1/1000 em of Liberation Sans (metric-compatible with Arial), read from
// the Debian fonts-liberation files: U+0020..U+007E, then U+00A0..U+00FF.
constexpr std::array<std::uint16_t, 191> kRegular = {
    278, 278, 355, 556, 556, 889, 667, 191,  333, 333, 389, 584, 278, 333, 278,  278, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 556,  278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
    722, 667, 611, 778, 722, 278, 500, 667,  556, 833, 722, 778, 667, 778, 722,  667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278,  469, 556, 333, 556, 556, 500, 556,  556, 278, 556,
    556, 222, 222, 500, 222, 833, 556, 556,  556, 556, 333, 500, 278, 556, 500,  722, 500, 500,
    500, 334, 260, 334, 584, 278, 333, 556,  556, 556, 556, 260, 556, 333, 737,  370, 556, 584,
    333, 737, 552, 400, 549, 333, 333, 333,  576, 537, 278, 333, 333, 365, 556,  834, 834, 834,
    611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278,  278, 278, 722,
    722, 778, 778, 778, 778, 778, 584, 778,  722, 722, 722, 722, 667, 667, 611,  556, 556, 556,
    556, 556, 556, 889, 500, 556, 556, 556,  556, 278, 278, 278, 278, 556, 556,  556, 556, 556,
    556, 556, 549, 611, 556, 556, 556, 556,  500, 556, 500,
};
constexpr std::array<std::uint16_t, 191> kBold = {
    278, 333, 474, 556, 556, 889, 722, 238,  333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 556,  333, 333, 584, 584, 584, 611, 975, 722, 722, 722,
    722, 667, 611, 778, 722, 278, 556, 722,  611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 333, 278, 333,  584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
    611, 278, 278, 556, 278, 889, 611, 611,  611, 611, 389, 556, 333, 611, 556, 778, 556, 556,
    500, 389, 280, 389, 584, 278, 333, 556,  556, 556, 556, 280, 556, 333, 737, 370, 556, 584,
    333, 737, 552, 400, 549, 333, 333, 333,  576, 556, 278, 333, 333, 365, 556, 834, 834, 834,
    611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722,
    722, 778, 778, 778, 778, 778, 584, 778,  722, 722, 722, 722, 667, 667, 611, 556, 556, 556,
    556, 556, 556, 889, 556, 556, 556, 556,  556, 278, 278, 278, 278, 611, 611, 611, 611, 611,
    611, 611, 549, 611, 611, 611, 611, 611,  556, 611, 556,
};

int glyph_width(char32_t c, bool bold) {
  const auto& table = bold ? kBold : kRegular;
  if (c >= 0x20 && c <= 0x7e) return table[c - 0x20];
  if (c >= 0xa0 && c <= 0xff) return table[c - 0xa0 + 95];
  switch (c) {
    case U'\u2013': return 556;  // en dash
    case U'\u2018':
    case U'\u2019': return bold ? 278 : 222;
    case U'\u201c':
    case U'\u201d': return bold ? 500 : 333;
    case U'\u2022': return 350;
    // Em dash, ellipsis and arrow are 1000 wide; anything unknown is assumed as wide, so text
    // measured to fit never overflows its box.
    default: return 1000;
  }
}

// Decodes one UTF-8 sequence at `i` (advancing it); malformed bytes count as one wide glyph.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80           ? 1
                    : (b0 >> 5) == 0x6  ? 2
                    : (b0 >> 4) == 0xe  ? 3
                    : (b0 >> 3) == 0x1e ? 4
                                        : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xfffd;
  }
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
  for (std::size_t k = 1; k < len; ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return c;
}

}  // namespace

long text_em_units(std::string_view utf8, bool bold) {
  long units = 0;
  for (std::size_t i = 0; i < utf8.size();) units += glyph_width(next_code_point(utf8, i), bold);
  return units;
}

int text_width(std::string_view utf8, const Font& font) {
  // Rounded up, plus a 3 % allowance for hinting and kerning differences between renderers.
  const long scaled = text_em_units(utf8, font.bold) * font.size_px * 103;
  return static_cast<int>((scaled + 99999) / 100000);
}

namespace {

bool fits(std::string_view text, const Font& font, int max_px) {
  return text_width(text, font) <= max_px;
}

// The longest prefix of `word` (whole code points) that fits, at least one code point.
std::size_t fitting_prefix(std::string_view word, const Font& font, int max_px) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < word.size();) {
    std::size_t next = i;
    next_code_point(word, next);
    if (end > 0 && !fits(word.substr(0, next), font, max_px)) break;
    end = next;
    i = next;
  }
  return end;
}

}  // namespace

std::string fit_with_ellipsis(std::string_view text, const Font& font, int max_px) {
  if (fits(text, font, max_px)) return std::string(text);
  static constexpr std::string_view kEllipsis = "\u2026";
  std::size_t end = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t next = i;
    next_code_point(text, next);
    std::string candidate(text.substr(0, next));
    candidate += kEllipsis;
    if (!fits(candidate, font, max_px)) break;
    end = next;
    i = next;
  }
  std::string out(text.substr(0, end));
  while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
  out += kEllipsis;
  return out;
}

std::vector<std::string> wrap_text(std::string_view text, const Font& font, int max_px,
                                   std::size_t max_lines) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n' && text[j] != '\t') ++j;
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j;
  }
  std::vector<std::string> lines;
  std::string line;
  bool cut = false;
  for (std::size_t w = 0; w < words.size(); ++w) {
    std::string_view word = words[w];
    std::string candidate = line.empty() ? std::string(word) : line + " " + std::string(word);
    if (fits(candidate, font, max_px)) {
      line = std::move(candidate);
      continue;
    }
    if (!line.empty()) {
      lines.push_back(line);
      line.clear();
      if (max_lines != 0 && lines.size() == max_lines) {
        cut = true;
        break;
      }
    }
    // A word wider than a whole line is broken where it must be.
    while (!fits(word, font, max_px)) {
      const std::size_t n = fitting_prefix(word, font, max_px);
      lines.emplace_back(word.substr(0, n));
      word.remove_prefix(n);
      if (max_lines != 0 && lines.size() == max_lines) break;
    }
    if (max_lines != 0 && lines.size() == max_lines) {
      cut = !word.empty() || w + 1 < words.size();
      break;
    }
    line = std::string(word);
  }
  if (!cut && !line.empty()) lines.push_back(line);
  if (cut && !lines.empty()) {
    std::string& last = lines.back();
    while (!last.empty() && (last.back() == ',' || last.back() == ' ')) last.pop_back();
    if (fits(last + "\u2026", font, max_px)) {
      last += "\u2026";
    } else {
      last = fit_with_ellipsis(last, font, max_px);
    }
  }
  return lines;
}

}  // namespace boligflyt::render

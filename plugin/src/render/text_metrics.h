#pragma once
// Text measurement for the diagrams. SVG has no line breaking, so the renderers measure text
// themselves: with the advance widths of Liberation Sans (metric-compatible with Arial, the
// font the diagrams ask for first), integer arithmetic only, so a layout never depends on the
// machine that computed it.

#include <string>
#include <string_view>
#include <vector>

namespace boligflyt::render {

struct Font {
  int size_px = 12;
  bool bold = false;
};

/// Sum of the advance widths of `utf8` in 1/1000 em.
long text_em_units(std::string_view utf8, bool bold);

/// Width in px, rounded up, with a small allowance so that text measured to fit does fit.
int text_width(std::string_view utf8, const Font& font);

/// `text` itself when it fits in `max_px`, otherwise the longest prefix that fits with "…".
std::string fit_with_ellipsis(std::string_view text, const Font& font, int max_px);

/// Greedy word wrap into lines no wider than `max_px`; a word wider than a line is broken.
/// With `max_lines` > 0 at most that many lines, the last ending in "…" when text was cut.
std::vector<std::string> wrap_text(std::string_view text, const Font& font, int max_px,
                                   std::size_t max_lines = 0);

}  // namespace boligflyt::render

#pragma once
// Internal to the swimlane picture (swimlane_svg.cpp, swimlane_legend.cpp): colours, text
// and box metrics, and the drawing context of one procedure. Not for other users.

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "procedure/model.h"
#include "render/markup.h"
#include "render/swimlane_layout.h"
#include "render/swimlane_svg.h"
#include "render/text_metrics.h"
#include "render/wording.h"

namespace boligflyt::render::svg_detail {

using procedure::Procedure;
using procedure::Step;
using procedure::UnitRegistry;

constexpr const char* kFontFamily = "&#39;Liberation Sans&#39;, Arial, Helvetica, sans-serif";
constexpr const char* kInk = "#14212e";
constexpr const char* kMuted = "#44546a";
constexpr const char* kLine = "#3b4a59";
constexpr const char* kNavy = "#1f3b57";
constexpr const char* kAccent = "#0b57d0";
constexpr const char* kAlarm = "#9b1c1c";
constexpr int kMargin = 16;

struct KindColours {
  const char* fill;
  const char* stroke;
};

inline KindColours kind_colours(std::string_view kind) {
  if (kind == "decision") return {"#fff4d6", "#9a6700"};
  if (kind == "meeting") return {"#e6f4ea", "#2f7a45"};
  if (kind == "event") return {"#f1ecfa", "#6a4c9c"};
  return {"#ffffff", "#4a6781"};
}

// Heat scale for avvik counts, in five steps relative to the step with the most. Dark text
// stays above 4.5:1 on every step.
constexpr const char* kHeat[] = {"#fff0c2", "#ffd98a", "#ffbd66", "#fb9a52", "#f47a45"};

inline int heat_bucket(int count, int max) {
  if (count <= 0 || max <= 0) return 0;
  return std::clamp((count * 5 + max - 1) / max, 1, 5);
}

inline std::string n(int v) { return std::to_string(v); }

struct TextStyle {
  int size = 12;
  bool bold = false;
  const char* fill = kInk;
  const char* anchor = nullptr;  // "middle", "end"
};

inline void text(std::string& out, int x, int y, const TextStyle& style, std::string_view content) {
  out += "<text x=\"" + n(x) + "\" y=\"" + n(y) + "\" font-size=\"" + n(style.size) + "\"";
  if (style.bold) out += " font-weight=\"bold\"";
  out += " fill=\"";
  out += style.fill;
  out += "\"";
  if (style.anchor) {
    out += " text-anchor=\"";
    out += style.anchor;
    out += "\"";
  }
  out += ">";
  append_escaped(out, content);
  out += "</text>\n";
}

inline void title_element(std::string& out, std::string_view content) {
  out += "<title>";
  append_escaped(out, content);
  out += "</title>";
}

inline int sign(int v) { return (v > 0) - (v < 0); }

// An orthogonal polyline with its corners rounded a little (quadratic curves).
inline std::string path_data(const std::vector<Point>& raw, int radius) {
  std::vector<Point> pts;
  for (const auto& p : raw) {
    if (!pts.empty() && pts.back() == p) continue;
    // Drop a middle point of three on one line.
    if (pts.size() >= 2) {
      const Point& a = pts[pts.size() - 2];
      const Point& b = pts.back();
      if ((a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y)) pts.pop_back();
    }
    pts.push_back(p);
  }
  std::string d = "M" + n(pts.front().x) + " " + n(pts.front().y);
  for (std::size_t i = 1; i + 1 < pts.size(); ++i) {
    const Point& a = pts[i - 1];
    const Point& b = pts[i];
    const Point& c = pts[i + 1];
    const int in_len = std::abs(b.x - a.x) + std::abs(b.y - a.y);
    const int out_len = std::abs(c.x - b.x) + std::abs(c.y - b.y);
    const int r = std::min({radius, in_len / 2, out_len / 2});
    const Point before{b.x - sign(b.x - a.x) * r, b.y - sign(b.y - a.y) * r};
    const Point after{b.x + sign(c.x - b.x) * r, b.y + sign(c.y - b.y) * r};
    d += " L" + n(before.x) + " " + n(before.y) + " Q" + n(b.x) + " " + n(b.y) + " " + n(after.x) +
         " " + n(after.y);
  }
  if (pts.size() >= 2) d += " L" + n(pts.back().x) + " " + n(pts.back().y);
  return d;
}

// Deadline or recurrence, in a few words, for the bottom line of a box.
inline std::string meta_line(const Step& s) {
  std::string meta;
  if (!s.deadlines.empty()) meta = deadline_brief(s.deadlines.front());
  if (!s.recurrence.empty()) {
    const std::string every = capitalized(recurrence_in_words(s.recurrence));
    meta = meta.empty() ? every : meta + " \u00b7 " + every;
  }
  return meta;
}

// Box text: caption baseline at +17, title lines from +34 every 15 px, meta baseline at
// bottom - 9 with the last title line at least 16 px above it.
constexpr int kTitleTop = 34;
constexpr int kTitleLine = 15;
constexpr int kTitleFont = 12;
constexpr std::size_t kMaxTitleLines = 5;

inline std::size_t title_lines_that_fit(int box_height, bool meta) {
  const int reserve = meta ? 25 : 8;
  return static_cast<std::size_t>(std::max(1, (box_height - reserve - kTitleTop) / kTitleLine + 1));
}

inline int box_height_for(std::size_t title_lines, bool meta) {
  return kTitleTop + static_cast<int>(title_lines - 1) * kTitleLine + (meta ? 25 : 8);
}

struct Context {
  const Procedure& p;
  const UnitRegistry& units;
  const SvgOptions& options;
  LayoutStyle style;
  Grid grid;
  std::vector<ColumnRange> bands;
  std::map<std::string, std::string> numbers;
  int max_avvik = 0;

  std::vector<int> min_box_heights;  // by grid index: what each title needs

  Context(const Procedure& procedure, const UnitRegistry& registry, const SvgOptions& o);

  const Step& step(std::size_t grid_index) const { return p.steps[grid.steps[grid_index].index]; }
  std::string number(const std::string& step_id) const {
    const auto it = numbers.find(step_id);
    return it == numbers.end() ? std::string() : it->second;
  }
  std::string numbered_title(const Step& s) const {
    const std::string no = number(s.id);
    return no.empty() ? s.title : no + " " + s.title;
  }
  int avvik(const std::string& step_id) const {
    const auto it = options.avvik_per_step.find(step_id);
    return it == options.avvik_per_step.end() ? 0 : it->second;
  }
  std::string id(std::string_view local) const { return options.id_prefix + std::string(local); }
};

inline Context::Context(const Procedure& procedure, const UnitRegistry& registry,
                        const SvgOptions& o)
    : p(procedure), units(registry), options(o), grid(make_grid(procedure)) {
  bands = split_into_bands(grid, options.max_band_width, style);
  numbers = step_numbers(procedure);
  for (const auto& [id, count] : options.avvik_per_step) max_avvik = std::max(max_avvik, count);
  for (const auto& gs : grid.steps) {
    const Step& s = procedure.steps[gs.index];
    const bool meta = !meta_line(s).empty();
    const std::size_t lines =
        wrap_text(s.title, {kTitleFont, true}, style.box_width - 18, kMaxTitleLines).size();
    min_box_heights.push_back(box_height_for(std::max<std::size_t>(lines, 1), meta));
  }
}

inline bool branches_lettered(const Step& s) {
  // Parallel branches all start: their texts say what each does, not when to take it.
  return !s.parallel && std::any_of(s.next.begin(), s.next.end(),
                                    [](const auto& next) { return !next.condition.empty(); });
}

struct KeyEntry {
  int number = 0;
  std::string text;
};

// swimlane_legend.cpp: arrow heads, connector keys, the legend, the opening tag.
void marker_definition(std::string& out, const std::string& id);
int band_of_step(const Context& c, std::size_t grid_step);
std::vector<KeyEntry> connector_key(const Context& c, const BandLayout& band);
int draw_key(std::string* out, const std::vector<KeyEntry>& key, int y0, int width);
std::string default_title(const Procedure& p);
std::string summary(const Context& c);
int draw_legend(std::string& out, const Context& c, int x0, int y0, int width);
std::string svg_open(int width, int height, const std::string& title_id,
                     const std::string& desc_id);

// swimlane_parties.cpp: what format 1.2 adds to the picture. Each draws nothing (and the
// picture of an older procedure stays byte for byte as it was) when its element is absent.
void draw_party_lanes(std::string& out, const Context& c, const BandLayout& band);
void draw_parallel_bars(std::string& out, const Context& c, const BandLayout& band);
void draw_handovers(std::string& out, const Context& c, const BandLayout& band,
                    const std::string& marker);
/// A legend row for parallel bars, handovers and party lanes; returns the height used.
int draw_model_legend(std::string& out, const Context& c, int x0, int y0);
/// A sentence for the picture's description about the parties' lanes, or empty.
std::string parties_summary(const Context& c);

}  // namespace boligflyt::render::svg_detail

#include "render/swimlane_svg.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "render/markup.h"
#include "render/swimlane_layout.h"
#include "render/text_metrics.h"
#include "render/wording.h"

namespace boligflyt::render {
namespace {

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

KindColours kind_colours(std::string_view kind) {
  if (kind == "decision") return {"#fff4d6", "#9a6700"};
  if (kind == "meeting") return {"#e6f4ea", "#2f7a45"};
  if (kind == "event") return {"#f1ecfa", "#6a4c9c"};
  return {"#ffffff", "#4a6781"};
}

// Heat scale for avvik counts, in five steps relative to the step with the most. Dark text
// stays above 4.5:1 on every step.
constexpr const char* kHeat[] = {"#fff0c2", "#ffd98a", "#ffbd66", "#fb9a52", "#f47a45"};

int heat_bucket(int count, int max) {
  if (count <= 0 || max <= 0) return 0;
  return std::clamp((count * 5 + max - 1) / max, 1, 5);
}

std::string n(int v) { return std::to_string(v); }

struct TextStyle {
  int size = 12;
  bool bold = false;
  const char* fill = kInk;
  const char* anchor = nullptr;  // "middle", "end"
};

void text(std::string& out, int x, int y, const TextStyle& style, std::string_view content) {
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

void title_element(std::string& out, std::string_view content) {
  out += "<title>";
  append_escaped(out, content);
  out += "</title>";
}

int sign(int v) { return (v > 0) - (v < 0); }

// An orthogonal polyline with its corners rounded a little (quadratic curves).
std::string path_data(const std::vector<Point>& raw, int radius) {
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
std::string meta_line(const Step& s) {
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

std::size_t title_lines_that_fit(int box_height, bool meta) {
  const int reserve = meta ? 25 : 8;
  return static_cast<std::size_t>(std::max(1, (box_height - reserve - kTitleTop) / kTitleLine + 1));
}

int box_height_for(std::size_t title_lines, bool meta) {
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

Context::Context(const Procedure& procedure, const UnitRegistry& registry, const SvgOptions& o)
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

bool branches_lettered(const Step& s) {
  return std::any_of(s.next.begin(), s.next.end(),
                     [](const auto& next) { return !next.condition.empty(); });
}

std::string band_caption(const Context& c, std::size_t band) {
  std::vector<std::string> titles;
  const ColumnRange& range = c.bands[band];
  for (std::size_t ph = 0; ph < c.grid.phases.size() && ph < c.p.phases.size(); ++ph) {
    const auto& span = c.grid.phases[ph];
    if (span.first < range.end && span.first + span.count > range.first) {
      titles.push_back(c.p.phases[ph].title + (span.first < range.first ? " (forts.)" : ""));
    }
  }
  std::string caption =
      "Del " + n(static_cast<int>(band + 1)) + " av " + n(static_cast<int>(c.bands.size())) + ": ";
  for (std::size_t i = 0; i < titles.size(); ++i) caption += (i ? ", " : "") + titles[i];
  return caption;
}

void draw_lanes_and_phases(std::string& out, const Context& c, const BandLayout& band) {
  const LayoutStyle& st = c.style;
  out += "<rect x=\"0\" y=\"0\" width=\"" + n(band.width) + "\" height=\"" + n(band.height) +
         "\" fill=\"#ffffff\"/>\n";
  for (const auto& lane : band.lanes) {
    const std::string& unit = c.grid.lanes[lane.lane];
    const std::string name = unit_name(c.units, unit);
    const char* fill = lane.collapsed ? "#f7f8fa" : lane.lane % 2 ? "#f2f5f8" : "#ffffff";
    out += "<g data-lane=\"" + xml_escape(unit) + "\">";
    title_element(out, name + (lane.collapsed ? " (ingen trinn i denne delen)" : ""));
    out += "<rect x=\"0\" y=\"" + n(lane.rect.y) + "\" width=\"" + n(lane.rect.w) + "\" height=\"" +
           n(lane.rect.h) + "\" fill=\"" + fill + "\"/>";
    out += "<rect x=\"0\" y=\"" + n(lane.header.y) + "\" width=\"" + n(lane.header.w) +
           "\" height=\"" + n(lane.header.h) + "\" fill=\"" +
           (lane.collapsed ? "#edf1f5" : "#dfe7ef") + "\"/>\n";
    if (lane.collapsed) {
      text(out, 10, lane.header.cy() + 4, {11, false, kMuted, nullptr},
           fit_with_ellipsis(name, {11, false}, st.lane_header_width - 16));
    } else {
      const auto lines = wrap_text(name, {13, true}, st.lane_header_width - 20, 4);
      int yy = lane.header.cy() - static_cast<int>(lines.size() - 1) * 8 + 5;
      for (const auto& line : lines) {
        text(out, 10, yy, {13, true, "#14324f", nullptr}, line);
        yy += 16;
      }
    }
    out += "<line x1=\"0\" y1=\"" + n(lane.rect.bottom()) + "\" x2=\"" + n(band.width) +
           "\" y2=\"" + n(lane.rect.bottom()) + "\" stroke=\"#b3c0cc\" stroke-width=\"1\"/>";
    out += "</g>\n";
  }
  if (st.phase_header_height <= 0) return;
  out += "<rect x=\"0\" y=\"0\" width=\"" + n(st.lane_header_width) + "\" height=\"" +
         n(st.phase_header_height) + "\" fill=\"" + kNavy + "\"/>";
  text(out, 10, st.phase_header_height / 2 + 4, {11, false, "#ffffff", nullptr}, "Enhet / fase");
  for (std::size_t i = 0; i < band.phases.size(); ++i) {
    const auto& phase = band.phases[i];
    const auto& source = c.p.phases[phase.phase];
    const std::string label = phase.continued
                                  ? source.title + " (forts.)"
                                  : n(static_cast<int>(phase.phase + 1)) + " " + source.title;
    out += "<g data-phase=\"" + xml_escape(source.id) + "\">";
    out += "<rect x=\"" + n(phase.header.x) + "\" y=\"0\" width=\"" + n(phase.header.w) +
           "\" height=\"" + n(phase.header.h) + "\" fill=\"" + kNavy +
           "\" stroke=\"#ffffff\" stroke-width=\"1\"/>";
    text(out, phase.header.cx(), phase.header.h / 2 + 5, {14, true, "#ffffff", "middle"},
         fit_with_ellipsis(label, {14, true}, phase.header.w - 16));
    if (i > 0) {
      out += "<line x1=\"" + n(phase.area.x) + "\" y1=\"" + n(st.phase_header_height) + "\" x2=\"" +
             n(phase.area.x) + "\" y2=\"" + n(band.height) +
             "\" stroke=\"#8797a8\" stroke-width=\"1\" stroke-dasharray=\"5 4\"/>";
    }
    out += "</g>\n";
  }
}

std::string flow_description(const Context& c, const RoutedFlow& f) {
  const auto name = [&](std::size_t gi) {
    const Step& s = c.step(gi);
    return c.number(s.id) + " «" + s.title + "»";
  };
  switch (f.kind) {
    case FlowKind::kStart: return "Start: prosedyren begynner med " + name(f.to);
    case FlowKind::kEnd: {
      const Step& s = c.step(f.from);
      return "Slutt etter " + name(f.from) + (s.end_text.empty() ? "" : ": " + s.end_text);
    }
    case FlowKind::kGateway: return name(f.from);
    case FlowKind::kIncomingConnector: return "Fra en annen del til " + name(f.to);
    default: break;
  }
  const auto& next = c.step(f.from).next[f.next];
  std::string d = "Fra " + name(f.from) + " til " + name(f.to);
  if (!next.condition.empty()) d += " når: " + next.condition;
  return d;
}

void draw_flows(std::string& out, const Context& c, const BandLayout& band,
                const std::string& marker) {
  out += "<g fill=\"none\" stroke=\"" + std::string(kLine) + "\" stroke-width=\"1.5\">\n";
  for (const auto& f : band.flows) {
    out += "<g";
    if (f.from != kNone) out += " data-from=\"" + xml_escape(c.grid.steps[f.from].id) + "\"";
    if (f.to != kNone) out += " data-to=\"" + xml_escape(c.grid.steps[f.to].id) + "\"";
    out += ">";
    title_element(out, flow_description(c, f));
    out += "<path d=\"" + path_data(f.points, 5) + "\" marker-end=\"url(#" + marker + ")\"/>";
    out += "</g>\n";
  }
  out += "</g>\n";
  // Branch letters on top of every line.
  for (const auto& f : band.flows) {
    if (f.kind != FlowKind::kStep && f.kind != FlowKind::kOutgoingConnector) continue;
    const Step& s = c.step(f.from);
    if (!branches_lettered(s) || f.points.size() < 2) continue;
    const Point& a = f.points[0];
    const Point& b = f.points[1];
    const int bx = a.x + sign(b.x - a.x) * 13;
    const int by = a.y + sign(b.y - a.y) * 13;
    out += "<g><circle cx=\"" + n(bx) + "\" cy=\"" + n(by) +
           "\" r=\"8\" fill=\"#ffffff\" stroke=\"" + kLine + "\" stroke-width=\"1.2\"/>";
    text(out, bx, by + 4, {11, true, kInk, "middle"}, branch_letter(f.next));
    out += "</g>\n";
  }
}

void draw_markers(std::string& out, const Context& c, const BandLayout& band) {
  for (const auto& m : band.starts) {
    out += "<g><circle cx=\"" + n(m.rect.cx()) + "\" cy=\"" + n(m.rect.cy()) +
           "\" r=\"9\" fill=\"#ffffff\" stroke=\"" + kInk + "\" stroke-width=\"2\"/>";
    title_element(out, "Start");
    out += "</g>\n";
  }
  for (const auto& m : band.ends) {
    out += "<g><circle cx=\"" + n(m.rect.cx()) + "\" cy=\"" + n(m.rect.cy()) +
           "\" r=\"9\" fill=\"" + kInk + "\"/>";
    title_element(out, "Slutt");
    out += "</g>\n";
  }
  const auto band_of = [&](std::size_t gi) {
    for (std::size_t b = 0; b < c.bands.size(); ++b) {
      if (c.bands[b].contains(c.grid.steps[gi].column)) return b;
    }
    return kNone;
  };
  for (const auto& m : band.connectors) {
    std::string description;
    if (m.outgoing) {
      description = "Fortsetter i del " + n(static_cast<int>(m.other_band + 1)) + ": " +
                    c.numbered_title(c.step(m.other_step));
    } else {
      const std::string& target = c.grid.steps[m.step].id;
      for (std::size_t gi = 0; gi < c.grid.steps.size(); ++gi) {
        if (band_of(gi) == band.index) continue;
        const auto& next = c.step(gi).next;
        if (std::none_of(next.begin(), next.end(),
                         [&](const auto& ns) { return ns.step == target; })) {
          continue;
        }
        description += (description.empty() ? "Kommer fra " : "; ") + c.numbered_title(c.step(gi)) +
                       " (del " + n(static_cast<int>(band_of(gi) + 1)) + ")";
      }
    }
    out += "<g data-connector=\"" + n(m.number) + "\">";
    title_element(out, description);
    out += "<rect x=\"" + n(m.rect.x) + "\" y=\"" + n(m.rect.y) + "\" width=\"" + n(m.rect.w) +
           "\" height=\"" + n(m.rect.h) + "\" rx=\"8\" fill=\"#ffffff\" stroke=\"" + kNavy +
           "\" stroke-width=\"1.5\"/>";
    text(out, m.rect.cx(), m.rect.cy() + 4, {11, true, kNavy, "middle"}, n(m.number));
    out += "</g>\n";
  }
}

void draw_boxes(std::string& out, const Context& c, const BandLayout& band) {
  const bool overlay = !c.options.avvik_per_step.empty();
  for (const auto& box : band.boxes) {
    const Step& s = c.step(box.step);
    const Rect& r = box.rect;
    const int count = c.avvik(s.id);
    const KindColours colours = kind_colours(s.kind);
    const char* fill = overlay
                           ? (count > 0 ? kHeat[heat_bucket(count, c.max_avvik) - 1] : "#ffffff")
                           : colours.fill;
    const bool highlighted = c.options.highlight_steps.count(s.id) > 0;
    std::string kind = s.is_end ? "sluttrinn" : step_kind_in_words(s.kind);
    std::string tooltip = c.numbered_title(s) +
                          ". Ansvarlig: " + unit_name(c.units, s.responsible.unit) + ". " +
                          capitalized(kind) + ".";
    if (count > 0) tooltip += " " + n(count) + " avvik registrert.";

    out += "<g id=\"" + xml_escape(c.id("step-" + s.id)) + "\" data-step=\"" + xml_escape(s.id) +
           "\">";
    title_element(out, tooltip);
    if (highlighted) {
      out += "<rect x=\"" + n(r.x - 5) + "\" y=\"" + n(r.y - 5) + "\" width=\"" + n(r.w + 10) +
             "\" height=\"" + n(r.h + 10) + "\" rx=\"10\" fill=\"none\" stroke=\"" + kAccent +
             "\" stroke-width=\"3\"/>";
    }
    out += "<rect x=\"" + n(r.x) + "\" y=\"" + n(r.y) + "\" width=\"" + n(r.w) + "\" height=\"" +
           n(r.h) + "\" rx=\"6\" fill=\"" + fill + "\" stroke=\"" +
           (s.is_end ? kInk : colours.stroke) + "\" stroke-width=\"" + (s.is_end ? "2.5" : "1.5") +
           "\"/>";
    const std::string no = c.number(s.id);
    const std::string caption = s.kind == "task" && !s.is_end
                                    ? no
                                    : (no.empty() ? "" : no + " \u00b7 ") + capitalized(kind);
    text(out, r.x + 9, r.y + 17, {11, false, kMuted, nullptr}, caption);

    const std::string meta = meta_line(s);
    const int inner = r.w - 18;
    const int title_top = r.y + kTitleTop;
    const auto max_lines = title_lines_that_fit(r.h, !meta.empty());
    int yy = title_top;
    for (const auto& line : wrap_text(s.title, {kTitleFont, true}, inner, max_lines)) {
      text(out, r.x + 9, yy, {12, true, kInk, nullptr}, line);
      yy += 15;
    }
    if (!meta.empty()) {
      text(out, r.x + 9, r.bottom() - 9, {11, false, kMuted, nullptr},
           fit_with_ellipsis(meta, {11, false}, inner));
    }
    int badge_left = r.right() - 8;
    if (count > 0) {
      const std::string label = n(count);
      const int w = std::max(22, text_width(label, {11, true}) + 12);
      const int bx = r.right() - w + 8;
      out += "<rect x=\"" + n(bx) + "\" y=\"" + n(r.y - 9) + "\" width=\"" + n(w) +
             "\" height=\"18\" rx=\"9\" fill=\"" + kAlarm + "\"/>";
      text(out, bx + w / 2, r.y + 4, {11, true, "#ffffff", "middle"}, label);
      badge_left = bx - 4;
    }
    if (const auto tag = c.options.step_tags.find(s.id); tag != c.options.step_tags.end()) {
      const int w = text_width(tag->second, {10, true}) + 12;
      const int tx = badge_left - w;
      out += "<rect x=\"" + n(tx) + "\" y=\"" + n(r.y + 6) + "\" width=\"" + n(w) +
             "\" height=\"15\" rx=\"7\" fill=\"" + kAccent + "\"/>";
      text(out, tx + w / 2, r.y + 17, {10, true, "#ffffff", "middle"}, tag->second);
    }
    out += "</g>\n";
  }
}

void marker_definition(std::string& out, const std::string& id) {
  out += "<defs><marker id=\"" + xml_escape(id) +
         "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" "
         "markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0 1 L9 5 L0 9 Z\" fill=\"" +
         std::string(kLine) + "\"/></marker></defs>\n";
}

int band_of_step(const Context& c, std::size_t grid_step) {
  for (std::size_t b = 0; b < c.bands.size(); ++b) {
    if (c.bands[b].contains(c.grid.steps[grid_step].column)) return static_cast<int>(b);
  }
  return -1;
}

struct KeyEntry {
  int number = 0;
  std::string text;
};

// What each connector of the band stands for, so a printed page can be read on its own.
std::vector<KeyEntry> connector_key(const Context& c, const BandLayout& band) {
  std::map<int, std::string> entries;
  for (const auto& m : band.connectors) {
    if (entries.count(m.number)) continue;
    if (m.outgoing) {
      entries[m.number] = "til " + c.numbered_title(c.step(m.other_step)) + " (del " +
                          n(static_cast<int>(m.other_band + 1)) + ")";
      continue;
    }
    std::map<int, std::string> sources;  // by band
    const std::string& target = c.grid.steps[m.step].id;
    for (std::size_t gi = 0; gi < c.grid.steps.size(); ++gi) {
      const int b = band_of_step(c, gi);
      if (b == static_cast<int>(band.index)) continue;
      const auto& next = c.step(gi).next;
      if (std::none_of(next.begin(), next.end(),
                       [&](const auto& ns) { return ns.step == target; })) {
        continue;
      }
      auto& list = sources[b];
      list += (list.empty() ? "" : ", ") + c.number(c.grid.steps[gi].id);
    }
    std::string text = "fra ";
    bool first = true;
    for (const auto& [b, list] : sources) {
      text += (first ? "" : "; ") + list + " (del " + n(b + 1) + ")";
      first = false;
    }
    entries[m.number] = text;
  }
  std::vector<KeyEntry> key;
  key.reserve(entries.size());
  for (auto& [number, text] : entries) key.push_back({number, std::move(text)});
  return key;
}

constexpr int kKeyLine = 22;

// Lays the key out in rows no wider than `width`; with `out` null only measures.
int draw_key(std::string* out, const std::vector<KeyEntry>& key, int y0, int width) {
  if (key.empty()) return 0;
  const Font font{11, false};
  int x = 10;
  int y = y0 + 14;
  if (out) text(*out, x, y + 4, {11, true, kInk, nullptr}, "Merker:");
  x += text_width("Merker:", {11, true}) + 12;
  for (const auto& e : key) {
    const std::string label = fit_with_ellipsis(e.text, font, std::max(80, width - 80));
    const int w = 26 + 6 + text_width(label, font) + 22;
    if (x + w > width && x > 10 + text_width("Merker:", {11, true}) + 12) {
      x = 10 + text_width("Merker:", {11, true}) + 12;
      y += kKeyLine;
    }
    if (out) {
      *out += "<rect x=\"" + n(x) + "\" y=\"" + n(y - 8) +
              "\" width=\"26\" height=\"16\" rx=\"8\" fill=\"#ffffff\" stroke=\"" + kNavy +
              "\" stroke-width=\"1.5\"/>";
      text(*out, x + 13, y + 4, {11, true, kNavy, "middle"}, n(e.number));
      text(*out, x + 32, y + 4, {11, false, kInk, nullptr}, label);
    }
    x += w;
  }
  return y + 14 - y0;
}

// Draws the band with its connector key below it; returns the height used.
int draw_band(std::string& out, const Context& c, const BandLayout& band,
              const std::string& marker) {
  draw_lanes_and_phases(out, c, band);
  draw_flows(out, c, band, marker);
  draw_markers(out, c, band);
  draw_boxes(out, c, band);
  const auto key = connector_key(c, band);
  return band.height + draw_key(&out, key, band.height, band.width);
}

int band_height_with_key(const Context& c, const BandLayout& band) {
  return band.height + draw_key(nullptr, connector_key(c, band), band.height, band.width);
}

std::string default_title(const Procedure& p) {
  return p.title + " " + p.version.str() + " \u2013 flytdiagram";
}

std::string summary(const Context& c) {
  std::string lanes;
  for (std::size_t i = 0; i < c.grid.lanes.size(); ++i) {
    lanes += (i ? ", " : "") + unit_name(c.units, c.grid.lanes[i]);
  }
  return "Svømmebanediagram med " + n(static_cast<int>(c.p.steps.size())) + " trinn i " +
         n(static_cast<int>(c.p.phases.size())) +
         " faser. Hver bane er én ansvarlig enhet: " + lanes +
         ". Hvert trinn er en boks i banen til enheten som har ansvaret, og pilene viser hva som "
         "skjer etterpå. Bokstaver på pilene viser til betingelsene for hvert valg.";
}

// The legend: what the shapes mean, then the condition of every lettered branch.
int draw_legend(std::string& out, const Context& c, int x0, int y0, int width) {
  int y = y0;
  text(out, x0, y + 14, {14, true, kInk, nullptr}, "Forklaring");
  y += 30;
  int x = x0;
  const auto swatch = [&](const char* fill, const char* stroke, const char* stroke_width,
                          std::string_view label) {
    out += "<rect x=\"" + n(x) + "\" y=\"" + n(y - 12) +
           "\" width=\"28\" height=\"18\" rx=\"4\" fill=\"" + fill + "\" stroke=\"" + stroke +
           "\" stroke-width=\"" + stroke_width + "\"/>";
    text(out, x + 36, y + 2, {12, false, kInk, nullptr}, label);
    x += 36 + text_width(label, {12, false}) + 24;
  };
  if (c.options.avvik_per_step.empty()) {
    swatch(kind_colours("task").fill, kind_colours("task").stroke, "1.5", "Oppgave");
    swatch(kind_colours("decision").fill, kind_colours("decision").stroke, "1.5", "Beslutning");
    swatch(kind_colours("meeting").fill, kind_colours("meeting").stroke, "1.5", "Møte");
    swatch(kind_colours("event").fill, kind_colours("event").stroke, "1.5", "Hendelse");
  }
  swatch("#ffffff", kInk, "2.5", "Sluttrinn");
  out += "<circle cx=\"" + n(x + 9) + "\" cy=\"" + n(y - 3) +
         "\" r=\"9\" fill=\"#ffffff\" stroke=\"" + kInk + "\" stroke-width=\"2\"/>";
  text(out, x + 26, y + 2, {12, false, kInk, nullptr}, "Start");
  x += 26 + text_width("Start", {12, false}) + 24;
  out += "<circle cx=\"" + n(x + 9) + "\" cy=\"" + n(y - 3) + "\" r=\"9\" fill=\"" + kInk + "\"/>";
  text(out, x + 26, y + 2, {12, false, kInk, nullptr}, "Slutt");
  x += 26 + text_width("Slutt", {12, false}) + 24;
  out += "<circle cx=\"" + n(x + 8) + "\" cy=\"" + n(y - 3) +
         "\" r=\"8\" fill=\"#ffffff\" stroke=\"" + kLine + "\" stroke-width=\"1.2\"/>";
  text(out, x + 8, y + 1, {11, true, kInk, "middle"}, "a");
  text(out, x + 24, y + 2, {12, false, kInk, nullptr}, "Valg med betingelse (se under)");
  x += 24 + text_width("Valg med betingelse (se under)", {12, false}) + 24;
  if (c.bands.size() > 1) {
    out += "<rect x=\"" + n(x) + "\" y=\"" + n(y - 11) +
           "\" width=\"26\" height=\"16\" rx=\"8\" "
           "fill=\"#ffffff\" stroke=\"" +
           kNavy + "\" stroke-width=\"1.5\"/>";
    text(out, x + 13, y + 1, {11, true, kNavy, "middle"}, "7");
    text(out, x + 34, y + 2, {12, false, kInk, nullptr},
         "Pilen fortsetter ved samme tall i en annen del");
    x += 34 + text_width("Pilen fortsetter ved samme tall i en annen del", {12, false}) + 24;
  }
  if (!c.options.highlight_steps.empty()) {
    out += "<rect x=\"" + n(x) + "\" y=\"" + n(y - 12) +
           "\" width=\"28\" height=\"18\" rx=\"4\" fill=\"#ffffff\" stroke=\"" + kAccent +
           "\" stroke-width=\"3\"/>";
    text(out, x + 36, y + 2, {12, false, kInk, nullptr}, "Markert trinn");
    x += 36 + text_width("Markert trinn", {12, false}) + 24;
  }
  y += 26;
  if (c.max_avvik > 0) {
    x = x0;
    text(out, x, y + 2, {12, true, kInk, nullptr}, "Avvik per trinn:");
    x += text_width("Avvik per trinn:", {12, true}) + 12;
    for (int k = 1; k <= 5; ++k) {
      const int lo = (k - 1) * c.max_avvik / 5 + 1;
      const int hi = k * c.max_avvik / 5;
      if (lo > hi) continue;
      swatch(kHeat[k - 1], "#8a6d3b", "1", lo == hi ? n(lo) : n(lo) + "\u2013" + n(hi));
    }
    y += 26;
  }

  // Conditions, in columns.
  struct Entry {
    std::string heading;
    std::vector<std::string> lines;
    std::vector<bool> continuation;
    int height = 0;
  };
  const int column_width = 520;
  const int gap = 28;
  const int columns = std::max(1, (width + gap) / (column_width + gap));
  std::vector<Entry> entries;
  for (const auto& s : c.p.steps) {
    if (!branches_lettered(s)) continue;
    Entry e;
    e.heading = fit_with_ellipsis(c.numbered_title(s), {12, true}, column_width);
    for (std::size_t k = 0; k < s.next.size(); ++k) {
      const Step* target = c.p.find_step(s.next[k].step);
      std::string line = branch_letter(k) + ") " +
                         (s.next[k].condition.empty() ? "ellers" : s.next[k].condition) +
                         " \u2192 " + (target ? c.numbered_title(*target) : s.next[k].step);
      const auto wrapped = wrap_text(line, {11, false}, column_width - 16);
      for (std::size_t w = 0; w < wrapped.size(); ++w) {
        e.lines.push_back(wrapped[w]);
        e.continuation.push_back(w > 0);
      }
    }
    e.height = 18 + static_cast<int>(e.lines.size()) * 15 + 10;
    entries.push_back(std::move(e));
  }
  if (entries.empty()) return y - y0;
  y += 8;
  text(out, x0, y + 14, {14, true, kInk, nullptr}, "Betingelser for valgene");
  y += 30;
  int total = 0;
  for (const auto& e : entries) total += e.height;
  const int target = (total + columns - 1) / columns;
  int column = 0;
  int cy = y;
  int lowest = y;
  for (const auto& e : entries) {
    if (cy > y && cy - y + e.height > target && column + 1 < columns) {
      ++column;
      cy = y;
    }
    const int cx = x0 + column * (column_width + gap);
    text(out, cx, cy + 12, {12, true, kInk, nullptr}, e.heading);
    int ly = cy + 30;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
      text(out, cx + (e.continuation[i] ? 16 : 0), ly, {11, false, kInk, nullptr}, e.lines[i]);
      ly += 15;
    }
    cy += e.height;
    lowest = std::max(lowest, cy);
  }
  return lowest - y0;
}

std::string svg_open(int width, int height, const std::string& title_id,
                     const std::string& desc_id) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n(width) + " " + n(height) +
         "\" width=\"" + n(width) + "\" height=\"" + n(height) +
         "\" role=\"img\" aria-labelledby=\"" + xml_escape(title_id) + "\" aria-describedby=\"" +
         xml_escape(desc_id) + "\" font-family=\"" + kFontFamily + "\">\n";
}

}  // namespace

std::string render_swimlane_svg(const Procedure& p, const UnitRegistry& units,
                                const SvgOptions& options) {
  const Context c(p, units, options);
  std::vector<BandLayout> layouts;
  int width = 0;
  for (std::size_t b = 0; b < c.bands.size(); ++b) {
    layouts.push_back(layout_band(p, c.grid, c.bands, b, c.style, c.min_box_heights));
    width = std::max(width, layouts.back().width);
  }
  width = std::max(width, 900);

  std::string body;
  int y = kMargin;
  text(body, kMargin, y + 22, {22, true, kInk, nullptr},
       p.title + " \u2013 versjon " + p.version.str());
  std::string subtitle = capitalized(status_in_words(p.status));
  if (!p.effective_from.empty())
    subtitle += " \u00b7 gjelder fra " + date_in_words(p.effective_from);
  subtitle += " \u00b7 " + n(static_cast<int>(p.steps.size())) + " trinn, " +
              n(static_cast<int>(c.grid.lanes.size())) + " ansvarlige enheter";
  text(body, kMargin, y + 44, {13, false, kMuted, nullptr}, subtitle);
  y += 64;
  const std::string marker = c.id("arrow");
  for (std::size_t b = 0; b < layouts.size(); ++b) {
    if (layouts.size() > 1) {
      text(body, kMargin, y + 14, {14, true, kNavy, nullptr}, band_caption(c, b));
      y += 24;
    }
    body += "<g data-band=\"" + n(static_cast<int>(b + 1)) + "\" transform=\"translate(" +
            n(kMargin) + " " + n(y) + ")\">\n";
    y += draw_band(body, c, layouts[b], marker) + 28;
    body += "</g>\n";
  }
  if (options.legend) {
    body += "<g>\n";
    y += draw_legend(body, c, kMargin, y, width) + 8;
    body += "</g>\n";
  }
  const int height = y + kMargin;
  const int full_width = width + 2 * kMargin;

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += svg_open(full_width, height, c.id("title"), c.id("desc"));
  out += "<title id=\"" + xml_escape(c.id("title")) + "\">";
  append_escaped(out, options.title.empty() ? default_title(p) : options.title);
  out += "</title>\n<desc id=\"" + xml_escape(c.id("desc")) + "\">";
  append_escaped(out, summary(c));
  out += "</desc>\n";
  marker_definition(out, marker);
  out += "<rect x=\"0\" y=\"0\" width=\"" + n(full_width) + "\" height=\"" + n(height) +
         "\" fill=\"#ffffff\"/>\n";
  out += body;
  out += "</svg>\n";
  return out;
}

std::vector<SvgBand> render_swimlane_svg_bands(const Procedure& p, const UnitRegistry& units,
                                               const SvgOptions& options) {
  const Context c(p, units, options);
  std::vector<SvgBand> out;
  for (std::size_t b = 0; b < c.bands.size(); ++b) {
    const BandLayout band = layout_band(p, c.grid, c.bands, b, c.style, c.min_box_heights);
    const std::string local = "band-" + n(static_cast<int>(b + 1));
    const std::string marker = c.id(local + "-arrow");
    SvgBand result;
    result.caption = band_caption(c, b);
    result.width = band.width;
    for (std::size_t ph = 0; ph < c.grid.phases.size() && ph < p.phases.size(); ++ph) {
      if (c.bands[b].contains(c.grid.phases[ph].first)) {
        result.first_phase_id = p.phases[ph].id;
        break;
      }
    }
    // The description lists every step of the band with its unit: the picture in words.
    std::string desc = "Baner (ansvarlige enheter) og trinn i denne delen: ";
    bool first = true;
    for (const auto& box : band.boxes) {
      const Step& s = c.step(box.step);
      desc += (first ? "" : "; ") + c.numbered_title(s) + " (" +
              unit_name(units, s.responsible.unit) + ")";
      first = false;
    }
    desc += ". Nummererte merker viser at en pil fortsetter i en annen del.";
    std::string& svg = result.svg;
    svg += svg_open(band.width, band_height_with_key(c, band), c.id(local + "-title"),
                    c.id(local + "-desc"));
    svg += "<title id=\"" + xml_escape(c.id(local + "-title")) + "\">";
    append_escaped(svg, (options.title.empty() ? default_title(p) : options.title) + ", d" +
                            result.caption.substr(1));
    svg += "</title>\n<desc id=\"" + xml_escape(c.id(local + "-desc")) + "\">";
    append_escaped(svg, desc);
    svg += "</desc>\n";
    marker_definition(svg, marker);
    draw_band(svg, c, band, marker);
    svg += "</svg>\n";
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace boligflyt::render

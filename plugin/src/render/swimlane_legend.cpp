// The parts of the swimlane picture that explain it: arrow heads, the key of connectors
// that continue on another band, the legend of shapes and lettered branches, and the
// accessible opening tag.

#include "render/swimlane_svg_detail.h"

namespace boligflyt::render::svg_detail {

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
         "skjer etterpå. Bokstaver på pilene viser til betingelsene for hvert valg." +
         (parties_summary(c).empty() ? "" : " " + parties_summary(c));
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
  y += draw_model_legend(out, c, x0, y);
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

}  // namespace boligflyt::render::svg_detail

#include "render/swimlane_svg.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "render/swimlane_svg_detail.h"

namespace boligflyt::render {
namespace {

using namespace svg_detail;  // NOLINT(google-build-using-namespace): this file's own parts

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
    case FlowKind::kJoin: return name(f.to);
    case FlowKind::kIncomingConnector: return "Fra en annen del til " + name(f.to);
    default: break;
  }
  const auto& next = c.step(f.from).next[f.next];
  std::string d = "Fra " + name(f.from) + " til " + name(f.to);
  if (c.step(f.from).parallel) {
    d += ", samtidig med de andre grenene" + (next.condition.empty() ? "" : ": " + next.condition);
  } else if (!next.condition.empty()) {
    d += " når: " + next.condition;
  }
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

// Draws the band with its connector key below it; returns the height used.
int draw_band(std::string& out, const Context& c, const BandLayout& band,
              const std::string& marker) {
  draw_lanes_and_phases(out, c, band);
  draw_party_lanes(out, c, band);
  draw_handovers(out, c, band, marker);
  draw_flows(out, c, band, marker);
  draw_parallel_bars(out, c, band);
  draw_markers(out, c, band);
  draw_boxes(out, c, band);
  const auto key = connector_key(c, band);
  return band.height + draw_key(&out, key, band.height, band.width);
}

int band_height_with_key(const Context& c, const BandLayout& band) {
  return band.height + draw_key(nullptr, connector_key(c, band), band.height, band.width);
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
              n(static_cast<int>(std::count_if(
                  c.grid.lanes.begin(), c.grid.lanes.end(),
                  [&](const std::string& unit) {
                    // A lane may only receive handovers (format 1.2).
                    return std::any_of(p.steps.begin(), p.steps.end(),
                                       [&](const Step& s) { return s.responsible.unit == unit; });
                  }))) +
              " ansvarlige enheter";
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
    if (const std::string parties = parties_summary(c); !parties.empty()) desc += " " + parties;
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

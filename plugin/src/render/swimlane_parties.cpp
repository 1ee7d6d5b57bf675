// What procedure format 1.2 adds to the swimlane picture: a lane for each external party
// below the units' lanes (sand-coloured, marked "Ekstern part", with the steps it takes part
// in), handovers as dashed arrows from the step into the receiving lane, and parallel splits
// and joins as bars across the flows. Nothing here draws for a procedure without them.

#include <algorithm>

#include "render/swimlane_svg_detail.h"

namespace boligflyt::render::svg_detail {
namespace {

constexpr const char* kPartyFill = "#fbf6ea";
constexpr const char* kPartyHeader = "#efe3c4";
constexpr const char* kPartyInk = "#5a4310";
constexpr const char* kHandover = "#6b3fa0";

std::string party_name(const Context& c, const std::string& id) {
  const auto* party = c.p.find_party(id);
  return party ? party->name : id;
}

std::string party_or_unit_name(const Context& c, const std::string& id) {
  return c.p.find_party(id) ? party_name(c, id) : unit_name(c.units, id);
}

std::string rect(const Rect& r, const std::string& rest) {
  return "<rect x=\"" + n(r.x) + "\" y=\"" + n(r.y) + "\" width=\"" + n(r.w) + "\" height=\"" +
         n(r.h) + "\" " + rest + "/>";
}

// The lane that receives a handover in this band, or null (unknown id).
const LaneBox* receiving_lane(const Context& c, const BandLayout& band, const std::string& to) {
  for (const auto& lane : band.party_lanes) {
    if (c.grid.parties[lane.lane] == to) return &lane;
  }
  for (const auto& lane : band.lanes) {
    if (c.grid.lanes[lane.lane] == to) return &lane;
  }
  return nullptr;
}

}  // namespace

void draw_party_lanes(std::string& out, const Context& c, const BandLayout& band) {
  for (const auto& lane : band.party_lanes) {
    const std::string& id = c.grid.parties[lane.lane];
    const std::string name = party_name(c, id);
    out += "<g data-party=\"" + xml_escape(id) + "\">";
    title_element(out,
                  "Ekstern part: " + name + (lane.collapsed ? " (ingen trinn i denne delen)" : ""));
    out += rect(lane.rect, "fill=\"" + std::string(kPartyFill) + "\"");
    out += rect(lane.header, "fill=\"" + std::string(kPartyHeader) + "\"");
    out += "<line x1=\"0\" y1=\"" + n(lane.rect.y) + "\" x2=\"" + n(band.width) + "\" y2=\"" +
           n(lane.rect.y) + "\" stroke=\"" + kPartyInk +
           "\" stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n";
    if (lane.collapsed) {
      text(out, 10, lane.header.cy() + 4, {11, false, kPartyInk, nullptr},
           fit_with_ellipsis("Ekstern: " + name, {11, false}, c.style.lane_header_width - 16));
      out += "</g>\n";
      continue;
    }
    text(out, 10, lane.rect.y + 17, {10, false, kPartyInk, nullptr}, "EKSTERN PART");
    text(out, 10, lane.rect.y + 34, {12, true, kPartyInk, nullptr},
         fit_with_ellipsis(name, {12, true}, c.style.lane_header_width - 16));
    out += "</g>\n";
    // Where the party takes part: a dashed pill under the step's column.
    for (const auto& box : band.boxes) {
      const Step& s = c.step(box.step);
      for (const auto& part : s.participating_parties) {
        if (part.party != id) continue;
        // In the lower part of the lane: the upper part holds the labels of handovers.
        const Rect pill{box.rect.x + 8, lane.rect.bottom() - 28, box.rect.w - 16, 22};
        const std::string label = c.number(s.id) + " " + (part.note.empty() ? "Deltar" : part.note);
        out += "<g data-participation=\"" + xml_escape(s.id) + "\">";
        title_element(out, name + " deltar i " + c.numbered_title(s) +
                               (part.note.empty() ? "" : ": " + part.note));
        out += rect(pill, "rx=\"11\" fill=\"#ffffff\" stroke=\"" + std::string(kPartyInk) +
                              "\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"");
        text(out, pill.cx(), pill.cy() + 4, {11, false, kPartyInk, "middle"},
             fit_with_ellipsis(label, {11, false}, pill.w - 12));
        out += "</g>\n";
      }
    }
  }
}

void draw_handovers(std::string& out, const Context& c, const BandLayout& band,
                    const std::string& marker) {
  const std::string head = marker + "-overlevering";
  bool defined = false;
  for (const auto& box : band.boxes) {
    const Step& s = c.step(box.step);
    const LaneBox& own = band.lanes[c.grid.steps[box.step].lane];
    for (std::size_t k = 0; k < s.handovers.size(); ++k) {
      const auto& h = s.handovers[k];
      const LaneBox* target = receiving_lane(c, band, h.to);
      if (!target || target == &own) continue;
      if (!defined) {
        out += "<defs><marker id=\"" + xml_escape(head) +
               "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"10\" "
               "markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path "
               "d=\"M0 1 L9 5 L0 9 Z\" fill=\"" +
               std::string(kHandover) + "\"/></marker></defs>\n";
        defined = true;
      }
      const bool below = target->rect.y > box.rect.y;
      const int x = box.rect.right() - 18 - static_cast<int>(k) * 12;
      const int y0 = below ? box.rect.bottom() : box.rect.y;
      const int y1 = below ? target->rect.y + 14 : target->rect.bottom() - 4;
      std::string label = "Overlevering: " + h.what;
      if (!h.within.empty()) label += ", innen " + duration_in_words(h.within);
      std::string tooltip = "Overlevering fra " +
                            unit_name(c.units, h.from.empty() ? s.responsible.unit : h.from) +
                            " til " + party_or_unit_name(c, h.to) + " etter " +
                            c.numbered_title(s) + ": " + without_final_period(h.what) + ".";
      if (!h.within.empty()) tooltip += " Innen " + duration_in_words(h.within) + ".";
      if (!h.channel.empty()) tooltip += " Kanal: " + h.channel + ".";
      out += "<g data-handover=\"" + xml_escape(h.id) + "\">";
      title_element(out, tooltip);
      out += "<path d=\"M" + n(x) + " " + n(y0) + " L" + n(x) + " " + n(y1) + "\" fill=\"none\" " +
             "stroke=\"" + kHandover + "\" stroke-width=\"1.6\" stroke-dasharray=\"6 3\" " +
             "marker-end=\"url(#" + xml_escape(head) + ")\"/>";
      // On a white ground, so the words stay legible where they cross a flow; right of the
      // arrow, or left of it where the band ends too soon.
      // Going up, the words sit in the corridor at the top of the lane below the receiving
      // one, where no box stands.
      const int baseline = below ? y1 + 2 : target->rect.bottom() + 14;
      const int room_right = band.width - x - 14;
      const bool right = room_right >= 120;
      const int room = right ? room_right : x - c.style.lane_header_width - 14;
      const std::string words = fit_with_ellipsis(label, {10, true}, std::min(230, room));
      const int w = text_width(words, {10, true});
      const int left = right ? x + 7 : x - 7 - w;
      out += rect({left - 4, baseline - 10, w + 8, 14},
                  "rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"");
      text(out, left, baseline, {10, true, kHandover, nullptr}, words);
      out += "</g>\n";
    }
  }
}

void draw_parallel_bars(std::string& out, const Context& c, const BandLayout& band) {
  for (const auto& box : band.boxes) {
    const Step& s = c.step(box.step);
    if (!s.parallel && s.join.empty()) continue;
    const auto bar = [&](int x, std::vector<int> ys, const std::string& tooltip) {
      if (ys.empty()) return;
      const auto [lo, hi] = std::minmax_element(ys.begin(), ys.end());
      out += "<g data-parallel=\"" + xml_escape(s.id) + "\">";
      title_element(out, tooltip);
      out += rect({x, *lo - 8, 5, *hi - *lo + 16}, "fill=\"" + std::string(kInk) + "\"");
      out += "</g>\n";
    };
    if (s.parallel) {
      std::vector<int> ys;
      for (const auto& f : band.flows) {
        if (f.from == box.step && !f.points.empty() && f.points.front().x == box.rect.right() &&
            (f.kind == FlowKind::kStep || f.kind == FlowKind::kOutgoingConnector)) {
          ys.push_back(f.points.front().y);
        }
      }
      bar(box.rect.right() + 3, ys,
          "Parallelle grener etter " + c.numbered_title(s) + ": gjøres samtidig");
    }
    if (!s.join.empty()) {
      std::vector<int> ys;
      for (const auto& f : band.flows) {
        if (f.to == box.step && f.points.size() >= 2 && f.points.back().x == box.rect.x &&
            (f.kind == FlowKind::kStep || f.kind == FlowKind::kIncomingConnector)) {
          ys.push_back(f.points.back().y);
        }
      }
      bar(box.rect.x - 9, ys,
          "Samling: " + c.numbered_title(s) + " starter når alle grenene er ferdige");
    }
  }
}

int draw_model_legend(std::string& out, const Context& c, int x0, int y0) {
  const bool parallel =
      std::any_of(c.p.steps.begin(), c.p.steps.end(), [](const Step& s) { return s.parallel; });
  const bool handovers = std::any_of(c.p.steps.begin(), c.p.steps.end(),
                                     [](const Step& s) { return !s.handovers.empty(); });
  const bool parties = !c.grid.parties.empty();
  if (!parallel && !handovers && !parties) return 0;
  int x = x0;
  const auto label = [&](int offset, std::string_view words) {
    text(out, x + offset, y0 + 2, {12, false, kInk, nullptr}, words);
    x += offset + text_width(words, {12, false}) + 36;
  };
  if (parallel) {
    out += rect({x + 4, y0 - 13, 5, 20}, "fill=\"" + std::string(kInk) + "\"");
    label(18, "Parallelle grener: gjøres samtidig, og samles igjen");
  }
  if (handovers) {
    out += "<path d=\"M" + n(x) + " " + n(y0 - 3) + " L" + n(x + 26) + " " + n(y0 - 3) +
           "\" stroke=\"" + kHandover + "\" stroke-width=\"1.6\" stroke-dasharray=\"6 3\"/>";
    out += "<path d=\"M" + n(x + 26) + " " + n(y0 - 7) + " L" + n(x + 34) + " " + n(y0 - 3) + " L" +
           n(x + 26) + " " + n(y0 + 1) + " Z\" fill=\"" + kHandover + "\"/>";
    label(42, "Overlevering til en annen enhet eller part");
  }
  if (parties) {
    out += rect({x, y0 - 12, 28, 18}, "fill=\"" + std::string(kPartyHeader) + "\" stroke=\"" +
                                          kPartyInk + "\" stroke-dasharray=\"4 3\"");
    label(36, "Ekstern part (egen bane, aldri ansvarlig)");
  }
  return 26;
}

std::string parties_summary(const Context& c) {
  if (c.grid.parties.empty()) return {};
  std::string names;
  for (std::size_t i = 0; i < c.grid.parties.size(); ++i) {
    names += (i ? ", " : "") + party_name(c, c.grid.parties[i]);
  }
  return "Eksterne parter har egne baner nederst: " + names +
         ". Stiplede lilla piler er overleveringer til en annen enhet eller part.";
}

}  // namespace boligflyt::render::svg_detail

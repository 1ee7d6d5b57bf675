#include "render/swimlane_layout.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>

namespace boligflyt::render {

using procedure::Procedure;
using procedure::Step;

const StepBox* BandLayout::box_of(std::size_t grid_step) const {
  for (const auto& box : boxes) {
    if (box.step == grid_step) return &box;
  }
  return nullptr;
}

namespace {

enum class Side { kLeft, kRight };

struct Port {
  std::size_t plan = 0;
  bool exit = false;  // the flow leaves the box here (else it enters)
  int key = 0;        // 2*row+1 for a row, 2*row for the corridor above it
  int y = 0;
};

struct Plan {
  RoutedFlow flow;
  bool straight_down = false;  // stacked steps: bottom centre to top centre
  bool via_tracks = false;     // kStep routed through gutters (and maybe a corridor)
  Side exit_side = Side::kRight;
  Side entry_side = Side::kLeft;
  int exit_gutter = 0;  // gutter index: g lies right of local column g; -1 left of column 0
  int entry_gutter = 0;
  bool uses_corridor = false;
  std::size_t corridor_row = 0;
  bool badge = false;  // drawn with a branch letter (SVG)
  int from_y = 0;
  int to_y = 0;
  int exit_track = -1;
  int entry_track = -1;
  int corridor_track = -1;
};

const Rect kNoBox{};

struct Interval {
  int lo = 0;
  int hi = 0;
  std::size_t plan = 0;
  bool exit_side = true;  // which of the plan's tracks it sets
};

// First-fit: each interval takes the lowest track whose last interval ends `gap` before it.
template <typename SetTrack>
int pack(std::vector<Interval>& intervals, int gap, SetTrack set_track) {
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
    return std::tie(a.lo, a.hi, a.plan, a.exit_side) < std::tie(b.lo, b.hi, b.plan, b.exit_side);
  });
  std::vector<int> last_end;
  for (const auto& iv : intervals) {
    std::size_t track = 0;
    while (track < last_end.size() && last_end[track] + gap > iv.lo) ++track;
    if (track == last_end.size()) last_end.push_back(iv.hi);
    last_end[track] = iv.hi;
    set_track(iv, static_cast<int>(track));
  }
  return static_cast<int>(last_end.size());
}

}  // namespace

BandLayout layout_band(const Procedure& p, const Grid& grid, const std::vector<ColumnRange>& bands,
                       std::size_t band_index, const LayoutStyle& style,
                       const std::vector<int>& min_box_heights) {
  BandLayout out;
  out.index = band_index;
  out.columns = bands.at(band_index);
  const ColumnRange band = out.columns;
  const int n = static_cast<int>(band.end - band.first);
  const auto step_of = [&](std::size_t gi) -> const Step& { return p.steps[grid.steps[gi].index]; };
  const auto in_band = [&](std::size_t gi) { return band.contains(grid.steps[gi].column); };
  const auto col_of = [&](std::size_t gi) {
    return static_cast<int>(grid.steps[gi].column - band.first);
  };
  const auto band_of = [&](std::size_t gi) {
    for (std::size_t b = 0; b < bands.size(); ++b) {
      if (bands[b].contains(grid.steps[gi].column)) return b;
    }
    return kNone;
  };
  const auto gateway_of = [&](std::size_t gi) { return style.bpmn && has_gateway(step_of(gi)); };
  const auto branches_lettered = [&](std::size_t gi) {
    const auto& next = step_of(gi).next;
    return !style.bpmn && !step_of(gi).parallel &&
           std::any_of(next.begin(), next.end(),
                       [](const auto& ns) { return !ns.condition.empty(); });
  };

  // Boxes and rows.
  std::vector<std::size_t> box_index(grid.steps.size(), kNone);
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    if (!in_band(gi)) continue;
    box_index[gi] = out.boxes.size();
    out.boxes.push_back({gi, {}});
  }
  std::vector<std::size_t> lane_rows(grid.lanes.size(), 0);
  for (const auto& box : out.boxes) {
    const auto& gs = grid.steps[box.step];
    lane_rows[gs.lane] = std::max(lane_rows[gs.lane], gs.slot + 1);
  }
  std::vector<std::size_t> row_base(grid.lanes.size(), 0);
  std::size_t row_count = 0;
  for (std::size_t l = 0; l < grid.lanes.size(); ++l) {
    row_base[l] = row_count;
    row_count += lane_rows[l];
  }
  const auto row_of = [&](std::size_t gi) {
    return row_base[grid.steps[gi].lane] + grid.steps[gi].slot;
  };
  const auto row_key = [&](std::size_t gi) { return static_cast<int>(2 * row_of(gi) + 1); };

  // Connector numbers: one per step that is reached from another band, counted in document
  // order of the flows over all bands, so both ends of a flow show the same number.
  std::map<std::size_t, int> connector_numbers;
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    for (const auto& next : step_of(gi).next) {
      const std::size_t t = grid.find(next.step);
      if (t != kNone && band_of(t) != band_of(gi) && connector_numbers.count(t) == 0) {
        const int number = static_cast<int>(connector_numbers.size()) + 1;
        connector_numbers.emplace(t, number);
      }
    }
  }

  // Plans, in the order the flows are reported.
  std::vector<Plan> plans;
  const auto add_plan = [&](FlowKind kind, std::size_t from, std::size_t to, std::size_t next) {
    Plan plan;
    plan.flow.kind = kind;
    plan.flow.from = from;
    plan.flow.to = to;
    plan.flow.next = next;
    plans.push_back(plan);
    return plans.size() - 1;
  };
  for (const auto& box : out.boxes) {
    const std::size_t gi = box.step;
    const Step& s = step_of(gi);
    if (gateway_of(gi)) add_plan(FlowKind::kGateway, gi, kNone, kNone);
    for (std::size_t k = 0; k < s.next.size(); ++k) {
      const std::size_t t = grid.find(s.next[k].step);
      if (t == kNone) continue;
      const std::size_t i =
          add_plan(in_band(t) ? FlowKind::kStep : FlowKind::kOutgoingConnector, gi, t, k);
      plans[i].flow.from_gateway = gateway_of(gi);
      plans[i].badge = branches_lettered(gi);
      if (!in_band(t)) plans[i].flow.connector = connector_numbers.at(t);
    }
    if (s.is_end) add_plan(FlowKind::kEnd, gi, kNone, kNone);
  }
  for (const auto& box : out.boxes) {
    const auto it = connector_numbers.find(box.step);
    if (it == connector_numbers.end()) continue;
    const std::size_t i = add_plan(FlowKind::kIncomingConnector, kNone, box.step, kNone);
    plans[i].flow.connector = it->second;
  }
  if (grid.start != kNone && in_band(grid.start)) {
    add_plan(FlowKind::kStart, kNone, grid.start, kNone);
  }

  // Sides, gutters and port requests. ports[box][side]
  std::vector<std::array<std::vector<Port>, 2>> ports(out.boxes.size());
  const auto request = [&](std::size_t gi, Side side, std::size_t plan, bool exit, int key) {
    ports[box_index[gi]][static_cast<std::size_t>(side)].push_back({plan, exit, key, 0});
  };
  for (std::size_t i = 0; i < plans.size(); ++i) {
    Plan& plan = plans[i];
    const RoutedFlow& f = plan.flow;
    switch (f.kind) {
      case FlowKind::kStep: {
        const int sc = col_of(f.from);
        const int tc = col_of(f.to);
        const bool first_of_pair = std::none_of(
            plans.begin(), plans.begin() + static_cast<std::ptrdiff_t>(i), [&](const Plan& other) {
              return other.flow.kind == FlowKind::kStep && other.flow.from == f.from &&
                     other.flow.to == f.to;
            });
        if (!f.from_gateway && sc == tc && row_of(f.to) == row_of(f.from) + 1 && first_of_pair) {
          plan.straight_down = true;
          break;
        }
        const bool to_left_only = step_of(f.to).is_end || gateway_of(f.to);
        plan.via_tracks = true;
        plan.exit_side = f.from_gateway || tc >= sc ? Side::kRight : Side::kLeft;
        plan.entry_side = to_left_only || tc > sc ? Side::kLeft : Side::kRight;
        plan.exit_gutter = plan.exit_side == Side::kRight ? sc : sc - 1;
        plan.entry_gutter = plan.entry_side == Side::kLeft ? tc - 1 : tc;
        plan.uses_corridor = plan.exit_gutter != plan.entry_gutter;
        plan.corridor_row = row_of(f.to);
        const int target_key = row_key(f.to);
        const int corridor_key = target_key - 1;
        if (!f.from_gateway) {
          request(f.from, plan.exit_side, i, true, plan.uses_corridor ? corridor_key : target_key);
        }
        request(f.to, plan.entry_side, i, false,
                plan.uses_corridor ? corridor_key : row_key(f.from));
        break;
      }
      case FlowKind::kOutgoingConnector:
        if (!f.from_gateway) request(f.from, Side::kRight, i, true, row_key(f.from));
        break;
      case FlowKind::kEnd: request(f.from, Side::kRight, i, true, row_key(f.from)); break;
      case FlowKind::kIncomingConnector:
      case FlowKind::kStart: request(f.to, Side::kLeft, i, false, row_key(f.to)); break;
      case FlowKind::kGateway:
      case FlowKind::kJoin: break;
    }
  }
  for (auto& sides : ports) {
    for (auto& list : sides) {
      std::stable_sort(list.begin(), list.end(), [](const Port& a, const Port& b) {
        return std::tie(a.key, a.plan) < std::tie(b.key, b.plan);
      });
    }
  }

  // Corridor tracks: horizontal runs, compared by the gutters they span.
  std::vector<std::vector<Interval>> corridor_runs(row_count);
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!plans[i].uses_corridor) continue;
    const int a = plans[i].exit_gutter;
    const int b = plans[i].entry_gutter;
    corridor_runs[plans[i].corridor_row].push_back({std::min(a, b), std::max(a, b), i, true});
  }
  std::vector<int> corridor_tracks(row_count, 0);
  for (std::size_t r = 0; r < row_count; ++r) {
    // Touching at a gutter counts as overlapping (gap 1): both runs turn in that gutter.
    corridor_tracks[r] = pack(corridor_runs[r], 1, [&](const Interval& iv, int track) {
      plans[iv.plan].corridor_track = track;
    });
  }

  // Boxes are as high as their busiest side needs; a row as high as its highest box.
  std::vector<int> box_height(out.boxes.size(), style.box_min_height);
  std::vector<int> row_height(row_count, style.box_min_height);
  for (std::size_t b = 0; b < out.boxes.size(); ++b) {
    const std::size_t busiest = std::max(ports[b][0].size(), ports[b][1].size());
    box_height[b] =
        std::max(style.box_min_height, static_cast<int>(busiest + 1) * style.port_spacing);
    if (out.boxes[b].step < min_box_heights.size()) {
      box_height[b] = std::max(box_height[b], min_box_heights[out.boxes[b].step]);
    }
    auto& h = row_height[row_of(out.boxes[b].step)];
    h = std::max(h, box_height[b]);
  }

  // Vertical positions: phase headers, then lanes of corridors and rows.
  std::vector<int> corridor_top(row_count, 0);
  std::vector<int> row_top(row_count, 0);
  int y = style.phase_header_height;
  for (std::size_t l = 0; l < grid.lanes.size(); ++l) {
    LaneBox lane;
    lane.lane = l;
    lane.collapsed = lane_rows[l] == 0;
    const int top = y;
    if (lane.collapsed) {
      y += style.collapsed_lane_height;
    } else {
      for (std::size_t r = row_base[l]; r < row_base[l] + lane_rows[l]; ++r) {
        corridor_top[r] = y;
        y += std::max(style.corridor_min_height, 10 + corridor_tracks[r] * style.track_spacing + 8);
        row_top[r] = y;
        y += row_height[r];
      }
      y += style.lane_bottom_padding;
    }
    lane.rect = {0, top, 0, y - top};
    lane.header = {0, top, style.lane_header_width, y - top};
    out.lanes.push_back(lane);
  }
  for (std::size_t k = 0; !style.bpmn && k < grid.parties.size(); ++k) {
    // Like a unit's lane, a party's lane is collapsed in a band where nothing reaches it.
    const std::string& party = grid.parties[k];
    const bool used = std::any_of(out.boxes.begin(), out.boxes.end(), [&](const StepBox& box) {
      const Step& s = step_of(box.step);
      return std::any_of(s.participating_parties.begin(), s.participating_parties.end(),
                         [&](const auto& part) { return part.party == party; }) ||
             std::any_of(s.handovers.begin(), s.handovers.end(),
                         [&](const auto& h) { return h.to == party; });
    });
    const int height = used ? style.party_lane_height : style.collapsed_lane_height;
    LaneBox lane;
    lane.lane = k;
    lane.collapsed = !used;
    lane.rect = {0, y, 0, height};
    lane.header = {0, y, style.lane_header_width, height};
    out.party_lanes.push_back(lane);
    y += height;
  }
  out.height = y;
  const auto corridor_y = [&](const Plan& plan) {
    return corridor_top[plan.corridor_row] + 10 + plan.corridor_track * style.track_spacing;
  };

  // Boxes sit centred in their row, so single flows between boxes of one row run straight.
  std::vector<int> box_top(out.boxes.size(), 0);
  for (std::size_t b = 0; b < out.boxes.size(); ++b) {
    const std::size_t r = row_of(out.boxes[b].step);
    box_top[b] = row_top[r] + (row_height[r] - box_height[b]) / 2;
  }
  // Port positions: spread evenly down the side, in the order of where the flows go.
  for (std::size_t b = 0; b < out.boxes.size(); ++b) {
    for (auto& list : ports[b]) {
      const int count = static_cast<int>(list.size());
      for (int k = 0; k < count; ++k) {
        Port& port = list[static_cast<std::size_t>(k)];
        port.y = box_top[b] + (k + 1) * box_height[b] / (count + 1);
        (port.exit ? plans[port.plan].from_y : plans[port.plan].to_y) = port.y;
      }
    }
  }
  // Two different flows meeting one gutter from its two walls at the same height would
  // overlap on their way to their tracks: move the one on the right wall a little.
  for (int g = -1; g < n; ++g) {
    std::vector<const Port*> left_wall;
    for (std::size_t b = 0; b < out.boxes.size(); ++b) {
      if (col_of(out.boxes[b].step) != g) continue;
      for (const auto& port : ports[b][static_cast<std::size_t>(Side::kRight)]) {
        if (plans[port.plan].via_tracks) left_wall.push_back(&port);
      }
    }
    for (std::size_t b = 0; b < out.boxes.size(); ++b) {
      if (col_of(out.boxes[b].step) != g + 1) continue;
      auto& side = ports[b][static_cast<std::size_t>(Side::kLeft)];
      const int top = box_top[b];
      const int bottom = top + box_height[b];
      for (auto& port : side) {
        if (!plans[port.plan].via_tracks) continue;
        const auto clashes = [&](int candidate) {
          for (const Port* other : left_wall) {
            if (other->plan != port.plan && std::abs(other->y - candidate) < 5) return true;
          }
          return false;
        };
        if (!clashes(port.y)) continue;
        for (const int shift : {7, -7, 14, -14}) {
          const int candidate = port.y + shift;
          const bool inside = candidate > top + 4 && candidate < bottom - 4;
          const bool free = std::none_of(side.begin(), side.end(), [&](const Port& o) {
            return &o != &port && std::abs(o.y - candidate) < 5;
          });
          if (inside && free && !clashes(candidate)) {
            port.y = candidate;
            (port.exit ? plans[port.plan].from_y : plans[port.plan].to_y) = candidate;
            break;
          }
        }
      }
    }
  }
  for (auto& plan : plans) {
    if (plan.flow.from_gateway) {
      const std::size_t b = box_index[plan.flow.from];
      plan.from_y = box_top[b] + box_height[b] / 2;
    }
  }

  // Gutter tracks: vertical runs, compared by height.
  // Gutters run from -1 (left of column 0) to n - 1; vectors over them are indexed from 0.
  const auto gi_index = [](int g) {
    return g < 0 ? std::size_t{0} : static_cast<std::size_t>(g) + 1;
  };
  std::vector<std::vector<Interval>> gutter_runs(static_cast<std::size_t>(n + 1));
  for (std::size_t i = 0; i < plans.size(); ++i) {
    Plan& plan = plans[i];
    if (!plan.via_tracks) continue;
    if (!plan.uses_corridor) {
      if (plan.from_y == plan.to_y) continue;  // a straight line needs no track
      gutter_runs[gi_index(plan.exit_gutter)].push_back(
          {std::min(plan.from_y, plan.to_y), std::max(plan.from_y, plan.to_y), i, true});
      continue;
    }
    const int yc = corridor_y(plan);
    gutter_runs[gi_index(plan.exit_gutter)].push_back(
        {std::min(plan.from_y, yc), std::max(plan.from_y, yc), i, true});
    gutter_runs[gi_index(plan.entry_gutter)].push_back(
        {std::min(plan.to_y, yc), std::max(plan.to_y, yc), i, false});
  }
  std::vector<int> gutter_tracks(static_cast<std::size_t>(n + 1), 0);
  for (std::size_t g = 0; g < gutter_runs.size(); ++g) {
    gutter_tracks[g] = pack(gutter_runs[g], 6, [&](const Interval& iv, int track) {
      (iv.exit_side ? plans[iv.plan].exit_track : plans[iv.plan].entry_track) = track;
    });
  }

  // Gutter widths: room next to the boxes for what sits there, then the tracks.
  std::vector<int> left_zone(static_cast<std::size_t>(n + 1), 12);
  std::vector<int> right_zone(static_cast<std::size_t>(n + 1), 14);
  const auto widen = [](int& zone, int width) { zone = std::max(zone, width); };
  for (const auto& plan : plans) {
    const RoutedFlow& f = plan.flow;
    switch (f.kind) {
      case FlowKind::kStep:
        if (plan.badge && plan.via_tracks) {
          if (plan.exit_side == Side::kRight) widen(left_zone[gi_index(col_of(f.from))], 26);
          else widen(right_zone[gi_index(col_of(f.from) - 1)], 26);
        }
        break;
      case FlowKind::kOutgoingConnector: widen(left_zone[gi_index(col_of(f.from))], 56); break;
      case FlowKind::kEnd: widen(left_zone[gi_index(col_of(f.from))], style.bpmn ? 60 : 38); break;
      case FlowKind::kGateway: widen(left_zone[gi_index(col_of(f.from))], 56); break;
      case FlowKind::kIncomingConnector: widen(right_zone[gi_index(col_of(f.to) - 1)], 56); break;
      case FlowKind::kStart:
        widen(right_zone[gi_index(col_of(f.to) - 1)], style.bpmn ? 60 : 44);
        break;
      case FlowKind::kJoin: break;
    }
  }
  for (const auto& box : out.boxes) {
    // Room for the join gateway in front of the step (BPMN).
    if (style.bpmn && !step_of(box.step).join.empty()) {
      widen(right_zone[gi_index(col_of(box.step) - 1)], 64);
    }
  }
  std::vector<int> gutter_x(static_cast<std::size_t>(n + 1), 0);
  std::vector<int> gutter_w(static_cast<std::size_t>(n + 1), 0);
  std::vector<int> column_x(static_cast<std::size_t>(n), 0);
  int x = style.lane_header_width;
  for (int g = -1; g < n; ++g) {
    const std::size_t k = gi_index(g);
    const int tracks = gutter_tracks[k];
    gutter_x[k] = x;
    gutter_w[k] = std::max(
        30, left_zone[k] + (tracks > 0 ? tracks * style.track_spacing + 8 : 0) + right_zone[k]);
    x += gutter_w[k];
    if (g + 1 < n) {
      column_x[gi_index(g)] = x;
      x += style.box_width;
    }
  }
  out.width = x + style.right_padding;
  const auto track_x = [&](int gutter, int track) {
    const std::size_t k = gi_index(gutter);
    return gutter_x[k] + left_zone[k] + 4 + track * style.track_spacing;
  };

  for (auto& lane : out.lanes) lane.rect.w = out.width;
  for (auto& lane : out.party_lanes) lane.rect.w = out.width;
  out.lanes_area = {style.lane_header_width, style.phase_header_height,
                    out.width - style.lane_header_width, out.height - style.phase_header_height};
  for (std::size_t b = 0; b < out.boxes.size(); ++b) {
    out.boxes[b].rect = {column_x[static_cast<std::size_t>(col_of(out.boxes[b].step))], box_top[b],
                         style.box_width, box_height[b]};
  }

  // Phases.
  for (std::size_t ph = 0; ph < grid.phases.size(); ++ph) {
    const auto& span = grid.phases[ph];
    const std::size_t first = std::max(span.first, band.first);
    const std::size_t end = std::min(span.first + span.count, band.end);
    if (first >= end) continue;
    const int lf = static_cast<int>(first - band.first);
    const int ll = static_cast<int>(end - band.first) - 1;
    const int x0 = lf == 0
                       ? style.lane_header_width
                       : column_x[static_cast<std::size_t>(lf)] - gutter_w[gi_index(lf - 1)] / 2;
    const int x1 = ll == n - 1 ? out.width
                               : column_x[static_cast<std::size_t>(ll)] + style.box_width +
                                     gutter_w[gi_index(ll)] / 2;
    PhaseBox phase;
    phase.phase = ph;
    phase.header = {x0, 0, x1 - x0, style.phase_header_height};
    phase.area = {x0, 0, x1 - x0, out.height};
    phase.continued = span.first < band.first;
    out.phases.push_back(phase);
  }

  // Points.
  for (auto& plan : plans) {
    RoutedFlow& f = plan.flow;
    // Every kind names the boxes it needs; a step outside the band has no box (empty rect).
    const Rect& from =
        f.from != kNone && in_band(f.from) ? out.boxes[box_index[f.from]].rect : kNoBox;
    const Rect& to = f.to != kNone && in_band(f.to) ? out.boxes[box_index[f.to]].rect : kNoBox;
    const int gateway_exit = from.right() + 46;
    switch (f.kind) {
      case FlowKind::kStep: {
        if (plan.straight_down) {
          f.points = {{from.cx(), from.bottom()}, {to.cx(), to.y}};
          break;
        }
        const Point start{f.from_gateway                   ? gateway_exit
                          : plan.exit_side == Side::kRight ? from.right()
                                                           : from.x,
                          plan.from_y};
        const Point end{plan.entry_side == Side::kLeft ? to.x : to.right(), plan.to_y};
        if (!plan.uses_corridor) {
          if (start.y == end.y) {
            f.points = {start, end};
          } else {
            const int tx = track_x(plan.exit_gutter, plan.exit_track);
            f.points = {start, {tx, start.y}, {tx, end.y}, end};
          }
        } else {
          const int t1 = track_x(plan.exit_gutter, plan.exit_track);
          const int t2 = track_x(plan.entry_gutter, plan.entry_track);
          const int yc = corridor_y(plan);
          f.points = {start, {t1, start.y}, {t1, yc}, {t2, yc}, {t2, end.y}, end};
        }
        break;
      }
      case FlowKind::kOutgoingConnector: {
        const int yy = plan.from_y;
        const Rect pill{from.right() + 26, yy - 8, 26, 16};
        f.points = {{f.from_gateway ? gateway_exit : from.right(), yy}, {pill.x, yy}};
        out.connectors.push_back({f.from, pill, f.connector, true, f.to, band_of(f.to)});
        break;
      }
      case FlowKind::kIncomingConnector: {
        const int yy = plan.to_y;
        const Rect pill{to.x - 52, yy - 8, 26, 16};
        f.points = {{pill.right(), yy}, {to.x, yy}};
        out.connectors.push_back({f.to, pill, f.connector, false, kNone, kNone});
        break;
      }
      case FlowKind::kStart: {
        const int yy = plan.to_y;
        const int size = style.bpmn ? 36 : 18;
        const Rect circle{to.x - (style.bpmn ? 16 : 22) - size, yy - size / 2, size, size};
        f.points = {{circle.right(), yy}, {to.x, yy}};
        out.starts.push_back({f.to, circle, 0, false, kNone, kNone});
        break;
      }
      case FlowKind::kEnd: {
        const int yy = plan.from_y;
        const int size = style.bpmn ? 36 : 18;
        const Rect circle{from.right() + (style.bpmn ? 16 : 14), yy - size / 2, size, size};
        f.points = {{from.right(), yy}, {circle.x, yy}};
        out.ends.push_back({f.from, circle, 0, false, kNone, kNone});
        break;
      }
      case FlowKind::kGateway: {
        const Rect diamond{from.right() + 10, from.cy() - 18, 36, 36};
        f.points = {{from.right(), from.cy()}, {diamond.x, from.cy()}};
        out.gateways.push_back({f.from, diamond, 0, false, kNone, kNone});
        break;
      }
      case FlowKind::kJoin: break;  // place_join_gateways adds these
    }
    out.flows.push_back(f);
  }
  if (style.bpmn) place_join_gateways(p, grid, out);
  return out;
}

}  // namespace boligflyt::render

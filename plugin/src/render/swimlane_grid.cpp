// The grid under every picture of a procedure (swimlane SVG, BPMN): one lane per responsible
// unit, one column per step in flow order, phases as column spans; and where the picture
// is cut into bands that fit a page.

#include <algorithm>
#include <map>
#include <set>

#include "render/swimlane_layout.h"

namespace boligflyt::render {

using procedure::Procedure;
using procedure::Step;

std::size_t Grid::find(std::string_view step_id) const {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].id == step_id) return i;
  }
  return kNone;
}

bool has_gateway(const Step& step) { return step.next.size() > 1; }

LayoutStyle bpmn_style() {
  LayoutStyle style;
  style.bpmn = true;
  // bpmn-js draws the pool's and the lane's names in two 30 px bands on the left.
  style.lane_header_width = 60;
  style.phase_header_height = 0;
  style.box_width = 150;
  style.box_min_height = 80;
  return style;
}

Grid make_grid(const Procedure& p) {
  Grid grid;
  std::map<std::string, std::size_t, std::less<>> phase_index;
  for (std::size_t i = 0; i < p.phases.size(); ++i) phase_index.emplace(p.phases[i].id, i);
  const std::size_t phase_count = std::max<std::size_t>(p.phases.size(), 1);

  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    GridStep gs;
    gs.id = s.id;
    gs.index = i;
    const auto it = phase_index.find(s.phase);
    gs.phase = it != phase_index.end() ? it->second : phase_count - 1;
    const auto lane = std::find(grid.lanes.begin(), grid.lanes.end(), s.responsible.unit);
    gs.lane = static_cast<std::size_t>(lane - grid.lanes.begin());
    if (lane == grid.lanes.end()) grid.lanes.push_back(s.responsible.unit);
    grid.steps.push_back(std::move(gs));
  }

  // Layer inside each phase: a step stands right of every earlier step of its phase that
  // flows into it. Flows back to earlier steps (loops) do not count, so layering terminates.
  const std::size_t n = grid.steps.size();
  std::vector<std::vector<std::size_t>> predecessors(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& next : p.steps[grid.steps[i].index].next) {
      const std::size_t t = grid.find(next.step);
      if (t != kNone) predecessors[t].push_back(i);
    }
  }
  std::vector<std::size_t> layer(n, 0);
  std::vector<std::size_t> phase_layers(phase_count, 1);
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::size_t q : predecessors[i]) {
      if (q < i && grid.steps[q].phase == grid.steps[i].phase) {
        layer[i] = std::max(layer[i], layer[q] + 1);
      }
    }
    auto& count = phase_layers[grid.steps[i].phase];
    count = std::max(count, layer[i] + 1);
  }
  std::size_t column = 0;
  for (std::size_t ph = 0; ph < phase_count; ++ph) {
    grid.phases.push_back({column, phase_layers[ph]});
    column += phase_layers[ph];
  }
  grid.column_count = column;

  std::map<std::pair<std::size_t, std::size_t>, std::size_t> stacked;
  for (std::size_t i = 0; i < n; ++i) {
    auto& gs = grid.steps[i];
    gs.column = grid.phases[gs.phase].first + layer[i];
    gs.slot = stacked[{gs.lane, gs.column}]++;
  }
  grid.start = grid.find(p.start_step);
  const auto add_party = [&](const std::string& id) {
    if (p.find_party(id) &&
        std::find(grid.parties.begin(), grid.parties.end(), id) == grid.parties.end()) {
      grid.parties.push_back(id);
    }
  };
  for (const auto& s : p.steps) {
    for (const auto& part : s.participating_parties) add_party(part.party);
    for (const auto& h : s.handovers) add_party(h.to);
  }
  // A unit that receives a handover gets a lane even when it is responsible for no step, so
  // every handover is an arrow between two lanes.
  for (const auto& s : p.steps) {
    for (const auto& h : s.handovers) {
      if (!p.find_party(h.to) &&
          std::find(grid.lanes.begin(), grid.lanes.end(), h.to) == grid.lanes.end()) {
        grid.lanes.push_back(h.to);
      }
    }
  }
  return grid;
}

std::vector<ColumnRange> split_into_bands(const Grid& grid, int max_width,
                                          const LayoutStyle& style) {
  const std::size_t n = grid.column_count;
  if (max_width <= 0 || n == 0) return {{0, n}};
  const int pitch = std::max(style.column_pitch_estimate, 1);
  const auto max_columns =
      static_cast<std::size_t>(std::max(1, (max_width - style.lane_header_width) / pitch));
  if (n <= max_columns) return {{0, n}};
  std::vector<bool> phase_boundary(n + 1, false);
  for (const auto& phase : grid.phases) phase_boundary[phase.first] = true;
  phase_boundary[n] = true;

  // Fewest bands first, then fewest phases cut in two, then bands of even width: the cheapest
  // sequence of breaks, by dynamic programming over the column positions.
  constexpr long kBand = 100000;
  constexpr long kCutPhase = 70000;
  const long kNever = std::numeric_limits<long>::max();
  std::vector<long> cost(n + 1, kNever);
  std::vector<std::size_t> previous(n + 1, 0);
  cost[0] = 0;
  for (std::size_t end = 1; end <= n; ++end) {
    for (std::size_t first = end > max_columns ? end - max_columns : 0; first < end; ++first) {
      if (cost[first] == kNever) continue;
      const auto slack = static_cast<long>(max_columns - (end - first));
      const long c = cost[first] + kBand + (phase_boundary[end] ? 0 : kCutPhase) + slack * slack;
      if (c < cost[end]) {  // strict: among equals the earliest break wins
        cost[end] = c;
        previous[end] = first;
      }
    }
  }
  std::vector<ColumnRange> bands;
  for (std::size_t end = n; end > 0; end = previous[end]) bands.push_back({previous[end], end});
  std::reverse(bands.begin(), bands.end());
  return bands;
}

}  // namespace boligflyt::render

// Parallel join in the BPMN layout: a parallel gateway in front of the step that waits for
// every branch, so a BPMN tool shows (and a process engine would enforce) that the step starts
// only when all branches are done. The gutter in front of the step was widened for it.

#include <algorithm>

#include "render/swimlane_layout.h"

namespace boligflyt::render {
namespace {

constexpr int kGatewaySize = 36;

// Ends a route at the gateway instead of the box: from above into the top corner, from below
// into the bottom corner, level with it into the left corner.
void end_at_gateway(std::vector<Point>& points, const Rect& gateway) {
  points.pop_back();
  const Point last = points.back();
  if (last.y < gateway.y) {
    points.push_back({gateway.cx(), last.y});
    points.push_back({gateway.cx(), gateway.y});
  } else if (last.y > gateway.bottom()) {
    points.push_back({gateway.cx(), last.y});
    points.push_back({gateway.cx(), gateway.bottom()});
  } else {
    const int x = std::max(last.x, gateway.x - 12);
    if (last.y != gateway.cy()) {
      points.push_back({x, last.y});
      points.push_back({x, gateway.cy()});
    }
    points.push_back({gateway.x, gateway.cy()});
  }
}

}  // namespace

void place_join_gateways(const procedure::Procedure& p, const Grid& grid, BandLayout& band) {
  std::vector<RoutedFlow> added;
  for (const auto& box : band.boxes) {
    if (p.steps[grid.steps[box.step].index].join.empty()) continue;
    const Rect& r = box.rect;
    const Rect gateway{r.x - 50, r.cy() - kGatewaySize / 2, kGatewaySize, kGatewaySize};
    for (auto& flow : band.flows) {
      const bool into_left_side = flow.kind == FlowKind::kStep && flow.to == box.step &&
                                  flow.points.size() >= 2 && flow.points.back().x == r.x;
      if (into_left_side) end_at_gateway(flow.points, gateway);
    }
    band.joins.push_back({box.step, gateway, 0, false, kNone, kNone});
    RoutedFlow join;
    join.kind = FlowKind::kJoin;
    join.to = box.step;
    join.points = {{gateway.right(), gateway.cy()}, {r.x, gateway.cy()}};
    added.push_back(std::move(join));
  }
  band.flows.insert(band.flows.end(), added.begin(), added.end());
}

}  // namespace boligflyt::render

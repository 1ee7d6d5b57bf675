// The swimlane layout: lanes, columns in phase order, bands, and routes that never run on top
// of each other. Geometry is checked as numbers here; swimlane_svg_test checks the drawing.
#include "render/swimlane_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::shipped;

bool inside(const Rect& outer, const Rect& inner) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.right() <= outer.right() &&
         inner.bottom() <= outer.bottom();
}

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

bool on_border(const Rect& r, const Point& p) {
  const bool on_x = (p.x == r.x || p.x == r.right()) && p.y >= r.y && p.y <= r.bottom();
  const bool on_y = (p.y == r.y || p.y == r.bottom()) && p.x >= r.x && p.x <= r.right();
  return on_x || on_y;
}

std::vector<BandLayout> all_bands(const procedure::Procedure& p, int width,
                                  const LayoutStyle& style = {}) {
  const Grid grid = make_grid(p);
  const auto bands = split_into_bands(grid, width, style);
  std::vector<BandLayout> out;
  for (std::size_t b = 0; b < bands.size(); ++b)
    out.push_back(layout_band(p, grid, bands, b, style));
  return out;
}

TEST(SwimlaneGrid, OneLanePerResponsibleUnitInOrderOfFirstAppearance) {
  const Grid grid = make_grid(shipped().v3);
  EXPECT_EQ(grid.lanes, (std::vector<std::string>{"boligkontor", "nav", "klageutvalget", "eiendom",
                                                  "okonomi", "boligsosial-koordinator"}));
  std::set<std::string> responsible;
  for (const auto& s : shipped().v3.steps) responsible.insert(s.responsible.unit);
  EXPECT_EQ(std::set<std::string>(grid.lanes.begin(), grid.lanes.end()), responsible);
  for (const auto& gs : grid.steps) {
    EXPECT_EQ(grid.lanes[gs.lane], shipped().v3.steps[gs.index].responsible.unit) << gs.id;
  }
}

TEST(SwimlaneGrid, ColumnsFollowThePhasesAndTheFlowInsideThem) {
  const auto& p = shipped().v3;
  const Grid grid = make_grid(p);
  ASSERT_EQ(grid.phases.size(), p.phases.size());
  for (std::size_t i = 1; i < grid.phases.size(); ++i) {
    EXPECT_EQ(grid.phases[i].first, grid.phases[i - 1].first + grid.phases[i - 1].count);
  }
  for (const auto& gs : grid.steps) {
    const auto& span = grid.phases[gs.phase];
    EXPECT_GE(gs.column, span.first) << gs.id;
    EXPECT_LT(gs.column, span.first + span.count) << gs.id;
  }
  // Inside a phase a step stands right of the earlier steps that lead to it.
  const auto col = [&](const char* id) { return grid.steps[grid.find(id)].column; };
  EXPECT_LT(col("soknad-veiledning"), col("soknad-mottak"));
  EXPECT_LT(col("soknad-kontroll"), col("soknad-innhente-opplysninger"));
  EXPECT_EQ(col("vedtak-positivt"), col("vedtak-avslag"));  // both follow vedtak-fatte
  // No two steps share a cell without being stacked.
  std::set<std::tuple<std::size_t, std::size_t, std::size_t>> cells;
  for (const auto& gs : grid.steps) {
    EXPECT_TRUE(cells.insert({gs.lane, gs.column, gs.slot}).second) << gs.id;
  }
  EXPECT_EQ(grid.steps[grid.start].id, "soknad-veiledning");
}

TEST(SwimlaneGrid, ARevisionOfOnePhaseLeavesTheOthersInPlace) {
  const auto& p = shipped().v3;
  procedure::Procedure revised = p;
  // Texts change, a participant is added, a step is added at the end of the last phase.
  revised.steps[3].title += " (revidert)";
  revised.steps[5].participants.push_back({"pro", "", {}});
  procedure::Step added = revised.steps.back();
  added.id = "ny-oppfolging";
  added.title = "Ny oppfølging";
  added.next.clear();
  added.is_end = true;
  revised.steps.back().is_end = false;
  revised.steps.back().next.push_back({"ny-oppfolging", "", {}, {}});
  revised.phases.back().step_ids.push_back(added.id);
  revised.steps.push_back(added);

  const Grid before = make_grid(p);
  const Grid after = make_grid(revised);
  for (const auto& gs : before.steps) {
    const auto& moved = after.steps[after.find(gs.id)];
    if (gs.phase + 1 == p.phases.size()) continue;  // the revised phase itself
    EXPECT_EQ(std::tie(gs.lane, gs.column, gs.slot), std::tie(moved.lane, moved.column, moved.slot))
        << gs.id;
  }
}

TEST(SwimlaneBands, EveryStepIsInExactlyOneBand) {
  const auto& p = shipped().v3;
  const Grid grid = make_grid(p);
  for (const int width : {0, 900, 1300, 1700, 2500, 100000}) {
    const auto bands = split_into_bands(grid, width, {});
    ASSERT_FALSE(bands.empty());
    EXPECT_EQ(bands.front().first, 0U);
    EXPECT_EQ(bands.back().end, grid.column_count);
    for (std::size_t b = 1; b < bands.size(); ++b) EXPECT_EQ(bands[b].first, bands[b - 1].end);
    std::map<std::string, int> seen;
    for (std::size_t b = 0; b < bands.size(); ++b) {
      for (const auto& box : layout_band(p, grid, bands, b, {}).boxes)
        ++seen[grid.steps[box.step].id];
    }
    EXPECT_EQ(seen.size(), p.steps.size()) << "width " << width;
    for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id << " at width " << width;
  }
  EXPECT_EQ(split_into_bands(grid, 0, {}).size(), 1U);
  EXPECT_GT(split_into_bands(grid, 1300, {}).size(), 1U);
}

TEST(SwimlaneBands, BoxesSitInTheirLaneAndNeverOverlap) {
  const auto& p = shipped().v3;
  const Grid grid = make_grid(p);
  for (const auto& band : all_bands(p, 1700)) {
    for (std::size_t i = 0; i < band.boxes.size(); ++i) {
      const auto& box = band.boxes[i];
      const auto& lane = band.lanes[grid.steps[box.step].lane];
      EXPECT_FALSE(lane.collapsed);
      EXPECT_TRUE(inside(lane.rect, box.rect)) << grid.steps[box.step].id;
      EXPECT_TRUE(inside(band.lanes_area, box.rect)) << grid.steps[box.step].id;
      for (std::size_t j = i + 1; j < band.boxes.size(); ++j) {
        EXPECT_FALSE(overlaps(box.rect, band.boxes[j].rect))
            << grid.steps[box.step].id << " / " << grid.steps[band.boxes[j].step].id;
      }
    }
    for (std::size_t l = 1; l < band.lanes.size(); ++l) {
      EXPECT_EQ(band.lanes[l].rect.y, band.lanes[l - 1].rect.bottom());
    }
  }
}

struct Segment {
  int x1, y1, x2, y2;
  std::size_t flow;
};

TEST(SwimlaneBands, FlowsAreOrthogonalStartAndEndAtTheirBoxesAndNeverShareALine) {
  const auto& p = shipped().v3;
  const Grid grid = make_grid(p);
  for (const int width : {0, 1300, 1700}) {
    for (const auto& band : all_bands(p, width)) {
      std::vector<Segment> segments;
      for (std::size_t f = 0; f < band.flows.size(); ++f) {
        const auto& flow = band.flows[f];
        ASSERT_GE(flow.points.size(), 2U);
        for (std::size_t k = 1; k < flow.points.size(); ++k) {
          const Point& a = flow.points[k - 1];
          const Point& b = flow.points[k];
          EXPECT_TRUE(a.x == b.x || a.y == b.y)
              << "diagonal segment in a flow of band " << band.index;
          EXPECT_TRUE(a.x >= 0 && a.x <= band.width && a.y >= 0 && a.y <= band.height);
          if (!(a == b)) segments.push_back({a.x, a.y, b.x, b.y, f});
        }
        if (flow.kind == FlowKind::kStep) {
          EXPECT_TRUE(on_border(band.box_of(flow.from)->rect, flow.points.front()))
              << grid.steps[flow.from].id;
          EXPECT_TRUE(on_border(band.box_of(flow.to)->rect, flow.points.back()))
              << grid.steps[flow.to].id;
        }
      }
      // Two different flows may cross, but never run along the same line.
      for (std::size_t i = 0; i < segments.size(); ++i) {
        for (std::size_t j = i + 1; j < segments.size(); ++j) {
          const Segment& a = segments[i];
          const Segment& b = segments[j];
          if (a.flow == b.flow) continue;
          if (a.x1 == a.x2 && b.x1 == b.x2 && a.x1 == b.x1) {
            const int lo = std::max(std::min(a.y1, a.y2), std::min(b.y1, b.y2));
            const int hi = std::min(std::max(a.y1, a.y2), std::max(b.y1, b.y2));
            EXPECT_LE(hi - lo, 0) << "vertical overlap at x=" << a.x1 << " in band " << band.index;
          }
          if (a.y1 == a.y2 && b.y1 == b.y2 && a.y1 == b.y1) {
            const int lo = std::max(std::min(a.x1, a.x2), std::min(b.x1, b.x2));
            const int hi = std::min(std::max(a.x1, a.x2), std::max(b.x1, b.x2));
            EXPECT_LE(hi - lo, 0) << "horizontal overlap at y=" << a.y1 << " in band "
                                  << band.index;
          }
        }
      }
    }
  }
}

TEST(SwimlaneBands, FlowsBetweenBandsEndInConnectorsWithTheSameNumber) {
  const auto& p = shipped().v3;
  const auto bands = all_bands(p, 1300);
  std::map<int, int> outgoing;
  std::map<int, int> incoming;
  for (const auto& band : bands) {
    for (const auto& m : band.connectors) ++(m.outgoing ? outgoing : incoming)[m.number];
  }
  ASSERT_FALSE(outgoing.empty());
  for (const auto& [number, count] : outgoing) EXPECT_EQ(incoming.count(number), 1U) << number;
  for (const auto& [number, count] : incoming) {
    EXPECT_EQ(count, 1) << number;  // one pill per target step
    EXPECT_EQ(outgoing.count(number), 1U) << number;
  }
}

TEST(SwimlaneBands, TheSameInputGivesTheSameLayout) {
  const auto& p = shipped().v3;
  const auto a = all_bands(p, 1300);
  const auto b = all_bands(p, 1300);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].boxes.size(), b[i].boxes.size());
    for (std::size_t k = 0; k < a[i].boxes.size(); ++k) {
      EXPECT_EQ(std::tie(a[i].boxes[k].rect.x, a[i].boxes[k].rect.y, a[i].boxes[k].rect.h),
                std::tie(b[i].boxes[k].rect.x, b[i].boxes[k].rect.y, b[i].boxes[k].rect.h));
    }
    ASSERT_EQ(a[i].flows.size(), b[i].flows.size());
    for (std::size_t k = 0; k < a[i].flows.size(); ++k)
      EXPECT_EQ(a[i].flows[k].points, b[i].flows[k].points);
  }
}

TEST(SwimlaneBands, BpmnStyleAddsGatewaysAndEventsOutsideTheBoxes) {
  const auto& p = shipped().v3;
  const auto band = all_bands(p, 0, bpmn_style()).front();
  std::size_t branching = 0;
  std::size_t ends = 0;
  for (const auto& s : p.steps) {
    branching += has_gateway(s) ? 1 : 0;
    ends += s.is_end ? 1 : 0;
  }
  EXPECT_EQ(band.gateways.size(), branching);
  EXPECT_EQ(band.ends.size(), ends);
  EXPECT_EQ(band.starts.size(), 1U);
  std::vector<Rect> shapes;
  for (const auto& box : band.boxes) shapes.push_back(box.rect);
  for (const auto* list : {&band.gateways, &band.ends, &band.starts}) {
    for (const auto& m : *list) shapes.push_back(m.rect);
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    for (std::size_t j = i + 1; j < shapes.size(); ++j)
      EXPECT_FALSE(overlaps(shapes[i], shapes[j]));
  }
}

}  // namespace
}  // namespace boligflyt::render

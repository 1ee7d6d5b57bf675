#pragma once
// Where everything goes in the swimlane picture, in two stages.
//
// 1. The grid: lane = responsible unit (in order of first appearance), column = phases left
//    to right, the steps of a phase layered by their flow inside it, slot = place in a stack
//    when steps share a lane and a column. Layering is local to a phase, so a revision of one
//    phase moves the others by whole columns at most.
// 2. A band: a run of columns laid out in integer pixels. Flows are routed orthogonally
//    through the gutters between columns and the corridors above rows; every vertical and
//    horizontal run gets its own track (first fit), so two lines never lie on top of each
//    other. A flow to a step in another band ends in a numbered connector.
//
// The SVG draws a band; the BPMN export writes the same numbers as diagram interchange
// (one band holding every column, with gateways and BPMN-sized events).

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "procedure/model.h"

namespace boligflyt::render {

inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Point {
  int x = 0;
  int y = 0;
  bool operator==(const Point&) const = default;
};

struct Rect {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
  int cx() const { return x + w / 2; }
  int cy() const { return y + h / 2; }
};

struct GridStep {
  std::string id;
  std::size_t index = 0;  // in Procedure::steps
  std::size_t lane = 0;
  std::size_t phase = 0;  // in Procedure::phases
  std::size_t column = 0;
  std::size_t slot = 0;
};

struct PhaseColumns {
  std::size_t first = 0;  // first column
  std::size_t count = 0;  // at least 1, also for a phase without steps
};

struct Grid {
  std::vector<std::string> lanes;    // unit ids, in order of first appearance
  std::vector<PhaseColumns> phases;  // parallel to Procedure::phases
  std::size_t column_count = 0;
  std::vector<GridStep> steps;  // in document order
  std::size_t start = kNone;    // grid index of the start step
  /// External parties that a step names (participation or handover), in order of first
  /// appearance. Empty for procedures before format 1.2.
  std::vector<std::string> parties;

  /// Grid index of a step, or kNone.
  std::size_t find(std::string_view step_id) const;
};

Grid make_grid(const procedure::Procedure& procedure);

struct ColumnRange {
  std::size_t first = 0;
  std::size_t end = 0;  // one past the last
  bool contains(std::size_t column) const { return column >= first && column < end; }
};

/// Sizes of the picture. The defaults are the SVG's; bpmn_style() gives the BPMN export's.
struct LayoutStyle {
  int lane_header_width = 150;
  int phase_header_height = 46;
  int box_width = 152;
  int box_min_height = 92;
  int port_spacing = 18;
  int track_spacing = 8;
  int corridor_min_height = 26;
  int lane_bottom_padding = 14;
  int collapsed_lane_height = 30;
  int right_padding = 10;
  /// BPMN: an exclusive gateway after every step with more than one next step, and start
  /// and end events of the BPMN size (36 px).
  bool bpmn = false;
  /// Estimated width of a column with its gutter, for splitting into bands.
  int column_pitch_estimate = 216;
  /// Height of the lane of an external party (format 1.2). The SVG draws such lanes below the
  /// units' lanes; the BPMN export has pools for them instead.
  int party_lane_height = 60;
};

LayoutStyle bpmn_style();

/// Splits the columns into bands of at most `max_width` px (estimated): as few bands as
/// possible, then as few phases cut in two as possible, then bands of even width.
/// `max_width` <= 0 gives one band.
std::vector<ColumnRange> split_into_bands(const Grid& grid, int max_width,
                                          const LayoutStyle& style);

enum class FlowKind {
  kStep,               // step → step in the same band
  kOutgoingConnector,  // step → connector (the target is in another band)
  kIncomingConnector,  // connector → step (one for all flows into it from other bands)
  kStart,              // start event → start step
  kEnd,                // end step → end event
  kGateway,            // step → its gateway (BPMN only)
  kJoin,               // parallel join gateway → the step that waits for the branches (BPMN)
};

struct RoutedFlow {
  FlowKind kind = FlowKind::kStep;
  std::size_t from = kNone;   // grid index of the source step (kNone: start, incoming connector)
  std::size_t to = kNone;     // grid index of the target step (kNone for end)
  std::size_t next = kNone;   // index in the source step's next list
  bool from_gateway = false;  // BPMN: leaves the source step's gateway, not the step
  int connector = 0;          // connector number for the connector kinds
  std::vector<Point> points;  // from source to target, at least two
};

struct StepBox {
  std::size_t step = 0;  // grid index
  Rect rect;
};

struct LaneBox {
  std::size_t lane = 0;
  Rect rect;               // the whole lane, header included
  Rect header;             // the label cell on the left
  bool collapsed = false;  // no step of this band is in the lane
};

struct PhaseBox {
  std::size_t phase = 0;
  Rect header;             // the title cell above the lanes
  Rect area;               // header and lanes
  bool continued = false;  // the phase began in an earlier band
};

struct Marker {
  std::size_t step = 0;  // grid index of the step it belongs to
  Rect rect;
  int number = 0;                  // connectors: the number both ends show
  bool outgoing = false;           // connectors: the flow leaves this band here
  std::size_t other_step = kNone;  // outgoing connectors: the step the flow goes to
  std::size_t other_band = kNone;  // outgoing connectors: the band of that step
};

struct BandLayout {
  std::size_t index = 0;
  ColumnRange columns;
  int width = 0;
  int height = 0;
  Rect lanes_area;  // right of the lane headers, below the phase headers
  std::vector<LaneBox> lanes;
  std::vector<PhaseBox> phases;
  std::vector<StepBox> boxes;     // in document order
  std::vector<RoutedFlow> flows;  // in a fixed order: by source step and next index, then
                                  // incoming connectors, then the start
  std::vector<Marker> connectors;
  std::vector<Marker> gateways;  // BPMN only
  std::vector<Marker> ends;
  std::vector<Marker> starts;  // at most one
  /// BPMN only: the parallel gateway in front of each join step (Step::join); the flows into
  /// the step end there, and one kJoin flow leads on to the step.
  std::vector<Marker> joins;
  /// SVG only: one lane per Grid::parties entry below the units' lanes (`lane` indexes
  /// Grid::parties).
  std::vector<LaneBox> party_lanes;

  const StepBox* box_of(std::size_t grid_step) const;
};

/// Lays out band `band` of `bands`. `min_box_heights` (by grid index, may be empty) lets the
/// caller ask for taller boxes where its text needs them.
BandLayout layout_band(const procedure::Procedure& procedure, const Grid& grid,
                       const std::vector<ColumnRange>& bands, std::size_t band,
                       const LayoutStyle& style, const std::vector<int>& min_box_heights = {});

/// Whether the BPMN export puts a gateway after this step (parallel for a parallel split,
/// exclusive otherwise).
bool has_gateway(const procedure::Step& step);

/// BPMN: puts the join gateways of `band` in front of their steps and ends the flows into a
/// join step at its gateway (swimlane_parallel.cpp).
void place_join_gateways(const procedure::Procedure& procedure, const Grid& grid, BandLayout& band);

}  // namespace boligflyt::render

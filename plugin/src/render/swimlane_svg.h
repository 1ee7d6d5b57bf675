#pragma once
// The swimlane picture of a procedure version as SVG: one lane per responsible unit, phases
// as column groups, each step a box (id "step-<id>", with a <title>), arrows for the flows
// with a letter where the step's branches have conditions. Deterministic: the same input
// gives the same bytes, and every coordinate is an integer.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "procedure/model.h"

namespace boligflyt::render {

struct SvgOptions {
  /// Avvik per step id. When not empty, boxes are coloured on a heat scale (relative to the
  /// step with the most) and carry a count badge.
  std::map<std::string, int> avvik_per_step;
  /// Steps drawn with an accent outline (the comparison view marks changed steps).
  std::set<std::string> highlight_steps;
  /// A short tag drawn on a step's box, such as "Ny" or "Endret".
  std::map<std::string, std::string> step_tags;
  /// Wrap the columns into bands of about this width (px), breaking between phases where it
  /// can; flows between bands end in numbered connectors. 0: one band.
  int max_band_width = 1700;
  /// A legend below the picture: the box kinds and markers, and the condition of every
  /// lettered branch. Documents that say the same in their text turn it off.
  bool legend = true;
  /// Put before every id in the SVG, for pages that hold more than one picture.
  std::string id_prefix;
  /// Accessible name; empty: "<title> <version> – flytdiagram".
  std::string title;
};

/// The whole picture in one SVG document (bands stacked, then the legend).
std::string render_swimlane_svg(const procedure::Procedure& procedure,
                                const procedure::UnitRegistry& units,
                                const SvgOptions& options = {});

struct SvgBand {
  std::string svg;      // a complete <svg> element, role="img" with its own <title>
  std::string caption;  // "Del 2 av 7: Saksbehandling"
  int width = 0;        // px, as in the svg's width attribute
  std::string first_phase_id;
};

/// One SVG per band, for documents that give each band its own printed page. Without a
/// legend (the document explains the picture in its text).
std::vector<SvgBand> render_swimlane_svg_bands(const procedure::Procedure& procedure,
                                               const procedure::UnitRegistry& units,
                                               const SvgOptions& options = {});

}  // namespace boligflyt::render

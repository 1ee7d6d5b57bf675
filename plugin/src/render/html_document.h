#pragma once
// A procedure version as the document people read, print and pin on the wall: one
// self-contained HTML5 page in Norwegian Bokmål (inline CSS, no scripts, no external
// requests) with the version's metadata, legal basis and changes, a table of contents with an
// anchor per step ("trinn-<id>"), the swimlane picture, and one section per phase with every
// step: who is responsible and who takes part, deadlines in words, documents, legal basis and
// what comes next. Prints on A4 (the picture on landscape pages) and meets WCAG 2.1 AA.

#include <map>
#include <string>

#include "procedure/model.h"

namespace boligflyt::render {

struct RenderOptions {
  /// Lifecycle status to show ("published", "superseded", …). Empty: the status attribute of
  /// the XML. Callers with a store pass its status, which is the authoritative one.
  std::string status;
  /// Avvik per step id: shown on each step and as a heat overlay in the picture.
  std::map<std::string, int> avvik_per_step;
  /// Width (px) the picture is wrapped at; each band prints on its own landscape page.
  int diagram_band_width = 1300;
  /// A line for the footer (for example where and when the document was published). The
  /// renderer adds no date of its own, so the same version always gives the same bytes.
  std::string footer_note;
};

std::string render_html_document(const procedure::Procedure& procedure,
                                 const procedure::UnitRegistry& units,
                                 const RenderOptions& options = {});

}  // namespace boligflyt::render

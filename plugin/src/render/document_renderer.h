#pragma once
// The procedure service's document renderer (procedure/collaborators.h): the HTML document
// of a version, with the store's status, for the host's document library.

#include "procedure/collaborators.h"
#include "render/html_document.h"

namespace boligflyt::render {

class HtmlDocumentRenderer final : public procedure::DocumentRenderer {
 public:
  // procedure::DocumentRenderer
  std::string render(const procedure::StoredVersion& version,
                     const procedure::UnitRegistry& units) const override {
    RenderOptions options;
    options.status = version.status();
    return render_html_document(version.procedure, units, options);
  }
};

}  // namespace boligflyt::render

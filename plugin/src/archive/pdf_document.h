#pragma once
// Archival documents: a small block model laid out with Pango and drawn with cairo (fonts
// embedded, æøå intact), then converted to PDF/A-2b by Ghostscript. The avvik report and
// the procedure document are built from the domain records in reports.h.

#include <string>
#include <vector>

#include "core/result.h"

namespace boligflyt::archive {

struct PdfBlock {
  enum class Kind {
    kHeading,    // text: a section heading
    kParagraph,  // text: wrapped body text (newlines start new lines)
    kFields,     // rows: label | value pairs (two columns)
    kTable,      // header + rows: a table with as many columns as `header`
  } kind = Kind::kParagraph;
  std::string text;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct PdfDocument {
  std::string title;       // document title: first heading and XMP dc:title
  std::string subtitle;    // under the title (e.g. "Boligflytprosedyre – avviksrapport")
  std::string author;      // XMP dc:creator, e.g. the municipality or "boligflyt"
  std::string subject;     // XMP dc:description
  std::string created_at;  // ISO 8601 UTC; the PDF's creation date (so equal input → equal text)
  std::vector<PdfBlock> blocks;
};

/// The PDF/A-2b bytes of `document` (A4, page numbers "Side n av m" in the footer).
/// kInternal when cairo/Pango or Ghostscript fail (log message says why), kUnavailable when
/// the `gs` program is missing.
Result<std::string> render_pdfa(const PdfDocument& document);

}  // namespace boligflyt::archive

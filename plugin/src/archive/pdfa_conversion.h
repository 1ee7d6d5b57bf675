#pragma once
// Internal to pdf_document.cpp: the PDF/A-2b conversion of a drawn PDF by Ghostscript.

#include <string>

#include "archive/pdf_document.h"
#include "core/result.h"

namespace boligflyt::archive {

/// `pdf` (as cairo drew `document`) as PDF/A-2b. kUnavailable when `gs` is missing,
/// kInternal when it fails (the log message says why).
Result<std::string> convert_to_pdfa(const PdfDocument& document, const std::string& pdf);

/// Ghostscript's PDF/A with the document's non-ASCII title, author and subject put back by an
/// incremental update (Info and XMP together). Unchanged when they are ASCII.
Result<std::string> restore_unicode_metadata(std::string pdf, const PdfDocument& document);

}  // namespace boligflyt::archive

#pragma once
// Internal to the PDF/A conversion: reproducible bytes. Ghostscript takes the file identifier
// (the trailer's /ID) and the XMP DocumentID from the clock, so one document rendered twice
// differs in those bytes alone. Both are replaced, at the same length so that every offset
// stays valid, by values drawn from the rest of the file: the same document gives the same
// bytes (a document library or archive that has it already can tell), and a different one
// still a different identifier.

#include <string>

namespace boligflyt::archive {

/// `pdf` with its /ID strings and XMP DocumentID derived from its content; unchanged when it
/// has neither.
std::string with_content_identity(std::string pdf);

}  // namespace boligflyt::archive

#pragma once
// The document library over WebDAV (RFC 4918): MKCOL for the folders, PUT with
// `If-None-Match: *` so that nothing already there is overwritten (412: compare with what is
// there), and PROPFIND to check that every file is there with its size.

#include <memory>

#include "ports/document_library.h"
#include "webdav/webdav_settings.h"

namespace boligflyt::adapters {

/// The factory of the WebDAV document library.
std::unique_ptr<ports::DocumentLibrary> make_webdav_library(WebDavSettings settings);

}  // namespace boligflyt::adapters

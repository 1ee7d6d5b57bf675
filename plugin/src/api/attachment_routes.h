#pragma once
// /api/v1/deviations/{id}/attachments…: attach a file (raw body: its Content-Type, and its name
// in X-Filename, percent-encoded UTF-8) or a journalpost reference (application/json), list
// them, and download one (Content-Disposition: attachment, nosniff, never cached).

#include "api/router.h"
#include "deviation/attachments.h"

namespace boligflyt::api {

void register_attachment_routes(Router& router, deviation::AttachmentService& service);

}  // namespace boligflyt::api

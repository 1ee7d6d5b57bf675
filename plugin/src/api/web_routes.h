#pragma once
// The web pages (plugin/web/, embedded at build time): one HTML shell per page, the assets
// under content-hashed names, and the security headers every page carries.

#include "api/router.h"

namespace boligflyt::api {

/// The Content-Security-Policy of every page: scripts and styles from this origin only.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

void register_web_routes(Router& router);

}  // namespace boligflyt::api

#pragma once
// The plugin configuration's "document_library" object: the municipality's document library
// over WebDAV, where every published procedure version is put as HTML, PDF/A and XML.
//   {"url": "https://dok.kommune.no/dav/kvalitet", "user": "boligflyt",
//    "password_file": "/etc/boligflyt/webdav-passord", "timeout_seconds": 30}
// or, with a bearer token instead of basic auth, {"url": ..., "token_file": ...}; "ca_file"
// names the CA certificates (PEM) to trust instead of the system's. Secrets live in their own
// files, refused when group or others may read them; they are never logged.

#include <boost/json/fwd.hpp>
#include <string>

#include "core/result.h"

namespace boligflyt::adapters {

struct WebDavSettings {
  bool tls = false;          // https
  std::string host;          // from the URL
  int port = 80;             // from the URL (443 for https when absent)
  std::string base_path;     // the URL's path without a trailing '/', "" for the root
  std::string user;          // basic auth when set
  std::string password;      // read from password_file
  std::string token;         // bearer auth when set (read from token_file)
  std::string ca_file;       // PEM; empty: the system's CAs
  int timeout_seconds = 30;  // per request
};

/// Checks `value` (the "document_library" object) and reads the secret file. Errors name the
/// key.
Result<WebDavSettings> parse_webdav_settings(const boost::json::value& value);

}  // namespace boligflyt::adapters

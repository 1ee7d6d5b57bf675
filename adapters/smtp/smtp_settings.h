#pragma once
// The plugin configuration's "mail" object: where the plugin's own mail goes out.
//   {"server": "smtp.kommune.no", "port": 587, "from": "boligflyt@kommune.no",
//    "link_base": "https://kvalitet.kommune.no", "user": "boligflyt",
//    "password_file": "/etc/boligflyt/smtp-passord", "timeout_seconds": 30}
// The password lives in its own file, which is refused when group or others may read it;
// it is never logged and never part of an error text.

#include <boost/json/fwd.hpp>
#include <string>

#include "core/result.h"

namespace boligflyt::adapters {

struct SmtpSettings {
  std::string server;
  int port = 25;
  std::string from;
  std::string link_base;  // links in the mail: link_base + "/avvik/<id>"
  std::string user;       // AUTH only when set
  std::string password;   // read from password_file
  int timeout_seconds = 30;
};

/// Checks `value` (the "mail" object) and reads the password file. Errors name the key.
Result<SmtpSettings> parse_smtp_settings(const boost::json::value& value);

}  // namespace boligflyt::adapters

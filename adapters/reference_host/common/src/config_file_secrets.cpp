#include "boligflyt/host/config_file_secrets.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <string>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// libpq conninfo "password=..." or a URI with a password in it ("postgresql://u:p@host").
bool text_holds_secret(std::string_view value) {
  const std::string text = lower(value);
  for (std::size_t at = text.find("password"); at != std::string::npos;
       at = text.find("password", at + 1)) {
    std::size_t next = at + 8;
    while (next < text.size() && text[next] == ' ') ++next;
    if (next < text.size() && text[next] == '=') return true;
  }
  const std::size_t scheme = text.find("://");
  if (scheme == std::string::npos) return false;
  const std::string_view rest = std::string_view(text).substr(scheme + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::size_t at = authority.rfind('@');
  return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string::npos;
}

bool key_names_secret(std::string_view key) {
  const std::string name = lower(key);
  if (name.ends_with("_file")) return false;  // the path of a secret, not the secret
  return name == "password" || name.ends_with("_password") || name == "secret" ||
         name.ends_with("_secret") || name == "token" || name.ends_with("_token");
}

bool holds_secret(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return text_holds_secret(value.get_string());
    case json::kind::array:
      return std::any_of(value.get_array().begin(), value.get_array().end(),
                         [](const json::value& item) { return holds_secret(item); });
    case json::kind::object:
      for (const auto& [key, item] : value.get_object()) {
        if (key_names_secret(key) && item.is_string() && !item.get_string().empty()) return true;
        if (holds_secret(item)) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace

bool config_holds_secret(std::string_view json_text) {
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  return !ec && holds_secret(root);
}

void refuse_readable_secrets(const std::filesystem::path& file, std::string_view json_text) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  if (!config_holds_secret(json_text)) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  throw ConfigError("Konfigurasjonsfilen " + file.string() +
                    " inneholder en hemmelighet (for eksempel et passord) og kan leses av andre "
                    "(modus " +
                    mode + "). Kjør «chmod 600 " + file.string() +
                    "», eller legg hemmeligheten i en egen fil som bare eieren kan lese.");
}

}  // namespace boligflyt::host

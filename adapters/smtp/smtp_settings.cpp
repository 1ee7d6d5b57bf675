#include "smtp/smtp_settings.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

namespace boligflyt::adapters {
namespace {

Error mail_error(std::string field, std::string detail) {
  return make_error(ErrorKind::kBadRequest, "invalid-config", "Ugyldig konfigurasjon",
                    std::move(detail), std::move(field));
}

bool is_address(const std::string& s) {
  return s.find('@') != std::string::npos && s.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
}

Result<std::string> read_password(const std::string& path) {
  const std::string field = "mail.password_file";
  struct stat st {};
  if (path.empty() || path.front() != '/' || ::stat(path.c_str(), &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    return mail_error(field, "«" + field + "» må være den absolutte stien til en fil som finnes.");
  }
  // A secret that others on the machine may read is no secret: refuse rather than use it.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return mail_error(field,
                      "Passordfila for e-post kan leses av andre enn eieren. Kjør «chmod "
                      "600» på den (" +
                          field + ").");
  }
  std::ifstream in(path, std::ios::binary);
  std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  if (password.empty()) return mail_error(field, "Passordfila for e-post er tom.");
  return password;
}

}  // namespace

Result<SmtpSettings> parse_smtp_settings(const boost::json::value& value) {
  if (!value.is_object()) return mail_error("mail", "«mail» må være et objekt.");
  SmtpSettings out;
  std::string password_file;
  for (const auto& [key, v] : value.as_object()) {
    const std::string field = "mail." + std::string(key);
    if (key == "port" || key == "timeout_seconds") {
      const long long max = key == "port" ? 65535 : 600;
      if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > max) {
        return mail_error(
            field, "«" + field + "» må være et heltall fra 1 til " + std::to_string(max) + ".");
      }
      (key == "port" ? out.port : out.timeout_seconds) = static_cast<int>(v.as_int64());
      continue;
    }
    std::string* target = key == "server"          ? &out.server
                          : key == "from"          ? &out.from
                          : key == "link_base"     ? &out.link_base
                          : key == "user"          ? &out.user
                          : key == "password_file" ? &password_file
                                                   : nullptr;
    if (target == nullptr) return mail_error(field, "Ukjent nøkkel «" + field + "».");
    if (!v.is_string() || v.as_string().empty()) {
      return mail_error(field, "«" + field + "» må være en tekst som ikke er tom.");
    }
    *target = v.as_string();
  }
  if (out.server.empty()) return mail_error("mail.server", "«mail.server» mangler.");
  if (!is_address(out.from)) {
    return mail_error("mail.from",
                      "«mail.from» må være én e-postadresse, for eksempel "
                      "boligflyt@kommune.no.");
  }
  if (!out.link_base.starts_with("http://") && !out.link_base.starts_with("https://")) {
    return mail_error("mail.link_base",
                      "«mail.link_base» må være adressen til sidene, for "
                      "eksempel https://kvalitet.kommune.no.");
  }
  while (out.link_base.ends_with('/')) out.link_base.pop_back();
  if (out.user.empty() != password_file.empty()) {
    return mail_error(out.user.empty() ? "mail.user" : "mail.password_file",
                      "«mail.user» og «mail.password_file» må oppgis sammen.");
  }
  if (!password_file.empty()) {
    auto password = read_password(password_file);
    if (!password) return password.error();
    out.password = std::move(*password);
  }
  return out;
}

}  // namespace boligflyt::adapters

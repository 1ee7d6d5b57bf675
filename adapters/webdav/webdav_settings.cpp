#include "webdav/webdav_settings.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iterator>

namespace boligflyt::adapters {
namespace {

constexpr std::string_view kPrefix = "document_library.";

Error settings_error(std::string field, std::string detail) {
  return make_error(ErrorKind::kBadRequest, "invalid-config", "Ugyldig konfigurasjon",
                    std::move(detail), std::move(field));
}

Result<std::string> read_secret(const std::string& path, const std::string& field,
                                const char* what) {
  struct stat st {};
  if (path.empty() || path.front() != '/' || ::stat(path.c_str(), &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    return settings_error(field,
                          "«" + field + "» må være den absolutte stien til en fil som finnes.");
  }
  // A secret that others on the machine may read is no secret: refuse rather than use it.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return settings_error(field, std::string(what) +
                                     " for dokumentbiblioteket kan leses av andre enn eieren. "
                                     "Kjør «chmod 600» på den (" +
                                     field + ").");
  }
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return settings_error(field, std::string(what) + " er tom (" + field + ").");
  if (secret.find_first_of("\r\n") != std::string::npos) {
    return settings_error(field, std::string(what) + " må være én linje (" + field + ").");
  }
  return secret;
}

// http(s)://host[:port][/path]; no user info in the URL (the secret belongs in its file).
Result<void> parse_url(const std::string& url, WebDavSettings& out) {
  const std::string field = std::string(kPrefix) + "url";
  auto bad = [&] {
    return settings_error(field, "«" + field +
                                     "» må være adressen til biblioteket, for eksempel "
                                     "https://dok.kommune.no/dav/kvalitet.");
  };
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    out.tls = true;
    out.port = 443;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad();
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return settings_error(
        field, "«" + field + "» kan ikke inneholde brukernavn eller passord; bruk «" +
                   std::string(kPrefix) + "user» og «" + std::string(kPrefix) + "password_file».");
  }
  if (path.find_first_of("?#") != std::string_view::npos) return bad();
  std::string_view host = authority;
  if (authority.starts_with('[')) {  // [::1]:8080
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad();
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? "" : authority.substr(colon);
  }
  if (!authority.empty()) {
    if (authority.front() != ':') return bad();
    int port = 0;
    const auto* begin = authority.data() + 1;
    const auto* end = authority.data() + authority.size();
    const auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end || port < 1 || port > 65535) return bad();
    out.port = port;
  }
  if (host.empty() || host.find_first_of(" \t\r\n/") != std::string_view::npos) return bad();
  out.host = host;
  out.base_path = path;
  while (out.base_path.ends_with('/')) out.base_path.pop_back();
  return {};
}

}  // namespace

Result<WebDavSettings> parse_webdav_settings(const boost::json::value& value) {
  if (!value.is_object()) {
    return settings_error("document_library", "«document_library» må være et objekt.");
  }
  WebDavSettings out;
  std::string url;
  std::string password_file;
  std::string token_file;
  for (const auto& [key, v] : value.as_object()) {
    const std::string field = std::string(kPrefix) + std::string(key);
    if (key == "timeout_seconds") {
      if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > 600) {
        return settings_error(field, "«" + field + "» må være et heltall fra 1 til 600.");
      }
      out.timeout_seconds = static_cast<int>(v.as_int64());
      continue;
    }
    std::string* target = key == "url"             ? &url
                          : key == "user"          ? &out.user
                          : key == "password_file" ? &password_file
                          : key == "token_file"    ? &token_file
                          : key == "ca_file"       ? &out.ca_file
                                                   : nullptr;
    if (target == nullptr) return settings_error(field, "Ukjent nøkkel «" + field + "».");
    if (!v.is_string() || v.as_string().empty()) {
      return settings_error(field, "«" + field + "» må være en tekst som ikke er tom.");
    }
    *target = v.as_string();
  }
  if (url.empty()) {
    return settings_error(std::string(kPrefix) + "url", "«document_library.url» mangler.");
  }
  if (auto parsed = parse_url(url, out); !parsed) return parsed.error();
  if (out.user.empty() != password_file.empty()) {
    return settings_error(
        out.user.empty() ? "document_library.user" : "document_library.password_file",
        "«document_library.user» og «document_library.password_file» må "
        "oppgis sammen.");
  }
  if (!out.user.empty() && !token_file.empty()) {
    return settings_error("document_library.token_file",
                          "Oppgi enten «document_library.user» med passordfil (basic) eller "
                          "«document_library.token_file» (bearer), ikke begge.");
  }
  if (out.user.find(':') != std::string::npos) {
    return settings_error("document_library.user",
                          "«document_library.user» kan ikke inneholde kolon.");
  }
  if (!out.ca_file.empty()) {
    struct stat st {};
    if (!out.tls) {
      return settings_error("document_library.ca_file",
                            "«document_library.ca_file» brukes bare med en https-adresse.");
    }
    if (out.ca_file.front() != '/' || ::stat(out.ca_file.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode)) {
      return settings_error("document_library.ca_file",
                            "«document_library.ca_file» må være den absolutte stien til en fil "
                            "som finnes.");
    }
  }
  if (!password_file.empty()) {
    auto password = read_secret(password_file, "document_library.password_file", "Passordfila");
    if (!password) return password.error();
    out.password = std::move(*password);
  }
  if (!token_file.empty()) {
    auto token = read_secret(token_file, "document_library.token_file", "Tokenfila");
    if (!token) return token.error();
    out.token = std::move(*token);
  }
  return out;
}

}  // namespace boligflyt::adapters

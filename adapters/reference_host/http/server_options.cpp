// Helpers for ServerOptions that need no Beast: the listen address and the TLS key file.

#include <sys/stat.h>

#include <stdexcept>
#include <string>

#include "http/http_server.h"

namespace boligflyt::host {

std::pair<std::string, uint16_t> parse_listen_address(const std::string& text) {
  const auto fail = [&]() -> std::pair<std::string, uint16_t> {
    throw std::invalid_argument("Ugyldig lytteadresse «" + text +
                                "»: bruk ADRESSE:PORT, for eksempel 127.0.0.1:8080.");
  };
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find("]:");
    if (close == std::string::npos) return fail();
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) return fail();
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return fail();
  }
  const unsigned long port = std::stoul(port_text);
  if (port > 65535) return fail();
  return {host, static_cast<uint16_t>(port)};
}

void refuse_readable_private_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::runtime_error("Kan ikke lese den private TLS-nøkkelen " + path + ".");
  }
  // Like ssh: a private key others can read is no longer private.
  if ((st.st_mode & 077) != 0) {
    throw std::runtime_error("Den private TLS-nøkkelen " + path +
                             " kan leses av andre. Kjør «chmod 600 " + path + "».");
  }
}

}  // namespace boligflyt::host

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>
#include <optional>
#include <sstream>

#include "boligflyt/host/host_config.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(std::string_view source, std::string_view key, std::string_view what) {
  std::ostringstream out;
  out << "Ugyldig konfigurasjon (" << source << "): http" << (key.empty() ? "" : ".") << key << ": "
      << what;
  throw ConfigError(out.str());
}

std::optional<int64_t> integer(std::string_view source, const json::object& o, std::string_view key,
                               int64_t low, int64_t high) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_int64() || v->get_int64() < low || v->get_int64() > high) {
    fail(source, key, "må være et heltall " + std::to_string(low) + "–" + std::to_string(high));
  }
  return v->get_int64();
}

// An origin is scheme, host and port, as a browser sends it in `Origin`: no path, no slash.
bool is_origin(std::string_view text) {
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return false;
  }
  return !rest.empty() && rest.find_first_of("/?#@ \t\r\n*") == std::string_view::npos;
}

}  // namespace

HttpConfig parse_http_config(std::string_view json_text, const std::filesystem::path& base_dir,
                             std::string_view source) {
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  if (ec || !root.is_object()) fail(source, "", "må være et JSON-objekt");
  const json::object& o = root.get_object();
  static constexpr std::string_view kKnown[] = {
      "header_limit_bytes",          "max_body_bytes",
      "header_timeout_seconds",      "request_timeout_seconds",
      "max_connections_per_address", "rate_limit",
      "cors_allowed_origins",        "tls"};
  for (const auto& [key, value] : o) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      fail(source, key, "ukjent nøkkel");
    }
  }

  HttpConfig config;
  if (auto v = integer(source, o, "header_limit_bytes", 1024, 1024 * 1024)) {
    config.header_limit_bytes = static_cast<std::size_t>(*v);
  }
  if (auto v = integer(source, o, "max_body_bytes", 1024, int64_t{1024} * 1024 * 1024)) {
    config.max_body_bytes = static_cast<std::size_t>(*v);
  }
  if (auto v = integer(source, o, "header_timeout_seconds", 1, 600)) {
    config.header_timeout = std::chrono::seconds(*v);
  }
  if (auto v = integer(source, o, "request_timeout_seconds", 1, 3600)) {
    config.request_timeout = std::chrono::seconds(*v);
  }
  if (auto v = integer(source, o, "max_connections_per_address", 0, 100000)) {
    config.max_connections_per_address = static_cast<unsigned>(*v);
  }
  if (const json::value* rate = o.if_contains("rate_limit"); rate != nullptr && !rate->is_null()) {
    if (!rate->is_object()) fail(source, "rate_limit", "må være et objekt");
    const json::object& r = rate->get_object();
    const json::value* per_second = r.if_contains("requests_per_second");
    if (per_second == nullptr || !per_second->is_number() || per_second->to_number<double>() <= 0 ||
        per_second->to_number<double>() > 1e6) {
      fail(source, "rate_limit.requests_per_second", "må være et tall større enn 0");
    }
    config.rate_limit_per_second = per_second->to_number<double>();
    const auto burst = integer(source, r, "burst", 1, 1000000);
    if (!burst) fail(source, "rate_limit.burst", "mangler");
    config.rate_limit_burst = static_cast<unsigned>(*burst);
    for (const auto& [key, value] : r) {
      if (key != "requests_per_second" && key != "burst") {
        fail(source, "rate_limit." + std::string(key), "ukjent nøkkel");
      }
    }
  }
  if (const json::value* origins = o.if_contains("cors_allowed_origins");
      origins != nullptr && !origins->is_null()) {
    if (!origins->is_array()) fail(source, "cors_allowed_origins", "må være en liste med tekster");
    for (const json::value& item : origins->get_array()) {
      if (!item.is_string() || !is_origin(item.get_string())) {
        fail(source, "cors_allowed_origins",
             "må bare ha opphav som «https://kvalitet.kommune.no» (uten sti og uten *)");
      }
      config.cors_allowed_origins.emplace_back(item.get_string());
    }
  }
  if (const json::value* tls = o.if_contains("tls"); tls != nullptr && !tls->is_null()) {
    if (!tls->is_object()) fail(source, "tls", "må være et objekt");
    const json::object& t = tls->get_object();
    const auto path = [&](std::string_view key) {
      const json::value* v = t.if_contains(key);
      if (v == nullptr || !v->is_string() || v->get_string().empty()) {
        fail(source, "tls." + std::string(key), "mangler (stien til en PEM-fil)");
      }
      std::filesystem::path p(std::string(v->get_string()));
      if (p.is_relative()) p = base_dir / p;
      return p.lexically_normal();
    };
    config.tls_certificate_file = path("certificate_file");
    config.tls_private_key_file = path("private_key_file");
    for (const auto& [key, value] : t) {
      if (key != "certificate_file" && key != "private_key_file") {
        fail(source, "tls." + std::string(key), "ukjent nøkkel");
      }
    }
  }
  return config;
}

}  // namespace boligflyt::host

#include "api/attachment_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "api/json_body.h"
#include "api/problem.h"
#include "util/sha256.h"
#include "util/utf8.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;
using deviation::AttachmentService;

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0) return std::nullopt;
    out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
    i += 2;
  }
  if (util::find_invalid_utf8(out)) return std::nullopt;
  return out;
}

/// RFC 5987 ext-value of a UTF-8 file name, for filename*=.
std::string ext_value(std::string_view name) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "UTF-8''";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '.' || c == '-' || c == '_') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string_view extension_of(std::string_view media_type) {
  if (media_type == "application/pdf") return "pdf";
  if (media_type == "image/png") return "png";
  return "jpg";
}

json::object attachment_json(const std::string& id, const store::DeviationAttachment& a) {
  json::object o{{"no", a.attachment_no},
                 {"kind", a.kind},
                 {"description", a.description},
                 {"added_by", a.added_by},
                 {"added_at", a.added_at}};
  if (a.kind == "file") {
    o["file_name"] = a.file_name;
    o["media_type"] = a.media_type;
    o["size_bytes"] = a.size_bytes;
    o["sha256"] = a.sha256;
    o["href"] = "/api/v1/deviations/" + id + "/attachments/" + std::to_string(a.attachment_no);
  } else {
    o["reference"] = a.reference;
  }
  return o;
}

Result<std::string> idempotency_key_of(const Request& r) {
  const auto key = r.header("Idempotency-Key");
  if (!key) return std::string();
  if (key->empty() || key->size() > 200 ||
      !std::all_of(key->begin(), key->end(), [](char c) { return c > 32 && c < 127; })) {
    return bad_parameter("Idempotency-Key", "Idempotency-Key må være 1–200 synlige ASCII-tegn.");
  }
  return std::string(*key);
}

Result<std::string> decoded_header(const Request& r, std::string_view name, std::string field) {
  const auto value = r.header(name);
  if (!value) return std::string();
  auto decoded = percent_decode(*value);
  if (!decoded) {
    return invalid(std::move(field),
                   "«" + std::string(name) + "» må være UTF-8, prosentkodet (encodeURIComponent).");
  }
  return std::move(*decoded);
}

Result<Response> add_reference(AttachmentService& svc, const Request& r, const std::string& key) {
  auto body = parse_json_body(r);
  if (!body) return body.error();
  if (!body->is_object()) return invalid("", "Innholdet må være et JSON-objekt.");
  deviation::ReferenceInput in;
  for (const auto& [k, v] : body->as_object()) {
    std::string* target = k == "reference"     ? &in.reference
                          : k == "description" ? &in.description
                                               : nullptr;
    if (target == nullptr) return invalid(std::string(k), "Ukjent felt «" + std::string(k) + "».");
    if (v.is_null()) continue;
    if (!v.is_string()) return invalid(std::string(k), "«" + std::string(k) + "» må være tekst.");
    *target = std::string(v.as_string());
  }
  auto added =
      svc.add_reference(r.path_params.at("id"), in, *r.principal, key, util::sha256_hex(r.body));
  if (!added) return added.error();
  auto response = json_response(added->replayed ? 200 : 201,
                                attachment_json(r.path_params.at("id"), added->attachment));
  if (added->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

}  // namespace

void register_attachment_routes(Router& router, AttachmentService& service) {
  AttachmentService* svc = &service;

  router.add(
      "POST", "/api/v1/deviations/{id}/attachments", [svc](const Request& r) -> Result<Response> {
        auto key = idempotency_key_of(r);
        if (!key) return key.error();
        const auto content_type = r.header("Content-Type").value_or("");
        std::string media(content_type.substr(0, content_type.find(';')));
        media.erase(media.find_last_not_of(' ') + 1);
        std::transform(media.begin(), media.end(), media.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (media == "application/json") return add_reference(*svc, r, *key);

        deviation::FileInput in;
        auto name = decoded_header(r, "X-Filename", "file_name");
        if (!name) return name.error();
        auto description = decoded_header(r, "X-Description", "description");
        if (!description) return description.error();
        in.file_name = std::move(*name);
        in.description = std::move(*description);
        in.media_type = media;
        in.bytes = std::string(r.body);
        // The request is the bytes and what was said about them.
        const std::string request_sha256 = util::sha256_hex(
            media + "\n" + in.file_name + "\n" + in.description + "\n" + util::sha256_hex(r.body));
        auto added = svc->add_file(r.path_params.at("id"), in, *r.principal, *key, request_sha256);
        if (!added) return added.error();
        auto response = json_response(added->replayed ? 200 : 201,
                                      attachment_json(r.path_params.at("id"), added->attachment));
        response.headers.emplace_back(
            "Location", "/api/v1/deviations/" + r.path_params.at("id") + "/attachments/" +
                            std::to_string(added->attachment.attachment_no));
        if (added->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
        return response;
      });

  router.add(
      "GET", "/api/v1/deviations/{id}/attachments", [svc](const Request& r) -> Result<Response> {
        const auto& id = r.path_params.at("id");
        auto items = svc->list(id, *r.principal);
        if (!items) return items.error();
        json::array out;
        for (const auto& a : *items) out.push_back(attachment_json(id, a));
        return json_response(
            200, json::object{
                     {"items", std::move(out)},
                     {"max_file_bytes", svc->settings().max_file_bytes},
                     {"media_types", json::array{"application/pdf", "image/png", "image/jpeg"}}});
      });

  router.add("GET", "/api/v1/deviations/{id}/attachments/{no}",
             [svc](const Request& r) -> Result<Response> {
               const auto& id = r.path_params.at("id");
               const auto& no = r.path_params.at("no");
               if (no.empty() || no.size() > 6 || !std::all_of(no.begin(), no.end(), [](char c) {
                     return c >= '0' && c <= '9';
                   })) {
                 return bad_parameter("no", "Vedleggsnummeret må være et positivt heltall.");
               }
               auto a = svc->get(id, std::stoll(no), *r.principal);
               if (!a) return a.error();
               if (a->kind != "file") return json_response(200, attachment_json(id, *a));
               Response response;
               response.content_type = a->media_type;
               // Always a download, never rendered in the page's origin; and never left in a cache.
               response.headers.emplace_back("Content-Disposition",
                                             "attachment; filename=\"vedlegg-" + no + "." +
                                                 std::string(extension_of(a->media_type)) +
                                                 "\"; filename*=" + ext_value(a->file_name));
               response.headers.emplace_back("X-Content-Type-Options", "nosniff");
               response.headers.emplace_back("Cache-Control", "private, no-store");
               response.body = std::move(a->content);
               return response;
             });
}

}  // namespace boligflyt::api

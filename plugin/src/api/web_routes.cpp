#include "api/web_routes.h"

#include <array>
#include <string>

#include "api/problem.h"
#include "api/web_assets.h"

namespace boligflyt::api {
namespace {

struct Page {
  std::string_view pattern;
  std::string_view id;     // read by app.js from <body data-page>
  std::string_view title;  // fixed text: no user-typed text reaches a title or the history
};

constexpr std::array kPages{
    Page{"/", "start", "Det som venter på meg"},
    Page{"/registrer", "registrer", "Meld avvik"},
    Page{"/avvik", "avvik", "Avvik"},
    Page{"/avvik/{id}", "avvik-detalj", "Avvik"},
    Page{"/prosedyren", "prosedyren", "Prosedyren"},
    Page{"/revisjon", "revisjon", "Revisjon"},
    Page{"/oversikt", "oversikt", "Oversikt"},
};

const WebAsset* find_asset(std::string_view name) {
  for (const auto& asset : web_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

/// "app.js" → "/assets/app.3f2a….js": a new file, a new name, so browsers may keep it a year.
std::string hashed_url(std::string_view name) {
  const WebAsset* asset = find_asset(name);
  if (asset == nullptr) return "/assets/" + std::string(name);
  const auto dot = name.rfind('.');
  return "/assets/" + std::string(name.substr(0, dot)) + "." + std::string(asset->hash) +
         std::string(name.substr(dot));
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

void add_security_headers(Response& r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
}

Response page_response(const Page& page) {
  const WebAsset* shell = find_asset("page.html");
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = shell != nullptr ? std::string(shell->bytes) : std::string();
  replace_all(r.body, "@TITLE@", std::string(page.title));
  replace_all(r.body, "@PAGE@", std::string(page.id));
  replace_all(r.body, "@CSS@", hashed_url("app.css"));
  replace_all(r.body, "@JS@", hashed_url("app.js"));
  r.headers.emplace_back("Content-Security-Policy", std::string(kPageContentSecurityPolicy));
  r.headers.emplace_back("Cache-Control", "no-store");
  add_security_headers(r);
  return r;
}

Result<Response> asset_response(const Request& request) {
  const std::string& requested = request.path_params.at("name");
  // "app.<hash>.js" is immutable; "app.js" (for pages a host renders itself) is revalidated.
  std::string name = requested;
  bool hashed = false;
  const auto last = requested.rfind('.');
  const auto first = requested.find('.');
  if (first != std::string::npos && last != first) {
    const auto hash = requested.substr(first + 1, last - first - 1);
    name = requested.substr(0, first) + requested.substr(last);
    const WebAsset* asset = find_asset(name);
    if (asset == nullptr || asset->hash != hash) {
      return make_error(ErrorKind::kNotFound, "not-found", "Finnes ikke",
                        "Filen finnes ikke i denne versjonen.", "path");
    }
    hashed = true;
  }
  const WebAsset* asset = find_asset(name);
  if (asset == nullptr || name == "page.html") {
    return make_error(ErrorKind::kNotFound, "not-found", "Finnes ikke", "Filen finnes ikke.",
                      "path");
  }
  Response r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  const std::string etag = "\"" + std::string(asset->hash) + "\"";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control",
                         hashed ? "public, max-age=31536000, immutable" : "no-cache");
  add_security_headers(r);
  if (const auto inm = request.header("If-None-Match"); inm && *inm == etag) {
    r.status = 304;
    r.body.clear();
  }
  return r;
}

}  // namespace

void register_web_routes(Router& router) {
  for (const Page& page : kPages) {
    router.add("GET", std::string(page.pattern),
               [&page](const Request&) -> Result<Response> { return page_response(page); });
  }
  router.add("GET", "/assets/{name}", asset_response, RouteOptions{.requires_principal = false});
}

}  // namespace boligflyt::api

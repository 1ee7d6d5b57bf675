#include "webdav/webdav_library.h"

#include <map>
#include <pugixml.hpp>

#include "webdav/webdav_client.h"

namespace boligflyt::adapters {
namespace {

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percent_encoded(const std::string& segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4U];
      out += kHex[c & 0xFU];
    }
  }
  return out;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(text[i + 1]) != 0 &&
        std::isxdigit(text[i + 2]) != 0) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// The local name of an element ("D:href" → "href"): servers choose their own prefixes.
std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child_named(const pugi::xml_node& node, std::string_view name) {
  for (auto child : node.children()) {
    if (local_name(child) == name) return child;
  }
  return {};
}

Error refused(const DavRequest& request, unsigned status, const std::string& why) {
  return make_error(ErrorKind::kUnavailable, "document-library-refused",
                    "Dokumentbiblioteket tok ikke imot dokumentet",
                    "Dokumentbiblioteket tok ikke imot dokumentene nå; de legges inn senere.", {},
                    "webdav: " + request.method + " " + request.target + " answered " +
                        std::to_string(status) + (why.empty() ? "" : " (" + why + ")"));
}

std::string why_of(unsigned status) {
  switch (status) {
    case 401:
      return "the library refused the user name and password or token; check "
             "document_library.user and its password_file, or token_file";
    case 403: return "the user may not write here";
    case 404: return "no such folder";
    case 409:
      return "the folder above is missing; does document_library.url name an existing folder?";
    case 507: return "the library is full";
    default: return {};
  }
}

class WebDavLibrary final : public ports::DocumentLibrary {
 public:
  explicit WebDavLibrary(WebDavSettings settings) : settings_(std::move(settings)) {}

  // ports::DocumentLibrary
  Result<std::vector<ports::LibraryFileResult>> put_files(
      const std::vector<std::string>& folder,
      const std::vector<ports::LibraryFile>& files) override {
    std::string path = settings_.base_path;
    for (const auto& segment : folder) {
      path += "/" + percent_encoded(segment);
      if (auto made = make_collection(path + "/"); !made) return made.error();
    }
    std::vector<ports::LibraryFileResult> results;
    for (const auto& file : files) {
      auto put = put_once(path + "/" + percent_encoded(file.name), file);
      if (!put) return put.error();
      results.push_back({file.name, *put});
    }
    if (auto checked = check_listed(path + "/", files, results); !checked) return checked.error();
    return results;
  }

  std::string describe() const override {
    return std::string(settings_.tls ? "https://" : "http://") + settings_.host + ":" +
           std::to_string(settings_.port) + settings_.base_path;
  }

 private:
  Result<DavReply> send(const DavRequest& request) const {
    return send_dav_request(settings_, request);
  }

  // 201: made now; 405: it is there already (RFC 4918 9.3.1).
  Result<void> make_collection(const std::string& target) const {
    DavRequest request{"MKCOL", target, {}, {}};
    auto reply = send(request);
    if (!reply) return reply.error();
    if (reply->status == 201 || reply->status == 405) return {};
    return refused(request, reply->status, why_of(reply->status));
  }

  // Never overwrites: a published version is immutable, and so is its document in the
  // library. When something is there (412), the same bytes mean it was put there before
  // (this publication delivered again, or by another node); other bytes are left alone.
  Result<ports::LibraryOutcome> put_once(const std::string& target,
                                         const ports::LibraryFile& file) const {
    DavRequest put{
        "PUT", target, {{"If-None-Match", "*"}, {"Content-Type", file.content_type}}, file.bytes};
    auto reply = send(put);
    if (!reply) return reply.error();
    if (reply->status == 201 || reply->status == 204 || reply->status == 200) {
      return ports::LibraryOutcome::kCreated;
    }
    if (reply->status != 412) return refused(put, reply->status, why_of(reply->status));
    DavRequest get{"GET", target, {}, {}};
    auto existing = send(get);
    if (!existing) return existing.error();
    if (existing->status != 200) {
      return refused(get, existing->status, why_of(existing->status));
    }
    return existing->body == file.bytes ? ports::LibraryOutcome::kUnchanged
                                        : ports::LibraryOutcome::kKeptOther;
  }

  // Every file listed in the folder (Depth 1: the folder and its members), and the ones this
  // publication put or found unchanged with their size.
  Result<void> check_listed(const std::string& target, const std::vector<ports::LibraryFile>& files,
                            const std::vector<ports::LibraryFileResult>& results) const {
    DavRequest request{
        "PROPFIND",
        target,
        {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}},
        R"(<?xml version="1.0" encoding="utf-8"?>)"
        R"(<D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/></D:prop></D:propfind>)"};
    auto reply = send(request);
    if (!reply) return reply.error();
    if (reply->status != 207) return refused(request, reply->status, why_of(reply->status));
    pugi::xml_document doc;
    if (!doc.load_buffer(reply->body.data(), reply->body.size())) {
      return refused(request, reply->status, "the multistatus is not XML");
    }
    std::map<std::string, std::string> sizes;  // file name → getcontentlength
    for (auto response : doc.document_element().children()) {
      if (local_name(response) != "response") continue;
      std::string href = percent_decoded(child_named(response, "href").text().get());
      if (href.ends_with('/')) continue;  // the folder itself
      href = href.substr(href.rfind('/') + 1);
      for (auto propstat : response.children()) {
        if (local_name(propstat) != "propstat") continue;
        const auto length = child_named(child_named(propstat, "prop"), "getcontentlength");
        if (length) sizes[href] = length.text().get();
      }
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      const auto& file = files[i];
      const auto found = sizes.find(file.name);
      if (found == sizes.end()) {
        return refused(request, reply->status, file.name + " is not listed after it was put");
      }
      // A document kept in place (kKeptOther) has its own size; a server may leave it out.
      if (results[i].outcome == ports::LibraryOutcome::kKeptOther || found->second.empty())
        continue;
      if (found->second != std::to_string(file.bytes.size())) {
        return refused(request, reply->status,
                       file.name + " is listed with " + found->second + " bytes, not " +
                           std::to_string(file.bytes.size()));
      }
    }
    return {};
  }

  WebDavSettings settings_;
};

}  // namespace

std::unique_ptr<ports::DocumentLibrary> make_webdav_library(WebDavSettings settings) {
  return std::make_unique<WebDavLibrary>(std::move(settings));
}

}  // namespace boligflyt::adapters

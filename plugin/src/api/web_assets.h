#pragma once
// The files of plugin/web/, embedded at build time (see plugin/web/embed_web_assets.cmake).

#include <string_view>
#include <vector>

namespace boligflyt::api {

struct WebAsset {
  std::string_view name;          ///< file name, e.g. "app.js"
  std::string_view content_type;  ///< media type with charset where it applies
  std::string_view hash;          ///< first 16 hex digits of the SHA-256 of the bytes
  std::string_view bytes;
};

/// Every embedded file, in the order CMake listed them.
const std::vector<WebAsset>& web_assets();

}  // namespace boligflyt::api

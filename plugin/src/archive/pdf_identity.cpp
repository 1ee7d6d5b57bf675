#include "archive/pdf_identity.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/sha256.h"

namespace boligflyt::archive {
namespace {

constexpr std::string_view kUuidMark = "DocumentID='uuid:";
constexpr std::size_t kUuidLength = 36;  // 8-4-4-4-12

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
}

}  // namespace

std::string with_content_identity(std::string pdf) {
  // The volatile values: every hex string in an /ID array (each trailer of an incremental
  // update repeats them), and the XMP DocumentID (each XMP packet repeats it).
  std::vector<std::string> ids;
  for (auto at = pdf.find("/ID"); at != std::string::npos; at = pdf.find("/ID", at + 3)) {
    auto open = pdf.find_first_not_of(" \r\n", at + 3);
    if (open == std::string::npos || pdf[open] != '[') continue;
    const auto close = pdf.find(']', open);
    if (close == std::string::npos) break;
    for (auto lt = pdf.find('<', open); lt != std::string::npos && lt < close;
         lt = pdf.find('<', lt + 1)) {
      const auto gt = pdf.find('>', lt);
      const std::string hex = pdf.substr(lt + 1, gt - lt - 1);
      if (gt < close && is_hex(hex) && std::find(ids.begin(), ids.end(), hex) == ids.end()) {
        ids.push_back(hex);
      }
    }
  }
  std::vector<std::string> uuids;
  for (auto at = pdf.find(kUuidMark); at != std::string::npos; at = pdf.find(kUuidMark, at + 1)) {
    const std::string uuid = pdf.substr(at + kUuidMark.size(), kUuidLength);
    if (uuid.size() == kUuidLength && std::find(uuids.begin(), uuids.end(), uuid) == uuids.end()) {
      uuids.push_back(uuid);
    }
  }
  if (ids.empty() && uuids.empty()) return pdf;
  // The digest of the file with those values blanked: what the document is, not when.
  std::string blanked = pdf;
  for (const auto& id : ids) replace_all(blanked, id, std::string(id.size(), '0'));
  for (const auto& uuid : uuids) replace_all(blanked, uuid, std::string(kUuidLength, '0'));
  std::string digest = util::sha256_hex(blanked);  // 64 lower-case hex digits
  digest += util::sha256_hex(digest);              // enough for two 32-digit /ID strings
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string value = digest.substr((i * 32) % 96, std::min<std::size_t>(ids[i].size(), 32));
    value.resize(ids[i].size(), '0');
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    replace_all(pdf, ids[i], value);
  }
  for (const auto& original : uuids) {
    const std::string hex = digest.substr(64, 32);
    // A version 4 (random) UUID's layout; its "randomness" is the digest.
    const std::string uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) +
                             "-a" + hex.substr(17, 3) + "-" + hex.substr(20, 12);
    replace_all(pdf, original, uuid);
  }
  return pdf;
}

}  // namespace boligflyt::archive

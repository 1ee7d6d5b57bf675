#pragma once
// RFC 4648 base64 (standard alphabet, padded), for bytes kept in text columns.

#include <optional>
#include <string>
#include <string_view>

namespace boligflyt::util {

std::string base64_encode(std::string_view bytes);
/// nullopt when `text` is not padded standard base64 (no whitespace accepted).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace boligflyt::util

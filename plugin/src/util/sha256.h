#pragma once
#include <string>
#include <string_view>

namespace boligflyt::util {
/// Lower-case hex SHA-256 of `data` (Poco::SHA2Engine; no hand-rolled crypto).
std::string sha256_hex(std::string_view data);
}  // namespace boligflyt::util

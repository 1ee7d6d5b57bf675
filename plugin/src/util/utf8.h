#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace boligflyt::util {

/// Returns the byte offset of the first invalid UTF-8 sequence, or nullopt when `text` is
/// valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

/// `text` with every invalid UTF-8 byte replaced by U+FFFD, so that it can go into JSON.
std::string to_valid_utf8(std::string_view text);

/// 1-based line and column (in code points) of a byte offset, for error messages.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view text, std::size_t byte_offset);

/// Number of code points in valid UTF-8 text (continuation bytes are not counted).
std::size_t utf8_length(std::string_view text);

}  // namespace boligflyt::util

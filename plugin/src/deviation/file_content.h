#pragma once
// What an attached file is, read from its bytes and never from its name: PDF, PNG and JPEG
// only, each recognised by its signature and checked for the structure a complete file of
// that kind has (PDF header and a final %%EOF; PNG signature, IHDR first and IEND last; JPEG
// SOI, a frame header before the scan and EOI last). A truncated upload fails these checks.

#include <optional>
#include <string>
#include <string_view>

namespace boligflyt::deviation {

struct FileType {
  std::string_view media_type;  // application/pdf | image/png | image/jpeg
  std::string_view extension;   // pdf | png | jpg
  std::string pronom;           // PRONOM id of the format version found, e.g. fmt/276
  std::string_view label;       // Norwegian name, "PDF-dokument"
};

/// The media types an attachment may declare.
bool is_attachment_media_type(std::string_view media_type);

/// The type `bytes` are, when they are a complete PDF, PNG or JPEG; nullopt otherwise.
std::optional<FileType> sniff_file_type(std::string_view bytes);

}  // namespace boligflyt::deviation

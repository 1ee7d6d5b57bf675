#include "deviation/file_content.h"

#include <array>
#include <cstdint>

namespace boligflyt::deviation {
namespace {

unsigned byte_at(std::string_view b, std::size_t i) { return static_cast<unsigned char>(b[i]); }

std::uint32_t be32(std::string_view b, std::size_t i) {
  return (byte_at(b, i) << 24) | (byte_at(b, i + 1) << 16) | (byte_at(b, i + 2) << 8) |
         byte_at(b, i + 3);
}

// PRONOM's PDF versions (fmt/14 … fmt/20 for 1.0 … 1.6, fmt/276 for 1.7, fmt/1129 for 2.0);
// a PDF/A-2b declaration in the XMP packet makes it fmt/477, as the report boligflyt renders.
std::optional<FileType> pdf(std::string_view b) {
  if (b.size() < 16 || !b.starts_with("%PDF-")) return std::nullopt;
  const char major = b[5];
  const char minor = b[7];
  if (b[6] != '.' || (major != '1' && major != '2') || minor < '0' || minor > '9') {
    return std::nullopt;
  }
  // A complete file ends with %%EOF (and at most some line ends or padding after it).
  const auto tail = b.substr(b.size() > 1024 ? b.size() - 1024 : 0);
  if (tail.find("%%EOF") == std::string_view::npos) return std::nullopt;
  if (b.find("obj") == std::string_view::npos) return std::nullopt;
  std::string pronom = "fmt/276";
  if (major == '2') {
    pronom = "fmt/1129";
  } else if (minor <= '6') {
    static constexpr std::array kOnes{"fmt/14", "fmt/15", "fmt/16", "fmt/17",
                                      "fmt/18", "fmt/19", "fmt/20"};
    pronom = kOnes[static_cast<std::size_t>(minor - '0')];
  }
  if ((b.find("pdfaid:part>2<") != std::string_view::npos ||
       b.find("pdfaid:part='2'") != std::string_view::npos ||
       b.find("pdfaid:part=\"2\"") != std::string_view::npos) &&
      (b.find("pdfaid:conformance>B<") != std::string_view::npos ||
       b.find("pdfaid:conformance='B'") != std::string_view::npos ||
       b.find("pdfaid:conformance=\"B\"") != std::string_view::npos)) {
    pronom = "fmt/477";
  }
  return FileType{"application/pdf", "pdf", pronom, "PDF-dokument"};
}

// PNG 1.2 (fmt/13): the signature, then IHDR (13 bytes, width and height above 0), chunks
// whose lengths add up, and IEND as the last chunk.
std::optional<FileType> png(std::string_view b) {
  constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  if (b.size() < 8 + 25 + 12 || !b.starts_with(kSignature)) return std::nullopt;
  if (be32(b, 8) != 13 || b.substr(12, 4) != "IHDR") return std::nullopt;
  if (be32(b, 16) == 0 || be32(b, 20) == 0) return std::nullopt;
  std::size_t at = 8;
  // Each chunk is at least 12 bytes, so this walks at most size/12 times.
  while (at + 12 <= b.size()) {
    const std::uint32_t length = be32(b, at);
    if (length > b.size() - at - 12) return std::nullopt;
    const auto type = b.substr(at + 4, 4);
    at += 12 + static_cast<std::size_t>(length);
    if (type == "IEND") {
      if (length != 0 || at != b.size()) return std::nullopt;
      return FileType{"image/png", "png", "fmt/13", "PNG-bilde"};
    }
  }
  return std::nullopt;
}

// JPEG: SOI, marker segments up to the scan with a frame header (SOF0–SOF15 except DHT, JPG
// and DAC) among them, and EOI at the end. JFIF 1.01 is fmt/43; other JPEG files are given as
// JFIF 1.02 (fmt/44), the common archival identification.
std::optional<FileType> jpeg(std::string_view b) {
  if (b.size() < 8 || byte_at(b, 0) != 0xFF || byte_at(b, 1) != 0xD8 || byte_at(b, 2) != 0xFF) {
    return std::nullopt;
  }
  if (byte_at(b, b.size() - 2) != 0xFF || byte_at(b, b.size() - 1) != 0xD9) return std::nullopt;
  std::size_t at = 2;
  bool frame = false;
  std::string pronom = "fmt/44";
  // Each segment advances at least 4 bytes, so this walks at most size/4 times.
  while (at + 4 <= b.size()) {
    if (byte_at(b, at) != 0xFF) return std::nullopt;
    const unsigned marker = byte_at(b, at + 1);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xDA) {  // start of scan: entropy-coded data follows up to EOI
      return frame ? std::optional<FileType>(FileType{"image/jpeg", "jpg", pronom, "JPEG-bilde"})
                   : std::nullopt;
    }
    if (marker == 0xD8 || marker == 0xD9 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      return std::nullopt;  // no SOI/EOI/RST/TEM before the scan
    }
    const std::size_t length = (byte_at(b, at + 2) << 8) | byte_at(b, at + 3);
    if (length < 2 || at + 2 + length > b.size()) return std::nullopt;
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      frame = true;
    }
    if (marker == 0xE0 && length >= 9 && b.substr(at + 4, 5) == std::string_view("JFIF\0", 5) &&
        byte_at(b, at + 9) == 1 && byte_at(b, at + 10) == 1) {
      pronom = "fmt/43";
    }
    at += 2 + length;
  }
  return std::nullopt;
}

}  // namespace

bool is_attachment_media_type(std::string_view media_type) {
  return media_type == "application/pdf" || media_type == "image/png" || media_type == "image/jpeg";
}

std::optional<FileType> sniff_file_type(std::string_view bytes) {
  if (auto t = pdf(bytes)) return t;
  if (auto t = png(bytes)) return t;
  return jpeg(bytes);
}

}  // namespace boligflyt::deviation

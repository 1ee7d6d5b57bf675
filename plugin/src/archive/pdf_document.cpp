#include "archive/pdf_document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fcntl.h>
#include <pango/pangocairo.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace boligflyt::archive {
namespace {

namespace fs = std::filesystem;

// A4 in points, with 2 cm margins; the footer sits in the bottom margin.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
constexpr double kMarginX = 56.69;
constexpr double kMarginTop = 56.69;
constexpr double kMarginBottom = 70.0;
constexpr double kContentWidth = kPageWidth - 2 * kMarginX;
constexpr double kContentBottom = kPageHeight - kMarginBottom;
constexpr double kFooterBaseline = kPageHeight - 36.0;
constexpr double kCellPad = 3.5;
constexpr double kBlockGap = 8.0;
constexpr auto kGhostscriptTimeout = std::chrono::seconds(60);

constexpr const char* kFontFamily = "DejaVu Sans";
// Ligatures would turn "fl" in "Boligflytprosedyre" into one glyph, and some text extractors
// then lose the letters; archival text must come back exactly as written.
constexpr const char* kFontFeatures = "liga=0, clig=0, dlig=0";

struct GObjectDeleter {
  void operator()(gpointer p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectDeleter>;

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDeleter>;

struct FontDescDeleter {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct AttrListDeleter {
  void operator()(PangoAttrList* a) const { pango_attr_list_unref(a); }
};

struct TextStyle {
  double size = 10.0;
  bool bold = false;
  double gray = 0.0;  // 0 black … 1 white
};

constexpr TextStyle kTitleStyle{18.0, true, 0.0};
constexpr TextStyle kSubtitleStyle{11.5, false, 0.3};
constexpr TextStyle kHeadingStyle{13.0, true, 0.0};
constexpr TextStyle kBodyStyle{10.0, false, 0.0};
constexpr TextStyle kLabelStyle{9.5, true, 0.2};
constexpr TextStyle kValueStyle{9.5, false, 0.0};
constexpr TextStyle kTableHeadStyle{8.5, true, 0.0};
constexpr TextStyle kTableBodyStyle{8.5, false, 0.0};
constexpr TextStyle kFooterStyle{8.0, false, 0.35};

/// One laid-out line of a cell, in points relative to the top of the cell's layout.
struct LineBox {
  double top = 0;
  double height = 0;
  double baseline = 0;
};

struct Cell {
  GPtr<PangoLayout> layout;
  double x = 0;  // left edge of the cell (padding included)
  double width = 0;
  double gray = 0;
  std::vector<LineBox> lines;
};

enum class RowStyle { kPlain, kField, kTableHead, kTableBody };

struct Row {
  std::vector<Cell> cells;
  RowStyle style = RowStyle::kPlain;
  double pad = 0;
  bool keep_together = false;  // move to a fresh page rather than split, when it fits there
};

/// What a page shows: text lines and the boxes and rules of tables.
struct DrawOp {
  enum class Kind { kLine, kFill, kRule } kind = Kind::kLine;
  PangoLayoutLine* line = nullptr;
  double x = 0, y = 0, w = 0, h = 0, gray = 0;
};

struct Page {
  std::vector<DrawOp> ops;
};

class Layouter {
 public:
  explicit Layouter(PangoContext* context) : context_(context) {
    attrs_.reset(pango_attr_list_new());
    pango_attr_list_insert(attrs_.get(), pango_attr_font_features_new(kFontFeatures));
    new_page();
  }

  std::vector<Page>& pages() { return pages_; }

  void title(const std::string& text, const std::string& subtitle) {
    if (!text.empty()) place(plain_row(text, kTitleStyle, kContentWidth));
    if (!subtitle.empty()) {
      y_ += 2;
      place(plain_row(subtitle, kSubtitleStyle, kContentWidth));
    }
    y_ += 6;
    rule(y_, 0.6);
    y_ += kBlockGap + 4;
  }

  void heading(const std::string& text) {
    Row row = plain_row(text, kHeadingStyle, kContentWidth);
    // Keep a heading with the start of what follows it.
    const double needed = row_height(row, {}) + 60.0;
    if (y_ > kMarginTop && y_ + 6 + needed > kContentBottom) new_page();
    if (y_ > kMarginTop) y_ += 6;
    place(row);
    y_ += 3;
  }

  void paragraph(const std::string& text) {
    if (text.empty()) return;
    place(plain_row(text, kBodyStyle, kContentWidth));
    y_ += kBlockGap;
  }

  void fields(const std::vector<std::vector<std::string>>& rows) {
    const double label_width = kContentWidth * 0.32;
    for (const auto& r : rows) {
      Row row;
      row.style = RowStyle::kField;
      row.pad = 2.0;
      row.keep_together = true;
      row.cells.push_back(cell(r.empty() ? std::string() : r[0], kLabelStyle, 0, label_width));
      std::string value;
      for (std::size_t i = 1; i < r.size(); ++i) value += (i > 1 ? " " : "") + r[i];
      row.cells.push_back(cell(value, kValueStyle, label_width, kContentWidth - label_width));
      place(row);
    }
    y_ += kBlockGap;
  }

  void table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows) {
    const std::size_t columns = std::max<std::size_t>(header.size(), 1);
    const auto widths = column_widths(header, rows, columns);
    auto make_row = [&](const std::vector<std::string>& texts, RowStyle style) {
      Row row;
      row.style = style;
      row.pad = kCellPad;
      row.keep_together = true;
      double x = 0;
      for (std::size_t c = 0; c < columns; ++c) {
        const TextStyle& ts = style == RowStyle::kTableHead ? kTableHeadStyle : kTableBodyStyle;
        row.cells.push_back(cell(c < texts.size() ? texts[c] : std::string(), ts, x, widths[c]));
        x += widths[c];
      }
      return row;
    };
    header_ = make_row(header, RowStyle::kTableHead);
    in_table_ = false;
    place_header_if_room();
    for (const auto& r : rows) place(make_row(r, RowStyle::kTableBody));
    in_table_ = false;
    header_.reset();
    y_ += kBlockGap;
  }

  void finish() {
    // A trailing page with nothing on it (a break that happened to fall at the very end).
    if (pages_.size() > 1 && pages_.back().ops.empty()) pages_.pop_back();
  }

 private:
  Cell cell(const std::string& text, const TextStyle& style, double x, double width) {
    Cell c;
    c.x = x;
    c.width = width;
    c.gray = style.gray;
    c.layout.reset(pango_layout_new(context_));
    std::unique_ptr<PangoFontDescription, FontDescDeleter> font(pango_font_description_new());
    pango_font_description_set_family(font.get(), kFontFamily);
    pango_font_description_set_weight(font.get(),
                                      style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(font.get(), style.size * PANGO_SCALE);
    pango_layout_set_font_description(c.layout.get(), font.get());
    pango_layout_set_attributes(c.layout.get(), attrs_.get());
    pango_layout_set_wrap(c.layout.get(), PANGO_WRAP_WORD_CHAR);
    const double pad = width < kContentWidth ? 2 * kCellPad : 0;
    pango_layout_set_width(c.layout.get(), static_cast<int>((width - pad) * PANGO_SCALE));
    pango_layout_set_text(c.layout.get(), text.c_str(), static_cast<int>(text.size()));
    PangoLayoutIter* it = pango_layout_get_iter(c.layout.get());
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      c.lines.push_back({static_cast<double>(logical.y) / PANGO_SCALE,
                         static_cast<double>(logical.height) / PANGO_SCALE,
                         static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE});
    } while (pango_layout_iter_next_line(it) != 0);
    pango_layout_iter_free(it);
    return c;
  }

  Row plain_row(const std::string& text, const TextStyle& style, double width) {
    Row row;
    row.cells.push_back(cell(text, style, 0, width));
    return row;
  }

  double natural_width(const std::string& text, const TextStyle& style) {
    Cell c = cell(text, style, 0, 1e6);
    PangoRectangle logical;
    pango_layout_get_extents(c.layout.get(), nullptr, &logical);
    return static_cast<double>(logical.width) / PANGO_SCALE + 2 * kCellPad + 1;
  }

  /// Widths in proportion to what each column would like, within bounds, filling the line.
  std::vector<double> column_widths(const std::vector<std::string>& header,
                                    const std::vector<std::vector<std::string>>& rows,
                                    std::size_t columns) {
    std::vector<double> want(columns, 40.0);
    for (std::size_t c = 0; c < columns; ++c) {
      if (c < header.size()) want[c] = std::max(want[c], natural_width(header[c], kTableHeadStyle));
      for (const auto& r : rows) {
        if (c < r.size()) want[c] = std::max(want[c], natural_width(r[c], kTableBodyStyle));
      }
      want[c] = std::min(want[c], kContentWidth * 0.55);
    }
    double sum = 0;
    for (double w : want) sum += w;
    std::vector<double> widths(columns);
    for (std::size_t c = 0; c < columns; ++c) widths[c] = want[c] * kContentWidth / sum;
    return widths;
  }

  static double lines_height(const Cell& c, std::size_t from, std::size_t to) {
    if (from >= to) return 0;
    return c.lines[to - 1].top + c.lines[to - 1].height - c.lines[from].top;
  }

  static double row_height(const Row& row, const std::vector<std::size_t>& start) {
    double h = 0;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      const std::size_t from = start.empty() ? 0 : start[i];
      h = std::max(h, lines_height(row.cells[i], from, row.cells[i].lines.size()));
    }
    return h + 2 * row.pad;
  }

  void new_page() {
    pages_.emplace_back();
    y_ = kMarginTop;
    if (header_ && in_table_) {
      emit(*header_, std::vector<std::size_t>(header_->cells.size(), 0), full_ends(*header_));
    }
  }

  static std::vector<std::size_t> full_ends(const Row& row) {
    std::vector<std::size_t> ends;
    ends.reserve(row.cells.size());
    for (const auto& c : row.cells) ends.push_back(c.lines.size());
    return ends;
  }

  void place_header_if_room() {
    if (!header_) return;
    const double h = row_height(*header_, {});
    // The header and at least a line of the first row, or a fresh page.
    if (y_ + h + 20 > kContentBottom) new_page();
    in_table_ = true;
    emit(*header_, std::vector<std::size_t>(header_->cells.size(), 0), full_ends(*header_));
  }

  bool page_is_fresh() const {
    const double fresh_y = kMarginTop + (header_ && in_table_ ? row_height(*header_, {}) : 0.0);
    return y_ <= fresh_y + 0.01;
  }

  /// Puts `row` at y_, breaking pages as needed; rows that do not fit are moved to a fresh
  /// page when they fit there (keep_together), otherwise split between lines.
  void place(const Row& row) {
    std::vector<std::size_t> start(row.cells.size(), 0);
    const std::vector<std::size_t> ends = full_ends(row);
    for (;;) {
      const double full = row_height(row, start);
      if (y_ + full <= kContentBottom) {
        emit(row, start, ends);
        return;
      }
      const double fresh_room =
          kContentBottom - kMarginTop - (header_ && in_table_ ? row_height(*header_, {}) : 0.0);
      if (!page_is_fresh() && row.keep_together && full <= fresh_room) {
        new_page();
        continue;
      }
      // Split: every cell takes the lines that fit in the room left.
      const double room = kContentBottom - y_ - 2 * row.pad;
      std::vector<std::size_t> stop(start);
      bool any = false;
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        const Cell& c = row.cells[i];
        while (stop[i] < c.lines.size() && lines_height(c, start[i], stop[i] + 1) <= room) {
          ++stop[i];
        }
        any = any || stop[i] > start[i];
      }
      if (!any) {
        if (!page_is_fresh()) {
          new_page();
          continue;
        }
        // A single line taller than a page: put it there anyway, it cannot fit anywhere.
        for (std::size_t i = 0; i < row.cells.size(); ++i) {
          if (stop[i] < row.cells[i].lines.size()) ++stop[i];
        }
      }
      emit(row, start, stop);
      start = stop;
      bool done = true;
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        done = done && start[i] >= row.cells[i].lines.size();
      }
      if (done) return;
      new_page();
    }
  }

  void rule(double y, double width) {
    pages_.back().ops.push_back(
        {DrawOp::Kind::kRule, nullptr, kMarginX, y, kContentWidth, width, 0.55});
  }

  /// Lines [start, stop) of every cell of `row` at y_, then y_ moves below them.
  void emit(const Row& row, const std::vector<std::size_t>& start,
            const std::vector<std::size_t>& stop) {
    double h = 0;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      h = std::max(h, lines_height(row.cells[i], start[i], stop[i]));
    }
    h += 2 * row.pad;
    auto& ops = pages_.back().ops;
    const bool table = row.style == RowStyle::kTableHead || row.style == RowStyle::kTableBody;
    if (row.style == RowStyle::kTableHead) {
      ops.push_back({DrawOp::Kind::kFill, nullptr, kMarginX, y_, kContentWidth, h, 0.88});
    }
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      const Cell& c = row.cells[i];
      const double text_x = kMarginX + c.x + (table ? kCellPad : 0);
      if (start[i] < c.lines.size()) {
        const double offset = c.lines[start[i]].top;
        for (std::size_t l = start[i]; l < stop[i]; ++l) {
          ops.push_back({DrawOp::Kind::kLine,
                         pango_layout_get_line_readonly(c.layout.get(), static_cast<int>(l)),
                         text_x, y_ + row.pad + c.lines[l].baseline - offset, 0, 0, c.gray});
        }
      }
      if (table && i > 0) {
        ops.push_back({DrawOp::Kind::kRule, nullptr, kMarginX + c.x, y_, 0.4, h, 0.55});
      }
    }
    if (table) {
      ops.push_back({DrawOp::Kind::kRule, nullptr, kMarginX, y_, kContentWidth, 0.4, 0.55});
      ops.push_back({DrawOp::Kind::kRule, nullptr, kMarginX, y_ + h, kContentWidth, 0.4, 0.55});
      ops.push_back({DrawOp::Kind::kRule, nullptr, kMarginX, y_, 0.4, h, 0.55});
      ops.push_back(
          {DrawOp::Kind::kRule, nullptr, kMarginX + kContentWidth - 0.4, y_, 0.4, h, 0.55});
    }
    y_ += h;
    for (const auto& c : row.cells) {
      keep_.emplace_back(static_cast<PangoLayout*>(g_object_ref(c.layout.get())));
    }
  }

  PangoContext* context_;
  std::unique_ptr<PangoAttrList, AttrListDeleter> attrs_;
  std::vector<Page> pages_;
  std::vector<GPtr<PangoLayout>> keep_;  // the layouts whose lines the pages point into
  std::optional<Row> header_;
  bool in_table_ = false;
  double y_ = kMarginTop;
};

void draw_pages(cairo_t* cr, PangoContext* context, const std::vector<Page>& pages) {
  std::unique_ptr<PangoAttrList, AttrListDeleter> attrs(pango_attr_list_new());
  pango_attr_list_insert(attrs.get(), pango_attr_font_features_new(kFontFeatures));
  std::unique_ptr<PangoFontDescription, FontDescDeleter> font(pango_font_description_new());
  pango_font_description_set_family(font.get(), kFontFamily);
  pango_font_description_set_absolute_size(font.get(), kFooterStyle.size * PANGO_SCALE);
  const std::string total = std::to_string(pages.size());
  for (std::size_t n = 0; n < pages.size(); ++n) {
    for (const auto& op : pages[n].ops) {
      cairo_set_source_rgb(cr, op.gray, op.gray, op.gray);
      switch (op.kind) {
        case DrawOp::Kind::kLine:
          cairo_move_to(cr, op.x, op.y);
          pango_cairo_show_layout_line(cr, op.line);
          break;
        case DrawOp::Kind::kFill:
        case DrawOp::Kind::kRule:
          cairo_rectangle(cr, op.x, op.y, op.w, op.h);
          cairo_fill(cr);
          break;
      }
    }
    const std::string footer = "Side " + std::to_string(n + 1) + " av " + total;
    GPtr<PangoLayout> layout(pango_layout_new(context));
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_attributes(layout.get(), attrs.get());
    pango_layout_set_text(layout.get(), footer.c_str(), static_cast<int>(footer.size()));
    PangoRectangle logical;
    pango_layout_get_extents(layout.get(), nullptr, &logical);
    const double width = static_cast<double>(logical.width) / PANGO_SCALE;
    cairo_set_source_rgb(cr, kFooterStyle.gray, kFooterStyle.gray, kFooterStyle.gray);
    cairo_move_to(cr, kMarginX + kContentWidth - width, kFooterBaseline);
    pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(layout.get(), 0));
    cairo_show_page(cr);
  }
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

/// cairo takes ISO 8601 dates as they are; anything else is left out.
bool looks_like_iso(const std::string& s) { return s.size() >= 10 && s[4] == '-' && s[7] == '-'; }

Result<std::string> draw_pdf(const PdfDocument& document) {
  std::string pdf;
  SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(append_to_string, &pdf, kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return internal_error(std::string("cairo: PDF surface: ") +
                          cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  cairo_pdf_surface_restrict_to_version(surface.get(), CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, document.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, document.author.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_SUBJECT,
                                 document.subject.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "boligflyt");
  if (looks_like_iso(document.created_at)) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                   document.created_at.c_str());
  }
  CairoPtr cr(cairo_create(surface.get()));

  // A font map of our own per call: Pango objects are not thread-safe, and the default font
  // map is shared per thread only in some Pango versions. Fontconfig below it caches globally.
  GPtr<PangoFontMap> font_map(pango_cairo_font_map_new());
  GPtr<PangoContext> context(pango_font_map_create_context(font_map.get()));
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options);
  cairo_font_options_destroy(options);
  pango_cairo_update_context(cr.get(), context.get());
  pango_context_set_language(context.get(), pango_language_from_string("nb-NO"));

  Layouter layouter(context.get());
  layouter.title(document.title, document.subtitle);
  for (const auto& block : document.blocks) {
    switch (block.kind) {
      case PdfBlock::Kind::kHeading: layouter.heading(block.text); break;
      case PdfBlock::Kind::kParagraph: layouter.paragraph(block.text); break;
      case PdfBlock::Kind::kFields: layouter.fields(block.rows); break;
      case PdfBlock::Kind::kTable: layouter.table(block.header, block.rows); break;
    }
  }
  layouter.finish();
  draw_pages(cr.get(), context.get(), layouter.pages());
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return internal_error(std::string("cairo: PDF output: ") +
                          cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return pdf;
}

// ---- Ghostscript -------------------------------------------------------------------------

Error gs_unavailable(std::string log_message) {
  return make_error(ErrorKind::kUnavailable, "pdfa-unavailable", "Arkivformat utilgjengelig",
                    "Dokumentet kan ikke lages i arkivformatet PDF/A nå, fordi programmet som "
                    "trengs (Ghostscript) mangler på tjeneren. Kontakt systemansvarlig.",
                    {}, std::move(log_message));
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path_env = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string path = path_env != nullptr && *path_env != 0 ? path_env : "/usr/bin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> find_srgb_profile() {
  static const std::array<const char*, 4> kCandidates = {
      "/usr/share/color/icc/ghostscript/srgb.icc",
      "/usr/share/color/icc/sRGB.icc",
      "/usr/share/color/icc/colord/sRGB.icc",
      "/usr/share/ghostscript/iccprofiles/srgb.icc",
  };
  std::error_code ec;
  for (const char* p : kCandidates) {
    if (fs::is_regular_file(p, ec)) return std::string(p);
  }
  // Versioned Ghostscript resource folders: /usr/share/ghostscript/<version>/iccprofiles.
  for (const auto& entry : fs::directory_iterator("/usr/share/ghostscript", ec)) {
    const auto candidate = entry.path() / "iccprofiles" / "srgb.icc";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return std::nullopt;
}

/// A PostScript string holding `text` as PDF text: ASCII as it is (escaped), anything else
/// as UTF-16BE with a byte order mark, which is how PDF stores Unicode in DocInfo.
std::string ps_text(const std::string& text) {
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out = "(";
    for (char c : text) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      if (c == '\n' || c == '\r') c = ' ';
      out += c;
    }
    return out + ")";
  }
  std::u16string utf16;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b >> 5) == 0x6 && i + 1 < text.size()) {
      cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((b >> 4) == 0xE && i + 2 < text.size()) {
      cp = ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((b >> 3) == 0x1E && i + 3 < text.size()) {
      cp = ((b & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(text[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 3]) & 0x3Fu);
      len = 4;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      utf16 += static_cast<char16_t>(0xD800 + (cp >> 10));
      utf16 += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      utf16 += static_cast<char16_t>(cp);
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "<FEFF";
  for (char16_t u : utf16) {
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(u >> shift) & 0xF];
  }
  return out + ">";
}

/// "2026-03-02T10:15:00Z" → "(D:20260302101500Z)", or "" when it is not that shape.
std::string pdf_date(const std::string& iso) {
  if (iso.size() < 19 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T') return {};
  std::string digits;
  for (std::size_t i = 0; i < 19; ++i) {
    if (std::isdigit(static_cast<unsigned char>(iso[i])) != 0) digits += iso[i];
  }
  if (digits.size() != 14) return {};
  return "(D:" + digits + "Z)";
}

std::string pdfa_definition(const PdfDocument& document, const std::string& icc_path) {
  std::string ps = "%!\n% PDF/A-2b prefix for boligflyt (after Ghostscript's lib/PDFA_def.ps)\n";
  ps += "[ /Title " + ps_text(document.title);
  if (!document.author.empty()) ps += " /Author " + ps_text(document.author);
  if (!document.subject.empty()) ps += " /Subject " + ps_text(document.subject);
  ps += " /Creator (boligflyt)";
  if (const auto date = pdf_date(document.created_at); !date.empty()) {
    ps += " /CreationDate " + date + " /ModDate " + date;
  }
  ps += " /DOCINFO pdfmark\n";
  ps += "/ICCProfile " + ps_text(icc_path) + " def\n";
  ps +=
      "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark\n"
      "[{icc_PDFA} << /N 3 >> /PUT pdfmark\n"
      "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark\n"
      "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark\n"
      "[{OutputIntent_PDFA} <<\n"
      "  /Type /OutputIntent\n"
      "  /S /GTS_PDFA1\n"
      "  /DestOutputProfile {icc_PDFA}\n"
      "  /OutputConditionIdentifier (sRGB)\n"
      "  /Info (sRGB IEC61966-2.1)\n"
      ">> /PUT pdfmark\n"
      "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark\n";
  return ps;
}

/// A private temporary folder, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::string base = fs::temp_directory_path(ec).string();
    if (ec || base.empty()) base = "/tmp";
    std::string pattern = base + "/boligflyt-pdfa-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;  // mode 0700
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  bool ok() const { return !path_.empty(); }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct RunOutcome {
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;  // -1 when killed by a signal
  std::string error;   // why it could not be started
};

/// Runs `argv` (no shell) with stdout and stderr into `log_path`; kills it after `timeout`.
RunOutcome run_bounded(const std::vector<std::string>& argv, const std::string& log_path,
                       std::chrono::milliseconds timeout) {
  RunOutcome outcome;
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // A small, fixed environment: nothing from the host (GS_OPTIONS, GS_LIB) changes the result.
  std::array<char*, 3> env = {const_cast<char*>("PATH=/usr/bin:/bin"),
                              const_cast<char*>("LC_ALL=C"), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a kill reaches anything it starts.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    outcome.error = std::strerror(rc);  // NOLINT(concurrency-mt-unsafe)
    return outcome;
  }
  outcome.started = true;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      // Someone else reaped it (SIGCHLD ignored by the host): the output file decides.
      status = 0;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      outcome.timed_out = true;
      break;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string tail(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : text.substr(text.size() - max);
}

Result<std::string> restore_unicode_metadata(std::string pdf, const PdfDocument& document);

Result<std::string> convert_to_pdfa(const PdfDocument& document, const std::string& pdf) {
  const auto gs = find_program("gs");
  if (!gs) return gs_unavailable("PDF/A: the program gs (Ghostscript) is not on PATH");
  const auto icc = find_srgb_profile();
  if (!icc) return internal_error("PDF/A: no sRGB ICC profile found (package ghostscript)");
  TempDir dir;
  if (!dir.ok())
    return internal_error(std::string("PDF/A: mkdtemp failed: ") +
                          std::strerror(errno));  // NOLINT(concurrency-mt-unsafe)
  const std::string in = dir.file("in.pdf");
  const std::string out = dir.file("out.pdf");
  const std::string def = dir.file("pdfa_def.ps");
  const std::string log = dir.file("gs.log");
  if (!write_file(in, pdf) || !write_file(def, pdfa_definition(document, *icc))) {
    return internal_error("PDF/A: cannot write temporary files in " + dir.file(""));
  }
  const std::vector<std::string> argv = {*gs,
                                         "-q",
                                         "-dPDFA=2",
                                         "-dBATCH",
                                         "-dNOPAUSE",
                                         "-dNOOUTERSAVE",
                                         "-dSAFER",
                                         "--permit-file-read=" + *icc,
                                         "-sColorConversionStrategy=RGB",
                                         "-dPDFACompatibilityPolicy=1",
                                         "-sDEVICE=pdfwrite",
                                         "-sOutputFile=" + out,
                                         def,
                                         in};
  const auto run = run_bounded(argv, log, kGhostscriptTimeout);
  if (!run.started) {
    return gs_unavailable("PDF/A: cannot start " + *gs + ": " + run.error);
  }
  const std::string messages = read_file(log).value_or("");
  if (run.timed_out) {
    return internal_error("PDF/A: Ghostscript did not finish within " +
                          std::to_string(kGhostscriptTimeout.count()) + " s; killed");
  }
  if (run.exit_code != 0) {
    return internal_error("PDF/A: Ghostscript exited with " + std::to_string(run.exit_code) + ": " +
                          tail(messages, 2000));
  }
  auto result = read_file(out);
  if (!result || result->compare(0, 5, "%PDF-") != 0) {
    return internal_error("PDF/A: Ghostscript wrote no PDF: " + tail(messages, 2000));
  }
  return restore_unicode_metadata(std::move(*result), document);
}

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// The integer after `key` (e.g. "/Size ") at or after `from`, or -1.
long long number_after(const std::string& text, const std::string& key, std::size_t from) {
  const auto at = text.find(key, from);
  if (at == std::string::npos) return -1;
  std::size_t i = at + key.size();
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  long long value = 0;
  bool any = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    value = value * 10 + (text[i++] - '0');
    any = true;
  }
  return any ? value : -1;
}

/// Ghostscript 10.0 drops DOCINFO text it cannot carry into XMP, which is any non-ASCII
/// text ("Text string detected in DOCINFO cannot be represented in XMP"). Title, author and
/// subject with æøå are then put back by an incremental update, as PDF allows: a new Info
/// dictionary and a new XMP packet with the same object numbers, consistent with each other
/// as PDF/A requires.
Result<std::string> restore_unicode_metadata(std::string pdf, const PdfDocument& document) {
  if (is_ascii(document.title) && is_ascii(document.author) && is_ascii(document.subject)) {
    return pdf;
  }
  const auto trailer = pdf.rfind("trailer");
  const auto startxref_at = pdf.rfind("startxref");
  if (trailer == std::string::npos || startxref_at == std::string::npos) {
    return internal_error("PDF/A: Ghostscript output has no classic trailer");
  }
  const long long size = number_after(pdf, "/Size", trailer);
  const long long root = number_after(pdf, "/Root", trailer);
  const long long info = number_after(pdf, "/Info", trailer);
  const long long prev = number_after(pdf, "startxref", startxref_at);
  const auto id_at = pdf.find("/ID", trailer);
  const auto id_end = id_at == std::string::npos ? id_at : pdf.find(']', id_at);
  if (size < 0 || root < 0 || info < 0 || prev < 0 || id_end == std::string::npos) {
    return internal_error("PDF/A: cannot read the trailer of Ghostscript's output");
  }
  const std::string id = pdf.substr(id_at, id_end + 1 - id_at);
  const auto root_at = pdf.find("\n" + std::to_string(root) + " 0 obj");
  const long long metadata =
      root_at == std::string::npos ? -1 : number_after(pdf, "/Metadata", root_at);
  const auto metadata_at = pdf.find("\n" + std::to_string(metadata) + " 0 obj");
  const auto info_at = pdf.find("\n" + std::to_string(info) + " 0 obj");
  if (metadata < 0 || metadata_at == std::string::npos || info_at == std::string::npos) {
    return internal_error("PDF/A: cannot find the Info and Metadata objects");
  }
  const auto stream_at = pdf.find("stream\n", metadata_at);
  const auto stream_end = pdf.find("endstream", stream_at);
  const auto info_open = pdf.find("<<", info_at);
  const auto info_close = pdf.find(">>\nendobj", info_open);
  if (stream_at == std::string::npos || stream_end == std::string::npos ||
      info_open == std::string::npos || info_close == std::string::npos) {
    return internal_error("PDF/A: unexpected shape of the Info or Metadata object");
  }
  std::string xmp = pdf.substr(stream_at + 7, stream_end - (stream_at + 7));
  std::string info_dict = pdf.substr(info_open + 2, info_close - (info_open + 2));

  auto alt = [](const char* element, const std::string& text) {
    return std::string("<") + element + "><rdf:Alt><rdf:li xml:lang='x-default'>" +
           xml_escaped(text) + "</rdf:li></rdf:Alt></" + element + ">";
  };
  const auto title_at = xmp.find("<dc:title>");
  const auto title_end = xmp.find("</dc:title>");
  if (title_at == std::string::npos || title_end == std::string::npos) {
    return internal_error("PDF/A: Ghostscript's XMP has no dc:title");
  }
  std::string dc = alt("dc:title", document.title);
  if (info_dict.find("/Author") == std::string::npos && !document.author.empty()) {
    dc += "<dc:creator><rdf:Seq><rdf:li>" + xml_escaped(document.author) +
          "</rdf:li></rdf:Seq></dc:creator>";
    info_dict += "/Author" + ps_text(document.author) + "\n";
  }
  if (info_dict.find("/Subject") == std::string::npos && !document.subject.empty()) {
    dc += alt("dc:description", document.subject);
    info_dict += "/Subject" + ps_text(document.subject) + "\n";
  }
  xmp.replace(title_at, title_end + 11 - title_at, dc);
  if (info_dict.find("/Title") == std::string::npos) {
    info_dict += "/Title" + ps_text(document.title) + "\n";
  }

  std::string update = "\n";
  const auto info_offset = pdf.size() + update.size();
  update += std::to_string(info) + " 0 obj\n<<" + info_dict + ">>\nendobj\n";
  const auto metadata_offset = pdf.size() + update.size();
  update += std::to_string(metadata) + " 0 obj\n<</Type/Metadata/Subtype/XML/Length " +
            std::to_string(xmp.size()) + ">>stream\n" + xmp + "endstream\nendobj\n";
  const auto xref_offset = pdf.size() + update.size();
  auto entry = [](std::size_t offset) {
    std::array<char, 24> line{};
    std::snprintf(line.data(), line.size(), "%010zu 00000 n \n", offset);
    return std::string(line.data());
  };
  std::vector<std::pair<long long, std::size_t>> objects = {{info, info_offset},
                                                            {metadata, metadata_offset}};
  std::sort(objects.begin(), objects.end());
  update += "xref\n0 1\n0000000000 65535 f \n";
  for (const auto& [number, offset] : objects) {
    update += std::to_string(number) + " 1\n" + entry(offset);
  }
  update += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(root) +
            " 0 R /Info " + std::to_string(info) + " 0 R\n" + id + " /Prev " +
            std::to_string(prev) + " >>\nstartxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
  pdf += update;
  return pdf;
}

}  // namespace

Result<std::string> render_pdfa(const PdfDocument& document) {
  auto pdf = draw_pdf(document);
  if (!pdf) return pdf.error();
  return convert_to_pdfa(document, *pdf);
}

}  // namespace boligflyt::archive

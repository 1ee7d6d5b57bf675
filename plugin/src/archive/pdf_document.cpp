#include "archive/pdf_document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include "archive/pdfa_conversion.h"

namespace boligflyt::archive {
namespace {

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

}  // namespace

Result<std::string> render_pdfa(const PdfDocument& document) {
  auto pdf = draw_pdf(document);
  if (!pdf) return pdf.error();
  return convert_to_pdfa(document, *pdf);
}

}  // namespace boligflyt::archive

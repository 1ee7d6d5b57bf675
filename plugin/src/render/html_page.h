#pragma once
// The frame both HTML views share: a self-contained HTML5 page in Norwegian (lang="nb") with
// its style sheet inline, for screen and for A4 print. The markup is also well-formed XML
// (every element closed, attributes quoted, no named entities), so tests can parse it with an
// XML parser.

#include <functional>
#include <string>
#include <string_view>

#include "procedure/model.h"

namespace boligflyt::render {

/// Everything up to and including <body>.
std::string html_page_start(std::string_view title);
/// </body></html>
std::string html_page_end();

/// The changes of one changelog entry as a table (kind, step, text). `step_cell` writes the
/// step column for a step id (HTML); an entry about the whole procedure has no step id.
std::string changelog_table(const procedure::ChangelogEntry& entry,
                            const std::function<std::string(const std::string&)>& step_cell);

}  // namespace boligflyt::render

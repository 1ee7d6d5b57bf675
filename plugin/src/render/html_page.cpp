#include "render/html_page.h"

#include "render/markup.h"
#include "render/wording.h"

namespace boligflyt::render {
namespace {

// Colours, all at least 4.5:1 against the background they are used on (WCAG 2.1 AA):
// ink #14212e and muted #44546a on white and on the tint #f3f6f9, white and #dbe6f0 on navy
// #1f3b57, links #0b4f8a on white, white on the alarm red #9b1c1c and accent blue #0b57d0.
constexpr std::string_view kStyleSheet = R"css(
:root {
  --ink: #14212e; --muted: #44546a; --line: #c9d3dd; --navy: #1f3b57; --tint: #f3f6f9;
  --link: #0b4f8a; --accent: #0b57d0; --alarm: #9b1c1c;
}
* { box-sizing: border-box; }
html {
  font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 16px;
  line-height: 1.5; color: var(--ink); background: #ffffff;
}
body { margin: 0; }
a { color: var(--link); }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: #ffffff; padding: .5rem 1rem; z-index: 10; }
.page { max-width: 62rem; margin: 0 auto; padding: 0 1.5rem; }
header.doc { background: var(--navy); color: #ffffff; }
header.doc .page { padding-top: 2.25rem; padding-bottom: 2rem; }
header.doc a { color: #ffffff; }
.kicker {
  margin: 0; color: #dbe6f0; font-size: .85rem; letter-spacing: .08em; text-transform: uppercase;
}
h1 { font-size: 2.4rem; line-height: 1.15; margin: .3rem 0 .8rem; }
.lead { font-size: 1.1rem; max-width: 50rem; margin: 0; }
dl.meta {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
  gap: .9rem 1.75rem; margin: 1.75rem 0 0;
}
dl.meta div { border-top: 1px solid #6f8aa3; padding-top: .45rem; }
dl.meta dt { color: #dbe6f0; font-size: .8rem; letter-spacing: .05em; text-transform: uppercase; }
dl.meta dd { margin: .1rem 0 0; font-weight: bold; }
.notice {
  margin: 1.5rem 0 0; padding: .8rem 1rem; background: #fff4d6; color: var(--ink);
  border-left: 6px solid #9a6700; font-weight: bold;
}
main { padding-bottom: 2rem; }
h2 {
  font-size: 1.65rem; line-height: 1.25; margin: 2.75rem 0 1rem; padding-bottom: .35rem;
  border-bottom: 3px solid var(--navy);
}
h3 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .4rem; }
.muted { color: var(--muted); }
.phase-intro { font-size: 1.05rem; max-width: 50rem; }
nav.toc ul { list-style: none; padding: 0; margin: .25rem 0; columns: 2 22rem; column-gap: 2.5rem; }
nav.toc ul > li { break-inside: avoid; margin-bottom: .6rem; }
nav.toc ul > li > a { font-weight: bold; }
nav.toc ol { list-style: none; padding-left: .25rem; margin: .2rem 0 0; font-size: .95rem; }
nav.toc ol a { font-weight: normal; }
nav.toc ol a { display: flex; }
nav.toc ol a .no { flex: none; }
nav.toc .no { display: inline-block; min-width: 2.4rem; color: var(--muted); }
ul.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; list-style: none; padding: 0; margin: .75rem 0; }
.swatch {
  display: inline-block; width: 1.7rem; height: 1.05rem; margin-right: .45rem; vertical-align: -.15rem;
  border: 1.5px solid #4a6781; border-radius: 3px; background: #ffffff;
}
.swatch.decision { background: #fff4d6; border-color: #9a6700; }
.swatch.meeting { background: #e6f4ea; border-color: #2f7a45; }
.swatch.event { background: #f1ecfa; border-color: #6a4c9c; }
.swatch.end { border: 2.5px solid var(--ink); }
.swatch.highlight { border: 3px solid var(--accent); }
.swatch.start, .swatch.stop { width: 1.1rem; height: 1.1rem; border-radius: 50%; border: 2px solid var(--ink); }
.swatch.stop { background: var(--ink); }
.swatch.connector { width: 1.7rem; border-radius: .6rem; border-color: var(--navy); }
article.step {
  margin: 1.1rem 0; padding: 1rem 1.25rem 1.1rem; background: #ffffff;
  border: 1px solid var(--line); border-left: 7px solid #4a6781; border-radius: 6px;
}
article.step.decision { border-left-color: #9a6700; }
article.step.meeting { border-left-color: #2f7a45; }
article.step.event { border-left-color: #6a4c9c; }
article.step.end { border-left-color: var(--ink); }
article.step h3 .no { color: var(--muted); margin-right: .35rem; }
.chips { margin: 0 0 .55rem; }
.chip {
  display: inline-block; margin: 0 .35rem .2rem 0; padding: .05rem .6rem; font-size: .82rem;
  border-radius: 999px; background: var(--tint); border: 1px solid var(--line);
}
.chip.alarm { background: var(--alarm); border-color: var(--alarm); color: #ffffff; font-weight: bold; }
.chip.tag { background: var(--accent); border-color: var(--accent); color: #ffffff; font-weight: bold; }
dl.facts { display: grid; grid-template-columns: 10.5rem 1fr; gap: .35rem 1.1rem; margin: .8rem 0 0; }
dl.facts dt { font-weight: bold; color: var(--muted); }
dl.facts dd { margin: 0; }
ul.plain, ol.branches { list-style: none; padding: 0; margin: 0; }
ul.plain li, ol.branches li { margin: 0 0 .2rem; }
.letter {
  display: inline-block; width: 1.35rem; height: 1.35rem; margin-right: .35rem;
  border: 1.5px solid #3b4a59; border-radius: 50%; font-size: .78rem; font-weight: bold;
  line-height: 1.15rem; text-align: center; vertical-align: .05rem;
}
figure { margin: 1.25rem 0 2rem; }
figure.diagram {
  width: min(calc(100vw - 3rem), var(--natural-width, 100%)); margin-left: 50%; transform: translateX(-50%);
}
figure.diagram svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-weight: bold; color: var(--navy); margin: 0 0 .4rem; }
table { width: 100%; border-collapse: collapse; margin: .75rem 0 1.5rem; font-size: .95rem; }
article.step > table:last-child, article.step > dl:last-child { margin-bottom: 0; }
caption { text-align: left; font-weight: bold; padding: 0 0 .4rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid var(--navy); }
tbody th { font-weight: bold; }
dl.sources dt { font-weight: bold; margin-top: .9rem; }
dl.sources dd { margin: .1rem 0 0 0; }
dl.sources ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.change-kind { white-space: nowrap; }
.removed { text-decoration: line-through; }
footer.doc { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; padding: 1rem 0 2.5rem; }
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #44546a; } }
@page diagram { size: A4 landscape; margin: 10mm; }
@media print {
  html { font-size: 10.5pt; }
  header.doc { background: none; color: var(--ink); border-bottom: 3px solid var(--navy); }
  header.doc .page { padding-top: 0; padding-bottom: 1rem; }
  header.doc a { color: var(--ink); }
  .kicker, dl.meta dt { color: var(--muted); }
  dl.meta div { border-top-color: var(--line); }
  .page { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .skip { display: none; }
  h2, h3, figcaption { break-after: avoid; }
  article.step, tr, dl.facts, ol.branches li { break-inside: avoid; }
  section.phase { break-before: page; }
  figure.diagram { page: diagram; width: auto; max-width: none; margin: 0 0 6mm; transform: none; break-inside: avoid; }
  figure.diagram svg { width: 100%; max-height: 180mm; border: none; }
}
)css";

}  // namespace

std::string html_page_start(std::string_view title) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"boligflyt\"/>\n<title>";
  append_escaped(out, title);
  out += "</title>\n<style>";
  out += kStyleSheet;
  out += "</style>\n</head>\n<body>\n";
  return out;
}

std::string html_page_end() { return "</body>\n</html>\n"; }

std::string changelog_table(const procedure::ChangelogEntry& entry,
                            const std::function<std::string(const std::string&)>& step_cell) {
  if (entry.changes.empty()) return {};
  std::string out =
      "<table>\n<thead><tr><th scope=\"col\">Endring</th><th scope=\"col\">Trinn</th>"
      "<th scope=\"col\">Beskrivelse</th></tr></thead>\n<tbody>\n";
  for (const auto& [kind, step, text] : entry.changes) {
    out += "<tr><td class=\"change-kind\">" + xml_escape(change_kind_in_words(kind)) + "</td><td>";
    out += step.empty() ? std::string("Hele prosedyren") : step_cell(step);
    out += "</td><td>" + xml_escape(text) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  return out;
}

}  // namespace boligflyt::render

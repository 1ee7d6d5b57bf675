#pragma once
// Escaping and identifiers for the markup the renderers write (HTML, SVG, BPMN XML). Every
// piece of text that comes from a procedure file reaches markup through xml_escape, so one
// function decides what is safe.

#include <string>
#include <string_view>

namespace boligflyt::render {

/// Escapes `& < > " '` so the text is safe both as element content and inside a quoted
/// attribute, in HTML and in XML. Control characters that XML 1.0 forbids are dropped.
std::string xml_escape(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

/// A valid XML NCName made from `text` (letters, digits, '-', '_' and '.'; anything else
/// becomes '_'), prefixed with '_' when it would not start with a letter or '_'.
std::string to_ncname(std::string_view text);

/// "a", "b", …, "z", "aa", "ab", … — the letters that pair a branch in the diagram with its
/// condition in the text.
std::string branch_letter(std::size_t index);

}  // namespace boligflyt::render

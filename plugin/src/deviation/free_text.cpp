#include "deviation/free_text.h"

#include "deviation/personal_data.h"
#include "util/utf8.h"

namespace boligflyt::deviation {

Result<void> check_text(const std::string& field, std::string_view label, const std::string& text,
                        bool required, std::size_t max_chars) {
  const auto chars = util::utf8_length(text);
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid(field, "Feltet «" + std::string(label) + "» mangler.");
  }
  if (chars > max_chars) {
    return invalid(field, "Feltet «" + std::string(label) + "» er for langt (" +
                              std::to_string(chars) + " tegn; høyst " + std::to_string(max_chars) +
                              ").");
  }
  // Control characters (other than tab and line breaks) cannot be printed, nor carried in
  // the XML the archive gets (XML 1.0): refuse them where they come in, with the position.
  std::size_t position = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0U) != 0x80U) ++position;  // counts code points, 1-based
    const bool control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
    // U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not characters in XML either.
    const bool nonchar = c == 0xEF && i + 2 < text.size() &&
                         static_cast<unsigned char>(text[i + 1]) == 0xBF &&
                         (static_cast<unsigned char>(text[i + 2]) & 0xFEU) == 0xBE;
    if (control || nonchar) {
      return invalid(field,
                     "Feltet «" + std::string(label) +
                         "» inneholder et kontrolltegn som ikke kan skrives ut (tegn " +
                         std::to_string(position) + "). Fjern det og prøv igjen.",
                     position);
    }
  }
  return check_free_text(field, label, text);
}

}  // namespace boligflyt::deviation

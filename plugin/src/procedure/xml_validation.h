#pragma once
// Safe XML intake: size and encoding limits, no DTD, no entities, no network, and XSD
// validation with libxml2. Used for every procedure or unit-registry file before any
// semantic check looks at it.

#include <memory>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "procedure/diagnostics.h"

namespace boligflyt::procedure {

inline constexpr std::size_t kMaxXmlBytes = 4 * 1024 * 1024;

/// Refuses what no procedure file needs and an attacker might use: over-size input,
/// invalid UTF-8, and any DOCTYPE (external entities, billion laughs). On success `doc` holds
/// the parsed document, so callers read it without parsing again. Appends diagnostics;
/// returns false when the document must not be used further.
bool check_xml_intake(std::string_view xml, const std::string& file, Diagnostics& out,
                      pugi::xml_document& doc);

/// A compiled XSD, shareable between threads (validation contexts are per call).
class XsdValidator {
 public:
  /// Loads the schema from a file we ship; throws std::runtime_error when it cannot.
  explicit XsdValidator(const std::string& xsd_path);
  /// Compiles the schema from its text (the one compiled into the plugin); `name` is for
  /// messages only. Throws std::runtime_error when it does not compile.
  XsdValidator(std::string_view xsd_text, const std::string& name);
  ~XsdValidator();
  XsdValidator(const XsdValidator&) = delete;
  XsdValidator& operator=(const XsdValidator&) = delete;

  /// Parses `xml` (already through check_xml_intake) without network or entity expansion,
  /// validates it, and appends every error. Returns true when valid.
  bool validate(std::string_view xml, const std::string& file, Diagnostics& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boligflyt::procedure

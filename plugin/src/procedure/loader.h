#pragma once
// Loading a procedure or unit-registry file: safe intake, XSD validation with libxml2,
// reading with pugixml, then the semantic checks the XSD cannot express. Every problem is
// reported (file, line, column, Norwegian message), not only the first.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "procedure/diagnostics.h"
#include "procedure/model.h"
#include "procedure/xml_validation.h"

namespace boligflyt::procedure {

struct LoadedProcedure {
  std::optional<Procedure> procedure;  // set when the file could be read at all
  Diagnostics diagnostics;
  bool ok() const { return procedure.has_value() && diagnostics.empty(); }
};

struct LoadedUnits {
  std::optional<UnitRegistry> registry;
  Diagnostics diagnostics;
  bool ok() const { return registry.has_value() && diagnostics.empty(); }
};

class ProcedureLoader {
 public:
  /// `xsd_path` is schemas/procedure.xsd; throws std::runtime_error when it cannot be used.
  /// Validates against the XSD compiled into the plugin (schemas/procedure.xsd at build time).
  ProcedureLoader();
  /// `xsd_path` is another copy of the schema (a development draft of it); throws
  /// std::runtime_error when it cannot be used. An empty path means the compiled-in one.
  explicit ProcedureLoader(const std::string& xsd_path);

  /// `units` may be null: unit references are then not checked.
  LoadedProcedure load_procedure(std::string_view xml, const std::string& file,
                                 const UnitRegistry* units) const;
  LoadedUnits load_units(std::string_view xml, const std::string& file) const;

  /// Reads a file (refusing files over kMaxXmlBytes before reading them).
  LoadedProcedure load_procedure_file(const std::string& path, const UnitRegistry* units) const;
  LoadedUnits load_units_file(const std::string& path) const;

 private:
  XsdValidator validator_;
};

/// Semantic checks on one version (exposed for tests; load_procedure runs them).
void lint_procedure(const Procedure& procedure, const std::string& file, const UnitRegistry* units,
                    Diagnostics& out);

/// Checks a series of versions of one procedure: same id, strictly increasing versions and
/// effective dates, each `supersedes` naming the version before.
void check_version_sequence(const std::vector<std::pair<std::string, const Procedure*>>& versions,
                            Diagnostics& out);

/// `boligflyt procedure validate`'s citation check (issue 13, part 5): WARNINGS (severity
/// "warning", never making a file invalid) for every legalRef or deadline citing a source
/// whose own validFrom/validTo exclude the version's effective date. A provision whose own
/// dates exclude it is an error of the linter instead (provision-not-in-force).
Diagnostics citation_warnings(const Procedure& procedure, const std::string& file);

}  // namespace boligflyt::procedure

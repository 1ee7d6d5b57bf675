#pragma once
// The procedure XSD (schemas/procedure.xsd), compiled into the plugin at build time.

#include <string_view>

namespace boligflyt::procedure {

/// The schema's bytes, exactly as in schemas/procedure.xsd when the plugin was built.
std::string_view embedded_procedure_xsd();

}  // namespace boligflyt::procedure

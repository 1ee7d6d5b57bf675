#pragma once
// Errors the procedure service's files share (service.cpp, publication.cpp).

#include <string>

#include "core/errors.h"
#include "procedure/catalog.h"

namespace boligflyt::procedure::detail {

// Procedures answer "forbidden" where avvik answer "not-allowed"; both are in the spec.
inline Error forbidden(std::string detail) {
  return domain_error(ErrorKind::kForbidden, "forbidden", std::move(detail));
}

inline Error wrong_status(const StoredVersion& v, const char* needed) {
  return conflict("wrong-status", "Versjon " + v.procedure.version.str() + " har status «" +
                                      v.status() + "»; handlingen krever status «" + needed + "».");
}

}  // namespace boligflyt::procedure::detail

#pragma once
// The procedures as shipped in procedures/, loaded once per test suite into a catalog: the
// fixture of the tests that read the real versions (shipped_procedures_test, version_4_0_test).

#include <gtest/gtest.h>

#include <stdexcept>

#include "procedure/catalog.h"

namespace boligflyt::procedure::testing {

class ShippedCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    loader_ = new ProcedureLoader(BOLIGFLYT_SOURCE_DIR "/schemas/procedure.xsd");
    catalog_ = new ProcedureCatalog();
    problems_ =
        new Diagnostics(catalog_->load_directory(BOLIGFLYT_SOURCE_DIR "/procedures", *loader_));
  }
  static void TearDownTestSuite() {
    delete problems_;
    delete catalog_;
    delete loader_;
  }
  static const Procedure& version(int major, int minor = 0) {
    const auto* v = catalog_->find("boligflytprosedyre", Version{major, minor});
    if (!v) throw std::runtime_error("missing version");
    return v->procedure;
  }
  static inline ProcedureLoader* loader_ = nullptr;
  static inline ProcedureCatalog* catalog_ = nullptr;
  static inline Diagnostics* problems_ = nullptr;
};

}  // namespace boligflyt::procedure::testing

#pragma once
// The procedure versions the plugin serves. Shipped versions come from the procedures folder
// (one sub-folder per procedure, one XML file per version, plus units.xml); each is checked
// fully before it is served, and kept with its exact bytes and their SHA-256, so a published
// version is immutable and content-addressed.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ports/store/store.h"
#include "procedure/diagnostics.h"
#include "procedure/loader.h"
#include "procedure/model.h"

namespace boligflyt::procedure {

struct StoredVersion {
  Procedure procedure;
  std::string xml;     // the exact bytes
  std::string sha256;  // of `xml`
  std::string source;  // file name it came from
  /// Lifecycle state from the store; authoritative over the XML's own status attribute.
  store::ProcedureVersionRecord record;

  const std::string& status() const {
    return record.status.empty() ? procedure.status : record.status;
  }

  /// "<revision>-<sha256>" in quotes: the lifecycle revision (for If-Match on transitions)
  /// and the content hash.
  std::string etag() const { return "\"" + std::to_string(record.revision) + "-" + sha256 + "\""; }
};

class ProcedureCatalog {
 public:
  /// Loads units.xml and every procedure version below `dir`. Files with problems are not
  /// served; their diagnostics are returned (and kept for /healthz).
  Diagnostics load_directory(const std::string& dir, const ProcedureLoader& loader);

  const UnitRegistry& units() const { return units_; }
  std::vector<std::string> procedure_ids() const;

  /// Versions of one procedure, oldest first; empty when unknown.
  std::vector<const StoredVersion*> versions(const std::string& id) const;
  const StoredVersion* find(const std::string& id, const Version& version) const;
  /// The published/superseded version whose effectiveFrom is the latest not after `date`
  /// (YYYY-MM-DD). Exactly one version is in force on any date after the first.
  const StoredVersion* in_force(const std::string& id, const std::string& date) const;

  std::size_t problem_count() const { return problems_; }

  /// Building a catalog from other sources (the store): units first, then each version.
  void set_units(UnitRegistry units) { units_ = std::move(units); }
  void add(std::unique_ptr<StoredVersion> version);
  void set_problem_count(std::size_t n) { problems_ = n; }

 private:
  UnitRegistry units_;
  std::map<std::string, std::vector<std::unique_ptr<StoredVersion>>> by_id_;
  std::size_t problems_ = 0;
};

}  // namespace boligflyt::procedure

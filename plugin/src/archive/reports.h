#pragma once
// What goes into the archive about an avvik or a procedure version, as documents: the
// PDF/A report (a PdfDocument for render_pdfa) and the machine-readable XML variant.
// Norwegian Bokmål throughout; no I/O.

#include <functional>
#include <string>
#include <vector>

#include "archive/pdf_document.h"
#include "ports/store/store.h"
#include "procedure/model.h"

namespace boligflyt::archive {

struct DeviationReportInput {
  const store::DeviationRecord* record = nullptr;
  std::vector<store::DeviationEvent> history;  // seq order
  std::string procedure_title;                 // "" when unknown
  std::string step_title;                      // "" when unknown
  /// Unit id → display name (returns the id when unknown).
  std::function<std::string(const std::string&)> unit_name;
  /// User id → display name (returns the id when unknown).
  std::function<std::string(const std::string&)> user_name;
  std::string generated_at;  // ISO 8601 UTC
  /// The category's label when the avvik's procedure version declares it; "" for the
  /// generic categories (labelled from their list).
  std::string category_label;
  /// Cause code -> label (returns the code when unknown); unset = the codes as they are.
  std::function<std::string(const std::string&)> cause_label;
};

/// The avvik report: id, procedure "Boligflytprosedyre" title, step and version, units,
/// category, severity, dates, description, case reference, the whole history (when, who,
/// what), corrective actions, cause, evaluation and the closing.
PdfDocument deviation_report(const DeviationReportInput& input);

/// The same content as XML (namespace urn:no:boligflyt:avvik:1), UTF-8, for the second
/// variant of the journalpost's main document.
std::string deviation_xml(const DeviationReportInput& input);

/// The procedure document of a published version: title, version, owner, approval, purpose,
/// legal basis, phases with their steps (responsible unit, participants, deadlines), and
/// the changelog.
PdfDocument procedure_report(const procedure::Procedure& procedure,
                             const procedure::UnitRegistry& units, const std::string& generated_at);

}  // namespace boligflyt::archive

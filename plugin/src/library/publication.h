#pragma once
// The document library (ports/document_library.h) and published procedure versions: every
// version published, and every version in force or coming into force when the plugin starts,
// goes there as three documents under a stable path per procedure and version:
//   <library>/<procedure>/<version>/<procedure>-<version>.html   the HTML document
//   <library>/<procedure>/<version>/<procedure>-<version>.pdf    the same as PDF/A-2b
//   <library>/<procedure>/<version>/<procedure>-<version>.xml    the published XML, as stored
// through the outbox (topic "document_library"): a library that is down delays the documents
// without losing them, and delivering again never duplicates or alters them.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "observability/logger.h"
#include "outbox/relay.h"
#include "ports/document_library.h"
#include "procedure/collaborators.h"
#include "procedure/service.h"

namespace boligflyt::library {

inline constexpr std::string_view kDocumentLibraryTopic = "document_library";

/// The outbox message of a version's documents (dedupe key "library:<procedure>:<version>").
class LibraryMessages final : public procedure::VersionLibrary {
 public:
  // procedure::VersionLibrary
  store::OutboxMessage library_message_of(const std::string& procedure_id,
                                          const std::string& version) const override;
};

/// The messages of every version in force today or published to come into force later, so a
/// library configured after they were published gets them too. Enqueued at start; a key
/// already in the outbox is ignored.
std::vector<store::OutboxMessage> messages_for_published(
    const procedure::ProcedureCatalog& catalog);

/// The three documents of `version`. The PDF's dates come from the version, not the clock, so
/// the same version always gives the same bytes. kUnavailable/kInternal when PDF/A fails.
Result<std::vector<ports::LibraryFile>> library_files(const procedure::StoredVersion& version,
                                                      const procedure::UnitRegistry& units,
                                                      const procedure::DocumentRenderer& renderer);

/// The deliverer of kDocumentLibraryTopic. Every argument must outlive it.
std::unique_ptr<outbox::Deliverer> make_library_deliverer(
    procedure::ProcedureService& procedures, const procedure::DocumentRenderer& renderer,
    ports::DocumentLibrary& library, const Logger& logger);

}  // namespace boligflyt::library

#pragma once
// What the procedure service hands work to, given to it at construction. Each is a small
// interface implemented elsewhere (archive/, render/, outbox/), so that this module depends
// on none of them; each may be absent (unit tests, the CLI), and then that work is not done.

#include <optional>
#include <string>

#include "outbox/wakeup.h"
#include "ports/directory.h"
#include "ports/store/store.h"
#include "procedure/catalog.h"

namespace boligflyt::procedure {

/// The archive's interest in a published version: the outbox message that carries its
/// export, written in the same transaction as the publication; nullopt when not archived.
class VersionArchiving {
 public:
  virtual ~VersionArchiving() = default;
  virtual std::optional<store::OutboxMessage> export_of(const std::string& procedure_id,
                                                        const std::string& version) const = 0;
};

/// The HTML document of a version, handed to the host's document library on publication.
class DocumentRenderer {
 public:
  virtual ~DocumentRenderer() = default;
  virtual std::string render(const StoredVersion& version, const UnitRegistry& units) const = 0;
};

/// The document library's interest in a published version: the outbox message that puts its
/// documents there, written in the same transaction as the publication.
class VersionLibrary {
 public:
  virtual ~VersionLibrary() = default;
  virtual store::OutboxMessage library_message_of(const std::string& procedure_id,
                                                  const std::string& version) const = 0;
};

struct ProcedureCollaborators {
  ports::Directory* directory = nullptr;        // leaders who have not confirmed reading
  outbox::Wakeup* outbox = nullptr;             // told after messages were queued
  const VersionArchiving* archiving = nullptr;  // archive export of a published version
  const DocumentRenderer* renderer = nullptr;   // document for the host's library
  // The plugin's own document library (WebDAV): when set, publication puts the version's
  // documents there through the outbox instead of handing the HTML to the host.
  const VersionLibrary* library = nullptr;
};

}  // namespace boligflyt::procedure

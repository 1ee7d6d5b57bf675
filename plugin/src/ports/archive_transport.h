#pragma once
// Port: the archive transport — how a finished arkivmelding message reaches the archive and
// how the archive's receipts (kvittering / feilmelding) come back.
// Adapter: adapters/archive_file_drop (a drop folder that a Fiks Arkiv client picks up).

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"

namespace boligflyt::ports {

/// One file of a message.
struct ArchiveFile {
  std::string name;    // a safe file name derived from keys, e.g. "avvik-rapport.pdf"
  std::string bytes;   // the exact bytes sent
  std::string pronom;  // PRONOM id: "fmt/477" (PDF/A-2b), "fmt/101" (XML), "x-fmt/111" (text)
  std::string mime;    // "application/pdf", "application/xml", ...
};

/// One message, ready to hand over.
struct ArchivePackage {
  std::string export_key;  // the outbox dedupe key; the message's name is derived from it
  std::string arkivmelding_xml;
  std::vector<ArchiveFile> files;
};

/// A receipt waiting to be read.
struct InboxItem {
  std::string name;  // its name at the archive side (a file name in the inbox)
  std::string content;
};

class ArchiveTransport {
 public:
  virtual ~ArchiveTransport() = default;
  /// Hands the package over. Delivering the same export_key again after a crash is
  /// recognised and does not produce a second message. kUnavailable (retry later) when the
  /// archive side cannot take it now (folder full, read-only, missing).
  virtual Result<void> deliver(const ArchivePackage& package) = 0;
  /// Receipts waiting, oldest first, at most `limit`.
  virtual std::vector<InboxItem> pending_receipts(std::size_t limit) = 0;
  /// Takes a receipt out of the inbox: set aside as handled, or refused with `reason`.
  virtual void settle_receipt(const InboxItem& item, bool handled, const std::string& reason) = 0;
};

}  // namespace boligflyt::ports

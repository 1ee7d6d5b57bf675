#pragma once
// The archive port and its file-drop adapter: the way most integrations hand arkivmelding
// messages to a Fiks Arkiv client. One folder per message, holding arkivmelding.xml and its
// files, written under a temporary name and renamed into place, so that a reader never sees
// half a message. Receipts (kvittering / feilmelding) are read back from an inbox folder.

#include <filesystem>
#include <string>
#include <vector>

#include "archive/arkivmelding.h"
#include "core/result.h"

namespace boligflyt::archive {

/// One message, ready to hand over.
struct ArchivePackage {
  std::string export_key;  // the outbox dedupe key; the folder name is derived from it
  std::string arkivmelding_xml;
  std::vector<ArchiveFile> files;
};

/// A receipt file found in the inbox.
struct InboxItem {
  std::string name;  // file name within the inbox
  std::string content;
};

class ArchiveTransport {
 public:
  virtual ~ArchiveTransport() = default;
  /// Hands the package over. Delivering the same export_key again after a crash is
  /// recognised and does not produce a second message. kUnavailable (retry later) when the
  /// archive side cannot take it now (folder full, read-only, missing).
  virtual Result<void> deliver(const ArchivePackage& package) = 0;
  /// Receipts waiting in the inbox, oldest first, at most `limit`.
  virtual std::vector<InboxItem> pending_receipts(std::size_t limit) = 0;
  /// Moves a receipt out of the inbox: to "behandlet/" when handled, else to "avvist/"
  /// beside a .txt file with `reason`.
  virtual void settle_receipt(const InboxItem& item, bool handled, const std::string& reason) = 0;
};

/// "<key with unsafe characters replaced>-<12 hex of SHA-256(key)>": safe, unique per key,
/// never derived from user text (keys are built from ids).
std::string folder_name_for(const std::string& export_key);

/// How a message is laid down: a folder, or one ASiC-E container ("<name>.asice": a zip
/// whose first entry is the uncompressed `mimetype` application/vnd.etsi.asic-e+zip, then
/// arkivmelding.xml, the files and META-INF/manifest.xml), as Fiks IO carries messages.
enum class PackageFormat { kFolder, kAsice };

class FileDropTransport final : public ArchiveTransport {
 public:
  /// Creates the folders when missing (throws std::runtime_error when it cannot) and removes
  /// temporary folders a crash left behind. An empty `inbox_dir` reads no receipts.
  FileDropTransport(std::filesystem::path out_dir, std::filesystem::path inbox_dir,
                    PackageFormat format = PackageFormat::kFolder);

  /// Where the message for `export_key` is (or will be) in the drop folder.
  std::filesystem::path target_for(const std::string& export_key) const;

  Result<void> deliver(const ArchivePackage& package) override;
  std::vector<InboxItem> pending_receipts(std::size_t limit) override;
  void settle_receipt(const InboxItem& item, bool handled, const std::string& reason) override;

  const std::filesystem::path& out_dir() const { return out_dir_; }
  const std::filesystem::path& inbox_dir() const { return inbox_dir_; }

 private:
  Result<void> deliver_folder(const ArchivePackage& package, const std::filesystem::path& target);
  Result<void> deliver_asice(const ArchivePackage& package, const std::filesystem::path& target);

  std::filesystem::path out_dir_;
  std::filesystem::path inbox_dir_;
  PackageFormat format_;
};

}  // namespace boligflyt::archive

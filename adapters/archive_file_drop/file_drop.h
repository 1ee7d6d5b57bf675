#pragma once
// Adapter for the archive transport port (ports/archive_transport.h): the file drop, the way
// most integrations hand arkivmelding messages to a Fiks Arkiv client. One folder (or ASiC-E
// container) per message, holding arkivmelding.xml and its files, written under a temporary
// name and renamed into place, so that a reader never sees half a message. Receipts
// (kvittering / feilmelding) are read back from an inbox folder.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ports/archive_transport.h"

namespace boligflyt::adapters {

/// How a message is laid down: a folder, or one ASiC-E container ("<name>.asice": a zip
/// whose first entry is the uncompressed `mimetype` application/vnd.etsi.asic-e+zip, then
/// arkivmelding.xml, the files and META-INF/manifest.xml), as Fiks IO carries messages.
enum class PackageFormat { kFolder, kAsice };

class FileDropTransport final : public ports::ArchiveTransport {
 public:
  /// Creates the folders when missing (throws std::runtime_error when it cannot) and removes
  /// temporary folders a crash left behind. An empty `inbox_dir` reads no receipts.
  FileDropTransport(std::filesystem::path out_dir, std::filesystem::path inbox_dir,
                    PackageFormat format = PackageFormat::kFolder);

  /// Where the message for `export_key` is (or will be) in the drop folder.
  std::filesystem::path target_for(const std::string& export_key) const;

  // ports::ArchiveTransport
  Result<void> deliver(const ports::ArchivePackage& package) override;
  std::vector<ports::InboxItem> pending_receipts(std::size_t limit) override;
  /// Handled receipts move to "behandlet/", refused ones to "avvist/" beside a .txt file
  /// with `reason`.
  void settle_receipt(const ports::InboxItem& item, bool handled,
                      const std::string& reason) override;

  const std::filesystem::path& out_dir() const { return out_dir_; }
  const std::filesystem::path& inbox_dir() const { return inbox_dir_; }

 private:
  Result<void> deliver_folder(const ports::ArchivePackage& package,
                              const std::filesystem::path& target);
  Result<void> deliver_asice(const ports::ArchivePackage& package,
                             const std::filesystem::path& target);

  std::filesystem::path out_dir_;
  std::filesystem::path inbox_dir_;
  PackageFormat format_;
};

/// The factory: a file drop writing to `out_dir` and reading receipts from `inbox_dir`.
std::unique_ptr<ports::ArchiveTransport> make_file_drop_transport(
    std::filesystem::path out_dir, std::filesystem::path inbox_dir,
    PackageFormat format = PackageFormat::kFolder);

}  // namespace boligflyt::adapters

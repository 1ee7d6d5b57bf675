#pragma once
// Store port: what the archive answered about exports. Recording a receipt together with the
// outcome of its outbox message is a unit of work (unit_of_work.h).

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class ArchiveReceiptRepository {
 public:
  virtual ~ArchiveReceiptRepository() = default;

  /// The receipt of one export; nullopt when none has come.
  virtual Result<std::optional<ArchiveReceiptRecord>> archive_receipt(
      const std::string& export_key) = 0;
  /// Receipts about one subject, oldest first.
  virtual Result<std::vector<ArchiveReceiptRecord>> archive_receipts(
      const std::string& subject) = 0;
};

}  // namespace boligflyt::store

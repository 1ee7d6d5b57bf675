#pragma once
// Store port: reading the attachments of an avvik. Adding one is a unit of work
// (unit_of_work.h: add_deviation_attachment), written with its history event.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class AttachmentRepository {
 public:
  virtual ~AttachmentRepository() = default;

  /// The attachments of one avvik in attachment_no order; file bytes only `with_content`
  /// (the list the API shows needs none of them).
  virtual Result<std::vector<DeviationAttachment>> deviation_attachments(
      const std::string& deviation_id, bool with_content) = 0;
  /// One attachment with its bytes; nullopt when the avvik has no such number.
  virtual Result<std::optional<DeviationAttachment>> deviation_attachment(
      const std::string& deviation_id, std::int64_t attachment_no) = 0;
};

}  // namespace boligflyt::store

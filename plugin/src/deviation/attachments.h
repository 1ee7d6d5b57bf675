#pragma once
// Attachments of an avvik: files (PDF, PNG, JPEG, recognised by their bytes: file_content.h)
// and references to journalposts already in the archive (journalpostnummer, normalised by the
// saksnummer rule). Whoever may comment on an open avvik may attach; whoever may see it may
// list and download. Each addition is one unit of work with its history event. The files go
// to the archive with the avvik (archive/export_service.cpp), skjermet like it or more.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/actor.h"
#include "core/result.h"
#include "deviation/service.h"
#include "observability/logger.h"
#include "ports/store/store.h"

namespace boligflyt::deviation {

struct AttachmentSettings {
  /// Larger files are refused (kTooLarge, code "file-too-large"); the plugin config's
  /// attachments.max_file_bytes, at most limits.max_body_bytes.
  std::size_t max_file_bytes = 8 * 1024 * 1024;
};

struct FileInput {
  std::string bytes;
  std::string media_type;  // as declared (Content-Type); must be what the bytes are
  std::string file_name;   // as the user named it; a path is cut to its last part
  std::string description;
};

struct ReferenceInput {
  std::string reference;  // journalpostnummer "2026/4185", "26/04185", "2026/4185-3", …
  std::string description;
};

inline constexpr std::size_t kMaxFileNameChars = 200;
inline constexpr std::size_t kMaxAttachmentDescriptionChars = 500;

class AttachmentService {
 public:
  AttachmentService(store::Store& store, DeviationService& deviations, const Logger& logger,
                    AttachmentSettings settings)
      : store_(store), deviations_(deviations), logger_(logger), settings_(settings) {}

  const AttachmentSettings& settings() const { return settings_; }

  Result<store::DeviationAttachmentAdded> add_file(const std::string& id, const FileInput& input,
                                                   const Actor& actor,
                                                   const std::string& idempotency_key,
                                                   const std::string& request_sha256);
  Result<store::DeviationAttachmentAdded> add_reference(const std::string& id,
                                                        const ReferenceInput& input,
                                                        const Actor& actor,
                                                        const std::string& idempotency_key,
                                                        const std::string& request_sha256);
  /// Without the bytes.
  Result<std::vector<store::DeviationAttachment>> list(const std::string& id, const Actor& actor);
  /// With the bytes.
  Result<store::DeviationAttachment> get(const std::string& id, std::int64_t attachment_no,
                                         const Actor& actor);

 private:
  Result<store::DeviationAttachmentAdded> add(const std::string& id,
                                              store::DeviationAttachment attachment,
                                              const Actor& actor,
                                              const std::string& idempotency_key,
                                              const std::string& request_sha256);

  store::Store& store_;
  DeviationService& deviations_;
  const Logger& logger_;
  AttachmentSettings settings_;
};

}  // namespace boligflyt::deviation

#include "deviation/attachments.h"

#include <boost/json.hpp>

#include "core/saksnummer.h"
#include "deviation/file_content.h"
#include "deviation/free_text.h"
#include "deviation/lifecycle.h"
#include "deviation/record.h"
#include "util/norway_time.h"
#include "util/sha256.h"
#include "util/time.h"

namespace boligflyt::deviation {
namespace {

namespace json = boost::json;

std::string base_name(const std::string& name) {
  const auto cut = name.find_last_of("/\\");
  return cut == std::string::npos ? name : name.substr(cut + 1);
}

/// Whoever may comment may attach, but only while the avvik is open: a closed avvik's export
/// has been built from what it had, and a later file would never reach the archive.
Result<void> may_attach(const store::DeviationRecord& record, const Actor& actor) {
  const auto status = status_of(record);
  if (auto ok = check_operation(Operation::kComment, DeviationService::relation_of(record, actor),
                                status);
      !ok) {
    return ok.error();
  }
  if (!is_open(status)) {
    return conflict("closed",
                    "Avviket er avsluttet. Vedlegg kan bare legges til mens det er åpent; "
                    "gjenåpne det først.");
  }
  return {};
}

std::string size_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
  }
  if (bytes >= 1024) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " byte";
}

}  // namespace

Result<store::DeviationAttachmentAdded> AttachmentService::add_file(
    const std::string& id, const FileInput& in, const Actor& actor,
    const std::string& idempotency_key, const std::string& request_sha256) {
  // Who and whether first: a stranger learns nothing from how the file is judged.
  auto record = deviations_.get(id, actor);
  if (!record) return record.error();
  if (auto ok = may_attach(*record, actor); !ok) return ok.error();
  if (in.bytes.size() > settings_.max_file_bytes) {
    return domain_error(ErrorKind::kTooLarge, "file-too-large",
                        "Filen er på " + size_text(in.bytes.size()) + "; grensen er " +
                            size_text(settings_.max_file_bytes) + ".",
                        "file");
  }
  if (!is_attachment_media_type(in.media_type)) {
    return domain_error(ErrorKind::kUnsupportedMedia, "file-type-not-allowed",
                        "Bare PDF, PNG og JPEG kan legges ved (Content-Type application/pdf, "
                        "image/png eller image/jpeg).",
                        "file");
  }
  const auto type = sniff_file_type(in.bytes);
  if (!type || type->media_type != in.media_type) {
    return domain_error(ErrorKind::kInvalid, "file-content-mismatch",
                        type ? "Filen er et " + std::string(type->label) +
                                   ", ikke det filtypen sier (" + in.media_type + ")."
                             : "Innholdet i filen er ikke en hel PDF-, PNG- eller JPEG-fil, "
                               "slik filtypen sier (" +
                                   in.media_type + ").",
                        "file");
  }
  const std::string name = base_name(in.file_name);
  if (auto ok = check_text("file_name", "filnavn", name, true, kMaxFileNameChars); !ok) {
    return ok.error();
  }
  if (auto ok = check_text("description", "beskrivelse", in.description, false,
                           kMaxAttachmentDescriptionChars);
      !ok) {
    return ok.error();
  }
  store::DeviationAttachment a;
  a.kind = "file";
  a.file_name = name;
  a.media_type = std::string(type->media_type);
  a.size_bytes = static_cast<std::int64_t>(in.bytes.size());
  a.sha256 = util::sha256_hex(in.bytes);
  a.content = in.bytes;
  a.description = in.description;
  return add(id, std::move(a), actor, idempotency_key, request_sha256);
}

Result<store::DeviationAttachmentAdded> AttachmentService::add_reference(
    const std::string& id, const ReferenceInput& in, const Actor& actor,
    const std::string& idempotency_key, const std::string& request_sha256) {
  auto record = deviations_.get(id, actor);
  if (!record) return record.error();
  if (auto ok = may_attach(*record, actor); !ok) return ok.error();
  if (in.reference.empty()) return invalid("reference", "Feltet «journalpostnummer» mangler.");
  const auto parsed = parse_archive_number(in.reference, util::norway_year(deviations_.now_epoch()),
                                           /*allow_document=*/true);
  if (!parsed.value) {
    return invalid("reference", "Ugyldig journalpostnummer. " + parsed.problem);
  }
  if (auto ok = check_text("description", "beskrivelse", in.description, false,
                           kMaxAttachmentDescriptionChars);
      !ok) {
    return ok.error();
  }
  store::DeviationAttachment a;
  a.kind = "reference";
  a.reference = parsed.value->canonical();
  a.description = in.description;
  return add(id, std::move(a), actor, idempotency_key, request_sha256);
}

Result<store::DeviationAttachmentAdded> AttachmentService::add(const std::string& id,
                                                               store::DeviationAttachment a,
                                                               const Actor& actor,
                                                               const std::string& idempotency_key,
                                                               const std::string& request_sha256) {
  a.added_by = actor.user_id;
  a.added_at = util::iso_utc(deviations_.now_epoch());
  json::object after{{"kind", a.kind}};
  if (a.kind == "file") {
    after["file_name"] = a.file_name;
    after["media_type"] = a.media_type;
    after["size_bytes"] = a.size_bytes;
    after["sha256"] = a.sha256;
  } else {
    after["reference"] = a.reference;
  }
  if (!a.description.empty()) after["description"] = a.description;
  store::DeviationEvent event;
  event.at = a.added_at;
  event.actor = actor.user_id;
  event.kind = "attachment_added";
  event.data_json = json::serialize(json::object{{"after", std::move(after)}});
  auto added = store_.add_deviation_attachment(id, a, event, idempotency_key, request_sha256, {});
  if (!added) return added.error();
  if (!added->replayed) {
    // The file name may say who it is about: the log gets the kind, size and number only.
    logger_.info("deviation_attachment_added",
                 {{"id", id},
                  {"no", std::to_string(added->attachment.attachment_no)},
                  {"kind", a.kind},
                  {"bytes", std::to_string(a.size_bytes)}});
  }
  return added;
}

Result<std::vector<store::DeviationAttachment>> AttachmentService::list(const std::string& id,
                                                                        const Actor& actor) {
  auto record = deviations_.get(id, actor);
  if (!record) return record.error();
  return store_.deviation_attachments(id, false);
}

Result<store::DeviationAttachment> AttachmentService::get(const std::string& id,
                                                          std::int64_t attachment_no,
                                                          const Actor& actor) {
  auto record = deviations_.get(id, actor);
  if (!record) return record.error();
  auto found = store_.deviation_attachment(id, attachment_no);
  if (!found) return found.error();
  if (!found->has_value()) {
    return not_found("Avviket har ikke noe vedlegg nummer " + std::to_string(attachment_no) + ".",
                     "no");
  }
  return std::move(**found);
}

}  // namespace boligflyt::deviation

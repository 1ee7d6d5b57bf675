// Attachments of an avvik: adding one (its bytes, its history event, its outbox messages and
// the avvik's new revision in one transaction) and reading them back.

#include <stdexcept>
#include <string>

#include "store/sql/deviation_rows.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"
#include "util/base64.h"

namespace boligflyt::store::sql {
namespace {

constexpr std::string_view kColumns =
    "attachment_no, kind, file_name, media_type, size_bytes, sha256, reference, description, "
    "added_by, added_at";

DeviationAttachment read_attachment(const Query& q) {
  DeviationAttachment a;
  a.attachment_no = q.int64(0);
  a.kind = q.text(1);
  a.file_name = q.text(2);
  a.media_type = q.text(3);
  a.size_bytes = q.int64(4);
  a.sha256 = q.text(5);
  a.reference = q.text(6);
  a.description = q.text(7);
  a.added_by = q.text(8);
  a.added_at = q.text(9);
  return a;
}

/// Column 10 holds the base64 text; a row that does not decode was changed outside the store.
void read_content(const Query& q, DeviationAttachment& a) {
  auto bytes = util::base64_decode(q.text(10));
  if (!bytes) throw std::runtime_error("attachment content is not base64");
  a.content = std::move(*bytes);
}

std::optional<DeviationAttachment> load_attachment(Connection& c, const std::string& id,
                                                   std::int64_t no) {
  Query q(c, "SELECT " + std::string(kColumns) +
                 ", content_base64 FROM deviation_attachments WHERE deviation_id = ?1 AND "
                 "attachment_no = ?2");
  q.with(id, no);
  if (!q.next()) return std::nullopt;
  auto a = read_attachment(q);
  read_content(q, a);
  return a;
}

}  // namespace

Result<DeviationAttachmentAdded> SqlStore::add_deviation_attachment(
    const std::string& deviation_id, const DeviationAttachment& in, const DeviationEvent& event,
    const std::string& idempotency_key, const std::string& request_sha256,
    const std::vector<OutboxMessage>& outbox) {
  if (in.kind != "file" && in.kind != "reference") {
    return internal_error("add_deviation_attachment: unknown kind " + in.kind);
  }
  return write<DeviationAttachmentAdded>(
      "add_deviation_attachment", [&](Connection& c) -> Result<DeviationAttachmentAdded> {
        std::int64_t revision = 0;
        {
          // The avvik's row lock orders concurrent additions: numbers and the history chain.
          Query q(c, "SELECT revision, status FROM deviations WHERE id = ?1" +
                         std::string(c.dialect().for_update));
          q.with(deviation_id);
          if (!q.next()) return deviation_not_found(deviation_id);
          revision = q.int64(0);
          // Checked again under the lock: an avvik closed meanwhile has had its export built
          // from what it had then, so nothing may be added that would never reach the archive.
          if (!is_open_status(q.text(1))) {
            return domain_error(ErrorKind::kConflict, "closed",
                                "Avviket er avsluttet. Vedlegg kan bare legges til mens det er "
                                "åpent; gjenåpne det først.",
                                {}, "attachment to closed avvik " + deviation_id);
          }
        }
        if (!idempotency_key.empty()) {
          std::int64_t seen = 0;
          {
            Query q(c,
                    "SELECT attachment_no, request_sha256 FROM deviation_attachments WHERE "
                    "deviation_id = ?1 AND added_by = ?2 AND idempotency_key = ?3");
            q.with(deviation_id, in.added_by, idempotency_key);
            if (q.next()) {
              if (q.text(1) != request_sha256) return idempotency_key_reused();
              seen = q.int64(0);
            }
          }
          if (seen > 0) {
            auto stored = load_attachment(c, deviation_id, seen);
            if (!stored) throw std::runtime_error("idempotent attachment vanished");
            return DeviationAttachmentAdded{std::move(*stored), true};
          }
        }
        std::int64_t no = 1;
        {
          Query q(c,
                  "SELECT COALESCE(MAX(attachment_no), 0) + 1 FROM deviation_attachments "
                  "WHERE deviation_id = ?1");
          q.with(deviation_id);
          if (q.next()) no = q.int64(0);
        }
        {
          Query q(c,
                  "INSERT INTO deviation_attachments (deviation_id, attachment_no, kind, "
                  "file_name, media_type, size_bytes, sha256, content_base64, reference, "
                  "description, added_by, added_at, idempotency_key, request_sha256) VALUES (" +
                      placeholders(14) + ")");
          q.with(deviation_id, no, in.kind, in.file_name, in.media_type, in.size_bytes, in.sha256,
                 util::base64_encode(in.content), in.reference, in.description, in.added_by,
                 in.added_at, idempotency_key,
                 idempotency_key.empty() ? std::string() : request_sha256)
              .run();
        }
        {
          Query q(c, "UPDATE deviations SET revision = ?2, updated_at = COALESCE(NULLIF(?3, ''), " +
                         std::string(c.dialect().now) + ") WHERE id = ?1");
          q.with(deviation_id, revision + 1, in.added_at).run();
        }
        append_events(c, deviation_id, {event});
        insert_outbox(c, outbox);
        auto stored = load_attachment(c, deviation_id, no);
        if (!stored) throw std::runtime_error("inserted attachment vanished");
        return DeviationAttachmentAdded{std::move(*stored), false};
      });
}

Result<std::vector<DeviationAttachment>> SqlStore::deviation_attachments(
    const std::string& deviation_id, bool with_content) {
  return read<std::vector<DeviationAttachment>>(
      "deviation_attachments", [&](Connection& c) -> Result<std::vector<DeviationAttachment>> {
        std::vector<DeviationAttachment> out;
        Query q(c, "SELECT " + std::string(kColumns) + (with_content ? ", content_base64" : "") +
                       " FROM deviation_attachments WHERE deviation_id = ?1 ORDER BY "
                       "attachment_no");
        q.with(deviation_id);
        while (q.next()) {
          auto a = read_attachment(q);
          if (with_content) read_content(q, a);
          out.push_back(std::move(a));
        }
        return out;
      });
}

Result<std::optional<DeviationAttachment>> SqlStore::deviation_attachment(
    const std::string& deviation_id, std::int64_t attachment_no) {
  return read<std::optional<DeviationAttachment>>(
      "deviation_attachment", [&](Connection& c) -> Result<std::optional<DeviationAttachment>> {
        return load_attachment(c, deviation_id, attachment_no);
      });
}

}  // namespace boligflyt::store::sql

// The outbox (messages to deliver later) and what the archive answered about exports.

#include <algorithm>
#include <string>

#include "store/sql/deviation_rows.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace boligflyt::store::sql {

Result<void> SqlStore::enqueue_outbox(const std::vector<OutboxMessage>& messages) {
  return write<void>("enqueue_outbox", [&](Connection& c) -> Result<void> {
    insert_outbox(c, messages);
    return {};
  });
}

Result<std::vector<OutboxMessage>> SqlStore::claim_outbox(const std::string& topic,
                                                          std::int64_t now_epoch, int lease_seconds,
                                                          int limit) {
  if (limit <= 0) return std::vector<OutboxMessage>{};
  return write<std::vector<OutboxMessage>>(
      "claim_outbox", [&](Connection& c) -> Result<std::vector<OutboxMessage>> {
        std::vector<OutboxMessage> out;
        {
          // With SKIP LOCKED (PostgreSQL), a message another node is claiming right now is
          // neither waited for nor handed out twice; once that node commits, its lease keeps
          // it from the others.
          Query q(c, std::string("SELECT ") + kOutboxColumns +
                         " FROM outbox WHERE topic = ?1 AND status = 'pending' AND "
                         "next_attempt_epoch <= ?2 ORDER BY next_attempt_epoch, id LIMIT ?3" +
                         std::string(c.dialect().skip_locked));
          q.with(topic, now_epoch, std::int64_t{std::min(limit, 1000)});
          while (q.next()) out.push_back(read_outbox(q));
        }
        const std::int64_t until = now_epoch + std::max(lease_seconds, 0);
        // The leases in a few statements rather than one round trip per message: chunks of
        // 64, 16, 4 or 1 ids, the last one repeated to fill a chunk, so that the statement
        // cache holds four texts whatever the batch size.
        for (std::size_t at = 0; at < out.size();) {
          const std::size_t left = out.size() - at;
          std::size_t size = 1;
          while (size < left && size < 64) size *= 4;
          const std::size_t take = std::min(left, size);
          Query q(c, "UPDATE outbox SET next_attempt_epoch = ?1 WHERE id IN (" +
                         placeholders(size) + ")");
          q.bind(1, until);
          for (std::size_t i = 0; i < size; ++i) {
            q.bind(static_cast<int>(i + 2), out[at + std::min(i, take - 1)].id);
          }
          q.run();
          at += take;
        }
        for (auto& message : out) message.next_attempt_epoch = until;
        return out;
      });
}

Result<void> SqlStore::finish_outbox(const OutboxMessage& message) {
  if (auto bad = check_outbox_status(message.status)) return *bad;
  return write<void>("finish_outbox", [&](Connection& c) -> Result<void> {
    if (!write_outbox_outcome(c, message)) return outbox_not_found(message.id);
    return {};
  });
}

Result<void> SqlStore::finish_outbox_batch(const std::vector<OutboxMessage>& messages) {
  for (const auto& message : messages) {
    if (auto bad = check_outbox_status(message.status)) return *bad;
  }
  if (messages.empty()) return {};
  return write<void>("finish_outbox_batch", [&](Connection& c) -> Result<void> {
    for (const auto& message : messages) write_outbox_outcome(c, message);
    return {};
  });
}

Result<std::vector<OutboxMessage>> SqlStore::list_outbox(const std::string& topic,
                                                         const std::string& status, int limit) {
  return read<std::vector<OutboxMessage>>(
      "list_outbox", [&](Connection& c) -> Result<std::vector<OutboxMessage>> {
        std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE 1 = 1";
        Params params;
        if (!topic.empty()) {
          sql += " AND topic = ?";
          params.add(topic);
        }
        if (!status.empty()) {
          sql += " AND status = ?";
          params.add(status);
        }
        sql += " ORDER BY id DESC LIMIT " + std::to_string(std::clamp(limit, 1, 500));
        Query q(c, sql);
        params.bind(q);
        std::vector<OutboxMessage> out;
        while (q.next()) out.push_back(read_outbox(q));
        return out;
      });
}

Result<OutboxCounts> SqlStore::outbox_counts(const std::string& topic) {
  return read<OutboxCounts>("outbox_counts", [&](Connection& c) -> Result<OutboxCounts> {
    Query q(c, topic.empty()
                   ? "SELECT status, count(*) FROM outbox GROUP BY status"
                   : "SELECT status, count(*) FROM outbox WHERE topic = ?1 GROUP BY status");
    if (!topic.empty()) q.bind(1, topic);
    OutboxCounts counts;
    while (q.next()) {
      const std::string s = q.text(0);
      if (s == "pending") counts.pending = q.int64(1);
      if (s == "delivered") counts.delivered = q.int64(1);
      if (s == "dead") counts.dead = q.int64(1);
    }
    return counts;
  });
}

Result<std::optional<OutboxMessage>> SqlStore::get_outbox(std::int64_t id) {
  return read<std::optional<OutboxMessage>>(
      "get_outbox", [&](Connection& c) -> Result<std::optional<OutboxMessage>> {
        Query q(c, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?1");
        q.with(id);
        if (!q.next()) return std::optional<OutboxMessage>{};
        return std::optional<OutboxMessage>{read_outbox(q)};
      });
}

Result<std::optional<OutboxMessage>> SqlStore::find_outbox(const std::string& dedupe_key) {
  return read<std::optional<OutboxMessage>>(
      "find_outbox", [&](Connection& c) -> Result<std::optional<OutboxMessage>> {
        Query q(c, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE dedupe_key = ?1");
        q.with(dedupe_key);
        if (!q.next()) return std::optional<OutboxMessage>{};
        return std::optional<OutboxMessage>{read_outbox(q)};
      });
}

Result<void> SqlStore::record_archive_receipt(const ArchiveReceiptRecord& receipt,
                                              const OutboxMessage& message) {
  if (auto bad = check_outbox_status(message.status)) return *bad;
  if (auto bad = check_receipt_outcome(receipt.outcome)) return *bad;
  return write<void>("record_archive_receipt", [&](Connection& c) -> Result<void> {
    // The message first (its row stays locked until the commit): when it is unknown, nothing
    // has been written yet, and the transaction (or savepoint) is rolled back all the same.
    if (!write_outbox_outcome(c, message)) return outbox_not_found(message.id);
    Query q(c, std::string("INSERT INTO archive_receipts (") + kArchiveReceiptColumns +
                   ", seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " +
                   std::string(c.dialect().next_receipt_seq) +
                   ") ON CONFLICT (export_key) DO UPDATE SET subject = excluded.subject, "
                   "outcome = excluded.outcome, system_id = excluded.system_id, "
                   "case_number = excluded.case_number, "
                   "journalpost_number = excluded.journalpost_number, "
                   "error_text = excluded.error_text, received_at = excluded.received_at, "
                   "seq = excluded.seq");
    q.with(receipt.export_key, receipt.subject, receipt.outcome, receipt.system_id,
           receipt.case_number, receipt.journalpost_number, receipt.error_text, receipt.received_at)
        .run();
    return {};
  });
}

Result<std::optional<ArchiveReceiptRecord>> SqlStore::archive_receipt(
    const std::string& export_key) {
  return read<std::optional<ArchiveReceiptRecord>>(
      "archive_receipt", [&](Connection& c) -> Result<std::optional<ArchiveReceiptRecord>> {
        Query q(c, std::string("SELECT ") + kArchiveReceiptColumns +
                       " FROM archive_receipts WHERE export_key = ?1");
        q.with(export_key);
        if (!q.next()) return std::optional<ArchiveReceiptRecord>{};
        return std::optional<ArchiveReceiptRecord>{read_archive_receipt(q)};
      });
}

Result<std::vector<ArchiveReceiptRecord>> SqlStore::archive_receipts(const std::string& subject) {
  return read<std::vector<ArchiveReceiptRecord>>(
      "archive_receipts", [&](Connection& c) -> Result<std::vector<ArchiveReceiptRecord>> {
        Query q(c, std::string("SELECT ") + kArchiveReceiptColumns +
                       " FROM archive_receipts WHERE subject = ?1 ORDER BY received_at, seq");
        q.with(subject);
        std::vector<ArchiveReceiptRecord> out;
        while (q.next()) out.push_back(read_archive_receipt(q));
        return out;
      });
}

}  // namespace boligflyt::store::sql

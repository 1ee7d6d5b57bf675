// Registering and changing an avvik: the units of work that write it with its children, its
// history chain and its outbox messages; and the pieces of those writes (deviation_rows.h).

#include <stdexcept>
#include <string>
#include <unordered_map>

#include "store/sql/deviation_rows.h"
#include "store/sql/deviation_tallies.h"
#include "store/sql/privacy_rows.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace boligflyt::store::sql {
namespace {

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

/// The messages of a new avvik with kAssignedDeviationId replaced by its id.
std::vector<OutboxMessage> naming(const std::vector<OutboxMessage>& messages,
                                  const std::string& id) {
  std::vector<OutboxMessage> out = messages;
  for (auto& m : out) {
    replace_all(m.dedupe_key, kAssignedDeviationId, id);
    replace_all(m.payload_json, kAssignedDeviationId, id);
  }
  return out;
}

}  // namespace

Result<DeviationCreated> SqlStore::create_deviation(const DeviationRecord& in,
                                                    const DeviationEvent& first_event,
                                                    const std::string& idempotency_key,
                                                    const std::string& request_sha256,
                                                    const std::vector<OutboxMessage>& outbox) {
  if (in.year <= 0) return internal_error("create_deviation: record.year is not set");
  return write<DeviationCreated>(
      "create_deviation", [&](Connection& c) -> Result<DeviationCreated> {
        if (!idempotency_key.empty()) {
          std::string seen;
          {
            Query q(c,
                    "SELECT id, request_sha256 FROM deviations WHERE reporter = ?1 AND "
                    "idempotency_key = ?2 AND idempotency_key <> ''");
            q.with(in.reporter, idempotency_key);
            if (q.next()) {
              if (q.text(1) != request_sha256) return idempotency_key_reused();
              seen = q.text(0);
            }
          }
          if (!seen.empty()) {
            auto stored = load_deviation(c, seen);
            if (!stored) throw std::runtime_error("idempotent avvik vanished");
            // A replay: nothing was written, the (empty) transaction just ends.
            return DeviationCreated{std::move(*stored), true};
          }
        }
        DeviationRecord record = in;
        {
          // The next number; the year's counter row stays locked until this commits, so numbers
          // are gapless and never given twice, whichever node asks.
          Query q(
              c,
              "INSERT INTO deviation_counters (year, last_number) VALUES (?1, 1) "
              "ON CONFLICT (year) DO UPDATE SET last_number = deviation_counters.last_number + 1 "
              "RETURNING last_number");
          q.with(std::int64_t{record.year});
          if (!q.next()) throw std::runtime_error("deviation counter returned no row");
          record.number = q.int64(0);
        }
        record.id = format_deviation_id(record.year, record.number);
        record.revision = 1;
        if (record.updated_at.empty()) record.updated_at = record.created_at;
        {
          Query q(c,
                  "INSERT INTO deviations (id, year, number, procedure_id, procedure_version, "
                  "step_id, incident_date, category, severity, title, description, "
                  "reporting_unit, reporter, responsible_unit, case_reference, personal_data, "
                  "status, created_at, created_epoch, updated_at, receive_due_epoch, "
                  "close_due_epoch, received_at, closed_at, closed_epoch, cause, evaluation, "
                  "rejection_reason, reopen_reason, resolved_in_version, linked_draft_version, "
                  "revision, idempotency_key, request_sha256, reporter_name) VALUES (" +
                      placeholders(35) +
                      ") ON CONFLICT (reporter, idempotency_key) WHERE idempotency_key <> '' "
                      "DO NOTHING RETURNING id");
          bind_deviation(q, record);
          q.bind(33, idempotency_key);
          q.bind(34, idempotency_key.empty() ? std::string() : request_sha256);
          q.bind(35, record.reporter_name);  // after bind_deviation's numbering
          // Another node inserted the same (reporter, key) and committed while this one waited
          // for it: start over, and answer as a replay (or a reuse) of that one. The rollback
          // gives the number back.
          if (!q.next()) throw RestartTransaction();
        }
        // From here on every statement runs while the year's counter row is locked (on
        // PostgreSQL: by every node), so the new avvik's writes leave out the round trips that
        // only an existing avvik needs (fresh: nothing to delete, no chain to continue).
        add_to_tallies(c, tally_key(record), +1);
        write_participants(c, record.id, record.participants, true);
        write_actions(c, record.id, record.actions, true);
        write_new_comments(c, record.id, record.comments);
        write_privacy_children(c, record);
        write_cause_codes(c, record.id, record.cause_codes, true);
        append_events(c, record.id, {first_event}, true);
        insert_outbox(c, naming(outbox, record.id));
        const bool wrote_children = !record.participants.empty() || !record.actions.empty() ||
                                    !record.comments.empty() || !record.cause_codes.empty() ||
                                    !record.escalations.empty() || record.discovered_epoch != 0;
        auto stored = load_deviation(c, record.id, wrote_children);
        if (!stored) throw std::runtime_error("inserted avvik vanished");
        return DeviationCreated{std::move(*stored), false};
      });
}

Result<DeviationRecord> SqlStore::update_deviation(const DeviationRecord& in,
                                                   std::int64_t expected_revision,
                                                   const std::vector<DeviationEvent>& events,
                                                   const std::vector<OutboxMessage>& outbox) {
  return write<DeviationRecord>("update_deviation", [&](Connection& c) -> Result<DeviationRecord> {
    DeviationRecord before;  // what the counts hold for it now (tally_key's columns)
    {
      // The row lock orders concurrent updates of one avvik, and with them its history chain.
      Query q(c,
              "SELECT revision, procedure_id, step_id, status, responsible_unit, reporting_unit, "
              "category, severity, incident_date, closed_epoch, created_epoch FROM deviations "
              "WHERE id = ?1" +
                  std::string(c.dialect().for_update));
      q.with(in.id);
      if (!q.next()) return deviation_not_found(in.id);
      if (q.int64(0) != expected_revision) return deviation_changed();
      before.procedure_id = q.text(1);
      before.step_id = q.text(2);
      before.status = q.text(3);
      before.responsible_unit = q.text(4);
      before.reporting_unit = q.text(5);
      before.category = q.text(6);
      before.severity = q.text(7);
      before.incident_date = q.text(8);
      before.closed_epoch = q.int64(9);
      before.created_epoch = q.int64(10);
    }
    DeviationRecord record = in;
    record.revision = expected_revision + 1;
    {
      // Fixed at registration, so not written: id, year, number, reporting_unit, reporter,
      // created_at, created_epoch (and the idempotency key).
      Query q(c,
              "UPDATE deviations SET procedure_id = ?4, procedure_version = ?5, "
              "step_id = ?6, incident_date = ?7, category = ?8, severity = ?9, "
              "title = ?10, description = ?11, responsible_unit = ?14, "
              "case_reference = ?15, personal_data = ?16, status = ?17, "
              "updated_at = COALESCE(NULLIF(?20, ''), " +
                  std::string(c.dialect().now) +
                  "), receive_due_epoch = ?21, close_due_epoch = ?22, received_at = ?23, "
                  "closed_at = ?24, closed_epoch = ?25, cause = ?26, evaluation = ?27, "
                  "rejection_reason = ?28, reopen_reason = ?29, resolved_in_version = ?30, "
                  "linked_draft_version = ?31, revision = ?32 "
                  "WHERE id = ?1 AND revision = ?33");
      bind_deviation(q, record);
      q.bind(33, expected_revision);
      q.run();
      if (q.changes() != 1) throw std::runtime_error("avvik revision moved");
    }
    {
      // Fixed at registration, not written above: the stored values count.
      DeviationRecord counted = record;
      counted.reporting_unit = before.reporting_unit;
      counted.created_epoch = before.created_epoch;
      move_in_tallies(c, tally_key(before), tally_key(counted));
    }
    write_participants(c, record.id, record.participants);
    write_actions(c, record.id, record.actions);
    write_new_comments(c, record.id, record.comments);
    write_privacy_children(c, record);
    write_cause_codes(c, record.id, record.cause_codes);
    append_events(c, record.id, events);
    insert_outbox(c, outbox);
    auto stored = load_deviation(c, record.id);
    if (!stored) throw std::runtime_error("updated avvik vanished");
    return std::move(*stored);
  });
}

std::optional<DeviationRecord> load_deviation(Connection& c, const std::string& id, bool children) {
  std::vector<DeviationRecord> items;
  {
    Query q(c, std::string("SELECT ") + kDeviationColumns + " FROM deviations d WHERE d.id = ?1");
    q.with(id);
    if (!q.next()) return std::nullopt;
    items.push_back(read_deviation(q));
  }
  if (children) load_children(c, items);
  return std::move(items.front());
}

void load_children(Connection& c, std::vector<DeviationRecord>& items) {
  if (items.empty()) return;
  std::unordered_map<std::string, DeviationRecord*> by_id;
  for (auto& item : items) by_id.emplace(item.id, &item);
  const std::string in = "(" + placeholders(items.size()) + ")";
  auto run = [&](const std::string& sql, const auto& read) {
    Query q(c, sql);
    int index = 1;
    for (const auto& item : items) q.bind(index++, item.id);
    while (q.next()) {
      const auto it = by_id.find(q.text(0));
      if (it != by_id.end()) read(q, *it->second);
    }
  };
  run("SELECT deviation_id, unit_id FROM deviation_participants WHERE deviation_id IN " + in +
          " ORDER BY deviation_id, position",
      [](const Query& q, DeviationRecord& r) { r.participants.push_back(q.text(1)); });
  run("SELECT deviation_id, action_no, owner_unit, description, due_date, done_date, "
      "created_by, created_at FROM deviation_actions WHERE deviation_id IN " +
          in + " ORDER BY deviation_id, action_no",
      [](const Query& q, DeviationRecord& r) {
        r.actions.push_back(
            {q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7)});
      });
  run("SELECT deviation_id, comment_no, author, text, created_at FROM deviation_comments "
      "WHERE deviation_id IN " +
          in + " ORDER BY deviation_id, comment_no",
      [](const Query& q, DeviationRecord& r) {
        r.comments.push_back({q.int64(1), q.text(2), q.text(3), q.text(4)});
      });
  load_privacy_children(c, items, in);
  run("SELECT deviation_id, code FROM deviation_cause_codes WHERE deviation_id IN " + in +
          " ORDER BY deviation_id, position",
      [](const Query& q, DeviationRecord& r) { r.cause_codes.push_back(q.text(1)); });
}

void write_participants(Connection& c, const std::string& id, const std::vector<std::string>& units,
                        bool fresh) {
  if (!fresh) Query(c, "DELETE FROM deviation_participants WHERE deviation_id = ?1").with(id).run();
  std::int64_t position = 0;
  for (const auto& unit : units) {
    Query q(c,
            "INSERT INTO deviation_participants (deviation_id, unit_id, position) "
            "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    q.with(id, unit, position++).run();
  }
}

void write_actions(Connection& c, const std::string& id,
                   const std::vector<DeviationAction>& actions, bool fresh) {
  if (!fresh) Query(c, "DELETE FROM deviation_actions WHERE deviation_id = ?1").with(id).run();
  for (const auto& a : actions) {
    Query q(c,
            "INSERT INTO deviation_actions (deviation_id, action_no, owner_unit, description, "
            "due_date, done_date, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    q.with(id, a.action_no, a.owner_unit, a.description, a.due_date, a.done_date, a.created_by,
           a.created_at)
        .run();
  }
}

void write_new_comments(Connection& c, const std::string& id,
                        const std::vector<DeviationComment>& comments) {
  for (const auto& comment : comments) {
    Query q(c,
            "INSERT INTO deviation_comments (deviation_id, comment_no, author, text, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
    q.with(id, comment.comment_no, comment.author, comment.text, comment.created_at).run();
  }
}

void append_events(Connection& c, const std::string& id, const std::vector<DeviationEvent>& events,
                   bool fresh) {
  if (events.empty()) return;
  std::int64_t seq = 0;
  std::string prev_hash(kGenesisHash);
  if (!fresh) {
    Query q(c,
            "SELECT seq, hash FROM deviation_events WHERE deviation_id = ?1 "
            "ORDER BY seq DESC LIMIT 1");
    q.with(id);
    if (q.next()) {
      seq = q.int64(0);
      prev_hash = q.text(1);
    }
  }
  for (const auto& in : events) {
    DeviationEvent event = in;
    event.seq = ++seq;
    event.prev_hash = prev_hash;
    event.hash = event_chain_hash(id, event);
    Query q(c,
            "INSERT INTO deviation_events (deviation_id, seq, at, actor, kind, data_json, "
            "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    q.with(id, event.seq, event.at, event.actor, event.kind, event.data_json, event.prev_hash,
           event.hash)
        .run();
    prev_hash = std::move(event.hash);
  }
}

void insert_outbox(Connection& c, const std::vector<OutboxMessage>& messages) {
  for (const auto& m : messages) {
    const std::string status = m.status.empty() ? "pending" : m.status;
    if (auto bad = check_outbox_status(status)) throw std::runtime_error(bad->log_message);
    Query q(c,
            "INSERT INTO outbox (topic, dedupe_key, payload_json, status, attempts, "
            "next_attempt_epoch, last_error, created_at, delivered_at) VALUES (?1, ?2, ?3, ?4, "
            "?5, ?6, ?7, COALESCE(NULLIF(?8, ''), " +
                std::string(c.dialect().now) + "), ?9) ON CONFLICT (dedupe_key) DO NOTHING");
    q.with(m.topic, m.dedupe_key, m.payload_json, status, std::int64_t{m.attempts},
           m.next_attempt_epoch, m.last_error, m.created_at, m.delivered_at)
        .run();
  }
}

bool write_outbox_outcome(Connection& c, const OutboxMessage& message) {
  Query q(c,
          "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_epoch = ?4, "
          "last_error = ?5, delivered_at = ?6 WHERE id = ?1");
  q.with(message.id, message.status, std::int64_t{message.attempts}, message.next_attempt_epoch,
         message.last_error, message.delivered_at)
      .run();
  return q.changes() == 1;
}

}  // namespace boligflyt::store::sql

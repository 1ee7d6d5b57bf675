#pragma once
// Reading and writing one avvik with its children, history and outbox messages inside a
// transaction: the pieces the avvik, outbox and receipt calls of SqlStore share.

#include <optional>
#include <string>
#include <vector>

#include "ports/store/records.h"
#include "store/sql/connection.h"
#include "store/sql/rows.h"

namespace boligflyt::store::sql {

/// `children` false: the caller knows the avvik has none (it inserted the row in this
/// transaction and wrote no child rows), so their seven queries are left out.
std::optional<DeviationRecord> load_deviation(Connection& c, const std::string& id,
                                              bool children = true);
/// The same avvik as load_deviation, with fewer statements (deviation_read_one.cpp); for reads.
std::optional<DeviationRecord> load_one_deviation(Connection& c, const std::string& id);
/// Participants, actions and comments of `items`: three queries for the whole page.
void load_children(Connection& c, std::vector<DeviationRecord>& items);
/// `fresh`: the avvik row was inserted in this transaction, so no child row can reference it
/// yet (foreign keys) and there is nothing to replace: the DELETE round trip is left out.
void write_participants(Connection& c, const std::string& id, const std::vector<std::string>& units,
                        bool fresh = false);
void write_actions(Connection& c, const std::string& id,
                   const std::vector<DeviationAction>& actions, bool fresh = false);
/// Comments are never changed: those already stored (by number) stay as they are.
void write_new_comments(Connection& c, const std::string& id,
                        const std::vector<DeviationComment>& comments);
/// Replaces the avvik's cause codes with `codes` (in that order).
void write_cause_codes(Connection& c, const std::string& id, const std::vector<std::string>& codes,
                       bool fresh = false);
/// Avvik per cause code among those matching `where` (FilterSql terms on the alias d).
std::vector<KeyCount> cause_code_counts(Connection& c, const std::string& where,
                                        const Params& params);
/// Appends `events` to the avvik's chain: seq and prev_hash continue from the last stored
/// event (or 1 and the genesis hash), hash = event_chain_hash. The caller holds the avvik's
/// row lock (or has just inserted it), so no other writer appends meanwhile. `fresh` (just
/// inserted): the chain is empty, so it starts at 1 without looking.
void append_events(Connection& c, const std::string& id, const std::vector<DeviationEvent>& events,
                   bool fresh = false);
/// Inserts messages; a dedupe key already stored (or earlier in `messages`) is skipped.
void insert_outbox(Connection& c, const std::vector<OutboxMessage>& messages);
/// The outcome of one delivery attempt (finish_outbox): status, attempts,
/// next_attempt_epoch, last_error and delivered_at of the message with `message.id`. False
/// when there is no such message.
bool write_outbox_outcome(Connection& c, const OutboxMessage& message);

}  // namespace boligflyt::store::sql

#pragma once
// The records the store port keeps: plain data, shared by every repository of the port.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boligflyt::store {

struct StoreInfo {
  std::string backend;          // "sqlite", "postgresql"
  std::string installation_id;  // random id created with the database, stable across restarts
  std::string created_at;       // ISO 8601 UTC
  int schema_version = 0;       // highest applied migration
};

/// A small per-user document with an optimistic-concurrency revision.
struct UserPreferences {
  std::string user_id;
  std::string json;           // JSON object text, validated by the API layer
  std::int64_t revision = 0;  // starts at 1, +1 per change; used as the ETag
  std::string updated_at;
};

/// One version of a procedure as the store keeps it. Published bytes never change.
struct ProcedureVersionRecord {
  std::string procedure_id;
  std::string version;  // "3.0"
  std::string status;   // draft | consultation | approved | published | superseded | retired
  std::string xml;
  std::string sha256;  // of xml
  std::string author;
  std::string created_at;
  std::string approver;
  std::string approved_at;
  std::string effective_from;
  std::string published_at;
  std::string consultation_deadline;
  std::string source;         // "shipped:<file>" or "api"
  std::int64_t revision = 0;  // optimistic concurrency; 1 after insert
};

struct ConsultationAnswer {
  std::string unit_id;
  std::string answer;  // "" (pending) | agree | disagree
  std::string comment;
  std::string answered_by;
  std::string answered_at;
};

struct ReadConfirmation {
  std::string user_id;
  std::string unit_id;
  std::string confirmed_at;
};

// Deviations (avvik) -------------------------------------------------------------------
// The avvik aggregate as the store keeps it. Rules (who may do what, which fields a status
// needs) live in deviation/; the store only keeps data consistent: gapless ids per year,
// optimistic concurrency, an append-only hash-chained history and the outbox, each write in
// one transaction that is durable before the call returns.

/// A corrective action (tiltak).
struct DeviationAction {
  std::int64_t action_no = 0;  // 1, 2, … within the avvik; assigned by the service
  std::string owner_unit;
  std::string description;
  std::string due_date;   // YYYY-MM-DD
  std::string done_date;  // YYYY-MM-DD, "" while not done
  std::string created_by;
  std::string created_at;  // ISO 8601 UTC
};

struct DeviationComment {
  std::int64_t comment_no = 0;  // 1, 2, … within the avvik; assigned by the service
  std::string author;
  std::string text;
  std::string created_at;
};

/// One entry of an avvik's history. `seq`, `prev_hash` and `hash` are assigned by the store
/// (hash = store::event_chain_hash(deviation id, event), prev_hash = the previous event's
/// hash, or 64 zeros for the first).
struct DeviationEvent {
  std::int64_t seq = 0;
  std::string at;         // ISO 8601 UTC
  std::string actor;      // user id
  std::string kind;       // registered, transition, comment, action_added, ...
  std::string data_json;  // JSON object: {"before":{…},"after":{…}} or similar
  std::string prev_hash;
  std::string hash;
};

/// The assessment of a personvernavvik (GDPR art. 33): the risk to the persons concerned and
/// whether, when and under which reference Datatilsynet was notified (or why not).
struct PrivacyAssessment {
  std::string risk;                 // lav | middels | hoy (deviation/privacy.h)
  bool notify_required = false;     // must Datatilsynet be notified?
  std::string notified_at;          // ISO 8601 UTC when notified; "" when not (yet)
  std::string reference;            // Datatilsynet's reference; "" when not notified
  std::string reason_not_notified;  // why no notification, when notify_required is false
  std::string assessed_by;          // user id
  std::string assessed_at;          // ISO 8601 UTC
  std::int64_t assessed_epoch = 0;
};

/// One escalation of a passed deadline to the parent unit's leaders and the quality leader.
/// (deadline, due_epoch) is unique per avvik: a deadline is escalated once.
struct DeviationEscalation {
  std::string deadline;  // receive | close | assessment
  std::int64_t due_epoch = 0;
  std::string escalated_at;  // ISO 8601 UTC
  std::string to_unit;       // the parent unit whose leaders were told ("" when none)
};

struct DeviationRecord {
  std::string id;           // AVVIK-2026-0001; assigned by create_deviation
  int year = 0;             // the id's year; set by the caller (year of created_at)
  std::int64_t number = 0;  // gapless per year; assigned by create_deviation
  std::string procedure_id;
  std::string procedure_version;  // in force on incident_date
  std::string step_id;
  std::string incident_date;  // YYYY-MM-DD
  std::string category;
  std::string severity;
  std::string title;
  std::string description;
  std::string reporting_unit;
  std::string reporter;  // user id
  std::string responsible_unit;
  std::string case_reference;  // saksnummer "2026/4185" or ""
  bool personal_data = false;
  std::string status;  // deviation::Status as text
  std::string created_at;
  std::int64_t created_epoch = 0;  // seconds since 1970, for deadlines and statistics
  std::string updated_at;
  std::int64_t receive_due_epoch = 0;  // deadline to receive (status registrert)
  std::int64_t close_due_epoch = 0;    // deadline to close
  std::string received_at;
  std::string closed_at;
  std::int64_t closed_epoch = 0;  // 0 while not closed
  std::string cause;
  std::string evaluation;
  std::string rejection_reason;
  std::string reopen_reason;
  std::string resolved_in_version;        // closed as resolved by this procedure version
  std::string linked_draft_version;       // a draft of procedure_id meant to fix it
  std::vector<std::string> participants;  // participating units (not the responsible one)
  std::vector<DeviationAction> actions;
  std::vector<DeviationComment> comments;
  std::int64_t revision = 0;  // 1 after insert, +1 per update; the ETag
  // Personvernavvik (category "personvernavvik", migration 8): when the breach was discovered
  // and the assessment deadline (72 hours later); both 0 for other avvik.
  std::int64_t discovered_epoch = 0;
  std::int64_t assessment_due_epoch = 0;
  std::optional<PrivacyAssessment> assessment;   // once recorded
  std::vector<DeviationEscalation> escalations;  // kept when stored; new ones added
  std::vector<std::string> cause_codes;          // chosen at closing, in the order given
  // The reporter's display name as the host gave it at registration (fixed, like reporter);
  // "" for avvik registered before migration 10.
  std::string reporter_name;
};

/// A message to deliver later (notification now, archive export later), written in the same
/// transaction as the change that causes it.
struct OutboxMessage {
  std::int64_t id = 0;     // assigned by the store
  std::string topic;       // "notification", ...
  std::string dedupe_key;  // unique: enqueueing an existing key does nothing
  std::string payload_json;
  std::string status = "pending";  // pending | delivered | dead
  int attempts = 0;
  std::int64_t next_attempt_epoch = 0;  // not before this time
  std::string last_error;               // for people and the API; never secrets
  std::string created_at;
  std::string delivered_at;
};

struct DeviationCreated {
  DeviationRecord record;
  bool replayed = false;  // the Idempotency-Key was seen before with the same request
};

struct DeviationQuery {
  // Filters; empty means "any".
  std::vector<std::string> statuses;
  std::string unit;  // responsible or participating unit
  std::string procedure_id;
  std::string procedure_version;
  std::string step_id;
  std::string category;
  std::string severity;
  std::string from_date;      // incident_date >= (YYYY-MM-DD)
  std::string to_date;        // incident_date <= (YYYY-MM-DD)
  bool overdue_only = false;  // open (not lukket/avvist) and a deadline before now_epoch:
                              // receive_due_epoch while registrert, close_due_epoch otherwise
  std::int64_t now_epoch = 0;
  // Visibility: unless see_all, only avvik the viewer reported, or whose responsible, a
  // participating or the reporting unit is one of viewer_units.
  bool see_all = true;
  std::string viewer;
  std::vector<std::string> viewer_units;
  // Order and keyset pagination.
  std::string sort = "created";  // created | updated | incident_date | severity | id
  bool descending = true;
  std::optional<std::string> after_sort_value;  // the last row's sort value …
  std::string after_id;                         // … and id (ties are ordered by id)
  int limit = 50;
  // Visibility, too: avvik of these categories are visible whatever their units (the
  // data-protection officer sees every personvernavvik).
  std::vector<std::string> viewer_categories;
};

struct DeviationPage {
  std::vector<DeviationRecord> items;  // with participants; actions and comments too
  bool more = false;
  std::string next_sort_value;  // for the next page's after_sort_value, when more
  std::string next_id;
};

struct StepCount {
  std::string procedure_id;
  std::string step_id;
  std::int64_t total = 0;
  std::int64_t open = 0;
};

struct KeyCount {
  std::string key;
  std::int64_t count = 0;
};

struct UnitPairCount {
  std::string reporting_unit;
  std::string responsible_unit;
  std::int64_t count = 0;
};

struct DeviationStatistics {
  std::int64_t total = 0;
  std::int64_t open = 0;
  std::int64_t closed = 0;
  std::int64_t rejected = 0;
  std::vector<StepCount> per_step;  // ordered by total desc, then step id
  std::vector<KeyCount> per_unit;   // responsible unit
  std::vector<KeyCount> per_category;
  std::vector<KeyCount> per_severity;
  std::vector<KeyCount> per_status;
  std::vector<KeyCount> per_month;                     // "YYYY-MM" of incident_date, ascending
  std::optional<std::int64_t> median_closure_seconds;  // closed_epoch - created_epoch
  std::int64_t overdue_deviations = 0;                 // as in DeviationQuery::overdue_only
  std::int64_t overdue_actions = 0;  // not done, due_date < Norway's date at now_epoch
  // Personvernavvik and their 72-hour assessment deadline.
  std::int64_t privacy_total = 0;
  std::int64_t privacy_assessed_in_time = 0;  // assessed at or before the deadline
  std::int64_t privacy_assessed_late = 0;
  std::int64_t privacy_open_overdue = 0;  // not assessed, deadline passed
  std::int64_t privacy_open_pending = 0;  // not assessed, deadline still ahead
  std::vector<KeyCount> per_cause_code;   // avvik per cause code (one avvik may have several)
  // Where units fail each other: the avvik a unit reported against a step another unit (or
  // the same) is responsible for; by count desc, then reporting, then responsible unit.
  std::vector<UnitPairCount> per_unit_pair;
};

/// What the archive answered about one export (an outbox message of topic "archive").
struct ArchiveReceiptRecord {
  std::string export_key;          // the outbox message's dedupe_key; unique
  std::string subject;             // "deviation:AVVIK-2026-0001" | "procedure:<id>:<version>"
  std::string outcome;             // "kvittering" | "feilmelding"
  std::string system_id;           // the archive's systemID of the journalpost (kvittering)
  std::string case_number;         // saksnummer "YYYY/N" (kvittering), may be ""
  std::string journalpost_number;  // "YYYY/N" (kvittering), may be ""
  std::string error_text;          // the archive's reason (feilmelding)
  std::string received_at;         // ISO 8601 UTC
};

struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t dead = 0;
};

/// An attachment of an avvik: a file (PDF, PNG or JPEG, checked by content) or a reference to
/// a journalpost already in the archive. Never changed once added.
struct DeviationAttachment {
  std::int64_t attachment_no = 0;  // 1, 2, … within the avvik; assigned by the store
  std::string kind;                // "file" | "reference"
  std::string file_name;           // file: as the user named it (shown, sent to the archive)
  std::string media_type;          // file: application/pdf | image/png | image/jpeg
  std::int64_t size_bytes = 0;     // file
  std::string sha256;              // file: hex SHA-256 of the bytes
  std::string content;             // file: the bytes; filled only where asked for
  std::string reference;           // reference: canonical "YYYY/N" or "YYYY/N-D"
  std::string description;         // optional, either kind
  std::string added_by;            // user id
  std::string added_at;            // ISO 8601 UTC
};

struct DeviationAttachmentAdded {
  DeviationAttachment attachment;
  bool replayed = false;  // the Idempotency-Key was seen before with the same request
};

/// Hex SHA-256 chaining an event to its predecessor: covers the deviation id, seq, at,
/// actor, kind, data_json and prev_hash (length-prefixed, so fields cannot be shifted).
std::string event_chain_hash(const std::string& deviation_id, const DeviationEvent& event);
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace boligflyt::store

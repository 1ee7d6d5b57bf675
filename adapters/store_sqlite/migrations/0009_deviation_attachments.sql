-- Attachments of an avvik: files (PDF, PNG, JPEG, checked by content before they get here)
-- and references to journalposts already in the archive. A file's bytes live in the row,
-- base64-encoded, so they are written in the same transaction as the history event that
-- records them and are in every backup of the database; the SQL layer binds text only, and
-- text is what both engines store alike. attachment_no runs 1, 2, … per avvik.

CREATE TABLE deviation_attachments (
  deviation_id TEXT NOT NULL REFERENCES deviations (id), attachment_no INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'reference')),
  file_name TEXT NOT NULL DEFAULT '', media_type TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0, sha256 TEXT NOT NULL DEFAULT '',
  content_base64 TEXT NOT NULL DEFAULT '', reference TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '', added_by TEXT NOT NULL, added_at TEXT NOT NULL,
  idempotency_key TEXT NOT NULL DEFAULT '', request_sha256 TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (deviation_id, attachment_no));
CREATE UNIQUE INDEX deviation_attachments_idempotency
    ON deviation_attachments (deviation_id, added_by, idempotency_key)
    WHERE idempotency_key <> '';

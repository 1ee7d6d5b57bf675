-- What the archive answered per export (outbox dedupe key). seq is the order in which
-- receipts were recorded (a replacement counts as recorded anew): the tie-breaker after
-- received_at, kept in a column of its own because VACUUM may renumber a plain rowid.

CREATE TABLE archive_receipts (
  export_key TEXT PRIMARY KEY, subject TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('kvittering', 'feilmelding')),
  system_id TEXT NOT NULL DEFAULT '', case_number TEXT NOT NULL DEFAULT '',
  journalpost_number TEXT NOT NULL DEFAULT '', error_text TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL UNIQUE);
CREATE INDEX archive_receipts_subject ON archive_receipts (subject, received_at, seq);

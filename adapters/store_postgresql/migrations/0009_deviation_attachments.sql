-- As the SQLite store's migration 9: attachments of an avvik (files, base64 in the row and
-- written with their history event; references to journalposts in the archive).

CREATE TABLE deviation_attachments (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  attachment_no BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('file', 'reference')),
  file_name TEXT NOT NULL DEFAULT '',
  media_type TEXT COLLATE "C" NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL DEFAULT 0,
  sha256 TEXT COLLATE "C" NOT NULL DEFAULT '',
  content_base64 TEXT COLLATE "C" NOT NULL DEFAULT '',
  reference TEXT COLLATE "C" NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  added_by TEXT COLLATE "C" NOT NULL,
  added_at TEXT COLLATE "C" NOT NULL,
  idempotency_key TEXT COLLATE "C" NOT NULL DEFAULT '',
  request_sha256 TEXT COLLATE "C" NOT NULL DEFAULT '',
  PRIMARY KEY (deviation_id, attachment_no));
CREATE UNIQUE INDEX deviation_attachments_idempotency
  ON deviation_attachments (deviation_id, added_by, idempotency_key)
  WHERE idempotency_key <> '';

-- Avvik. Scalar fields of DeviationRecord as columns; children in their own tables. Two
-- generated columns: severity_rank (the sort order of severity) and closure_seconds (how
-- long a lukket avvik took, NULL otherwise; its partial index yields the median by offset).
-- Indexes, checked with EXPLAIN QUERY PLAN on a million avvik:
-- * one per sort key, with id as the tie-breaker, so that a page is an index range;
-- * (column, id) for responsible unit and reporter, covering the id lists that the unit and
--   visibility filters are built from; participants by unit for the same;
-- * covering indexes for the GROUP BYs of the statistics (step with status, unit, category,
--   severity, incident date) and partial ones over the few open rows for "overdue".
-- The history is append-only and comments are never edited, whatever the code does (the
-- triggers at the end).

CREATE TABLE deviation_counters (
  year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL);
CREATE TABLE deviations (
  id TEXT PRIMARY KEY, year INTEGER NOT NULL, number INTEGER NOT NULL,
  procedure_id TEXT NOT NULL, procedure_version TEXT NOT NULL, step_id TEXT NOT NULL,
  incident_date TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,
  severity_rank INTEGER GENERATED ALWAYS AS (CASE severity WHEN 'lav' THEN 1
    WHEN 'middels' THEN 2 WHEN 'hoy' THEN 3 WHEN 'kritisk' THEN 4 ELSE 0 END) VIRTUAL,
  closure_seconds INTEGER GENERATED ALWAYS AS (CASE WHEN status = 'lukket' AND    closed_epoch > 0 THEN closed_epoch - created_epoch END) VIRTUAL,
  title TEXT NOT NULL, description TEXT NOT NULL, reporting_unit TEXT NOT NULL,
  reporter TEXT NOT NULL, responsible_unit TEXT NOT NULL,
  case_reference TEXT NOT NULL, personal_data INTEGER NOT NULL
    CHECK (personal_data IN (0, 1)), status TEXT NOT NULL,
  created_at TEXT NOT NULL, created_epoch INTEGER NOT NULL, updated_at TEXT NOT NULL,
  receive_due_epoch INTEGER NOT NULL, close_due_epoch INTEGER NOT NULL,
  received_at TEXT NOT NULL, closed_at TEXT NOT NULL, closed_epoch INTEGER NOT NULL,
  cause TEXT NOT NULL, evaluation TEXT NOT NULL, rejection_reason TEXT NOT NULL,
  reopen_reason TEXT NOT NULL, resolved_in_version TEXT NOT NULL,
  linked_draft_version TEXT NOT NULL,
  idempotency_key TEXT NOT NULL, request_sha256 TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  UNIQUE (year, number));
CREATE UNIQUE INDEX deviations_idempotency ON deviations (reporter, idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX deviations_created ON deviations (created_epoch, id);
CREATE INDEX deviations_updated ON deviations (updated_at, id);
CREATE INDEX deviations_incident ON deviations (incident_date, id);
CREATE INDEX deviations_severity_rank ON deviations (severity_rank, id);
CREATE INDEX deviations_status ON deviations (status);
CREATE INDEX deviations_unit ON deviations (responsible_unit, id);
CREATE INDEX deviations_step ON deviations (step_id, procedure_id, status);
CREATE INDEX deviations_category ON deviations (category);
CREATE INDEX deviations_severity ON deviations (severity);
CREATE INDEX deviations_reporter ON deviations (reporter, id);
CREATE INDEX deviations_receive_due ON deviations (receive_due_epoch)
    WHERE status = 'registrert';
CREATE INDEX deviations_close_due ON deviations (close_due_epoch)
    WHERE status NOT IN ('registrert', 'lukket', 'avvist');
CREATE INDEX deviations_closure ON deviations (closure_seconds)
    WHERE closure_seconds IS NOT NULL;
CREATE TABLE deviation_participants (
  deviation_id TEXT NOT NULL REFERENCES deviations (id), unit_id TEXT NOT NULL,
  position INTEGER NOT NULL, PRIMARY KEY (deviation_id, unit_id)) WITHOUT ROWID;
CREATE INDEX deviation_participants_unit ON deviation_participants (unit_id, deviation_id);
CREATE TABLE deviation_actions (
  deviation_id TEXT NOT NULL REFERENCES deviations (id), action_no INTEGER NOT NULL,
  owner_unit TEXT NOT NULL, description TEXT NOT NULL, due_date TEXT NOT NULL,
  done_date TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (deviation_id, action_no));
CREATE INDEX deviation_actions_open ON deviation_actions (done_date, due_date);
CREATE TABLE deviation_comments (
  deviation_id TEXT NOT NULL REFERENCES deviations (id), comment_no INTEGER NOT NULL,
  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (deviation_id, comment_no));
CREATE TABLE deviation_events (
  deviation_id TEXT NOT NULL REFERENCES deviations (id),
  seq INTEGER NOT NULL CHECK (seq >= 1), at TEXT NOT NULL, actor TEXT NOT NULL,
  kind TEXT NOT NULL, data_json TEXT NOT NULL, prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL, PRIMARY KEY (deviation_id, seq));
CREATE TRIGGER deviation_events_no_update BEFORE UPDATE ON deviation_events
BEGIN SELECT RAISE(ABORT, 'avvik history is append-only'); END;
CREATE TRIGGER deviation_events_no_delete BEFORE DELETE ON deviation_events
BEGIN SELECT RAISE(ABORT, 'avvik history is append-only'); END;
CREATE TRIGGER deviation_comments_no_update BEFORE UPDATE ON deviation_comments
BEGIN SELECT RAISE(ABORT, 'avvik comments cannot be changed'); END;

-- Avvik, as the SQLite store's migration 4: scalar fields of DeviationRecord as
-- columns, children in their own tables, one index per sort key (id breaks ties, so a
-- page is an index range), covering and partial indexes for the statistics.
-- Gapless numbers per year: the row is locked by the transaction that takes a
-- number until it commits (or rolls back, and the number is not used).
-- Two nodes retrying one request: the second insert waits for the first and then
-- finds its row (see create_deviation).
-- The history is append-only and comments are never edited, whatever the code does.

CREATE TABLE deviation_counters (
  year INTEGER PRIMARY KEY,
  last_number BIGINT NOT NULL);
CREATE TABLE deviations (
  id TEXT COLLATE "C" PRIMARY KEY,
  year INTEGER NOT NULL,
  number BIGINT NOT NULL,
  procedure_id TEXT COLLATE "C" NOT NULL,
  procedure_version TEXT COLLATE "C" NOT NULL,
  step_id TEXT COLLATE "C" NOT NULL,
  incident_date TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  severity TEXT COLLATE "C" NOT NULL,
  severity_rank INTEGER GENERATED ALWAYS AS (CASE severity WHEN 'lav' THEN 1
    WHEN 'middels' THEN 2 WHEN 'hoy' THEN 3 WHEN 'kritisk' THEN 4 ELSE 0 END)
    STORED,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  reporting_unit TEXT COLLATE "C" NOT NULL,
  reporter TEXT COLLATE "C" NOT NULL,
  responsible_unit TEXT COLLATE "C" NOT NULL,
  case_reference TEXT NOT NULL,
  personal_data BOOLEAN NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_epoch BIGINT NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  receive_due_epoch BIGINT NOT NULL,
  close_due_epoch BIGINT NOT NULL,
  received_at TEXT NOT NULL,
  closed_at TEXT NOT NULL,
  closed_epoch BIGINT NOT NULL,
  cause TEXT NOT NULL,
  evaluation TEXT NOT NULL,
  rejection_reason TEXT NOT NULL,
  reopen_reason TEXT NOT NULL,
  resolved_in_version TEXT NOT NULL,
  linked_draft_version TEXT NOT NULL,
  idempotency_key TEXT COLLATE "C" NOT NULL,
  request_sha256 TEXT NOT NULL,
  revision BIGINT NOT NULL CHECK (revision >= 1),
  UNIQUE (year, number));
CREATE UNIQUE INDEX deviations_idempotency ON deviations (reporter, idempotency_key)
  WHERE idempotency_key <> '';
CREATE INDEX deviations_created ON deviations (created_epoch, id);
CREATE INDEX deviations_updated ON deviations (updated_at, id);
CREATE INDEX deviations_incident ON deviations (incident_date, id);
CREATE INDEX deviations_severity_rank ON deviations (severity_rank, id);
CREATE INDEX deviations_status ON deviations (status, created_epoch, id);
CREATE INDEX deviations_unit ON deviations (responsible_unit, created_epoch, id);
CREATE INDEX deviations_step ON deviations (procedure_id, step_id, status);
CREATE INDEX deviations_category ON deviations (category);
CREATE INDEX deviations_severity ON deviations (severity);
CREATE INDEX deviations_reporter ON deviations (reporter);
CREATE INDEX deviations_receive_due ON deviations (receive_due_epoch)
  WHERE status = 'registrert';
CREATE INDEX deviations_close_due ON deviations (close_due_epoch)
  WHERE status NOT IN ('registrert', 'lukket', 'avvist');
CREATE INDEX deviations_closure ON deviations ((closed_epoch - created_epoch))
  WHERE status = 'lukket';
CREATE TABLE deviation_participants (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  unit_id TEXT COLLATE "C" NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (deviation_id, unit_id));
CREATE INDEX deviation_participants_unit ON deviation_participants
  (unit_id, deviation_id);
CREATE TABLE deviation_actions (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  action_no BIGINT NOT NULL,
  owner_unit TEXT NOT NULL,
  description TEXT NOT NULL,
  due_date TEXT COLLATE "C" NOT NULL,
  done_date TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (deviation_id, action_no));
CREATE INDEX deviation_actions_open ON deviation_actions (done_date, due_date);
CREATE TABLE deviation_comments (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  comment_no BIGINT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (deviation_id, comment_no));
CREATE TABLE deviation_events (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  data_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (deviation_id, seq));
CREATE FUNCTION deviation_events_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'avvik history is append-only'
      USING ERRCODE = 'integrity_constraint_violation';
  END
  $$;
CREATE TRIGGER deviation_events_no_update
  BEFORE UPDATE OR DELETE ON deviation_events
  FOR EACH ROW EXECUTE FUNCTION deviation_events_append_only();
CREATE TRIGGER deviation_events_no_truncate
  BEFORE TRUNCATE ON deviation_events
  FOR EACH STATEMENT EXECUTE FUNCTION deviation_events_append_only();
CREATE FUNCTION deviation_comments_unchangeable() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'avvik comments cannot be changed'
      USING ERRCODE = 'integrity_constraint_violation';
  END
  $$;
CREATE TRIGGER deviation_comments_no_update
  BEFORE UPDATE ON deviation_comments
  FOR EACH ROW EXECUTE FUNCTION deviation_comments_unchangeable();

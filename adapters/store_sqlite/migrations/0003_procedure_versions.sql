-- Procedure versions, their consultation and read confirmations. Published bytes are
-- immutable: the database itself refuses to change them (the trigger at the end).

CREATE TABLE procedure_versions (
  procedure_id TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL,
  xml TEXT NOT NULL, sha256 TEXT NOT NULL, author TEXT NOT NULL,
  created_at TEXT NOT NULL, approver TEXT NOT NULL DEFAULT '',
  approved_at TEXT NOT NULL DEFAULT '', effective_from TEXT NOT NULL DEFAULT '',
  published_at TEXT NOT NULL DEFAULT '',
  consultation_deadline TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,
  revision INTEGER NOT NULL, PRIMARY KEY (procedure_id, version));
CREATE TABLE procedure_consultations (
  procedure_id TEXT NOT NULL, version TEXT NOT NULL, unit_id TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
  answered_by TEXT NOT NULL DEFAULT '', answered_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (procedure_id, version, unit_id),
  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);
CREATE TABLE procedure_read_confirmations (
  procedure_id TEXT NOT NULL, version TEXT NOT NULL, user_id TEXT NOT NULL,
  unit_id TEXT NOT NULL, confirmed_at TEXT NOT NULL,
  PRIMARY KEY (procedure_id, version, user_id),
  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);
CREATE TRIGGER procedure_versions_immutable BEFORE UPDATE OF xml, sha256 ON procedure_versions WHEN OLD.status IN ('published','superseded','retired') AND (NEW.xml IS NOT OLD.xml OR NEW.sha256 IS NOT OLD.sha256)
BEGIN SELECT RAISE(ABORT, 'published procedure versions are immutable'); END;

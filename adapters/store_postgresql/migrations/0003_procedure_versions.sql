-- Published bytes are immutable: the database itself refuses to change them.

CREATE TABLE procedure_versions (
  procedure_id TEXT COLLATE "C" NOT NULL,
  version TEXT COLLATE "C" NOT NULL,
  status TEXT NOT NULL,
  xml TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  approver TEXT NOT NULL DEFAULT '',
  approved_at TEXT NOT NULL DEFAULT '',
  effective_from TEXT NOT NULL DEFAULT '',
  published_at TEXT NOT NULL DEFAULT '',
  consultation_deadline TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  revision BIGINT NOT NULL,
  PRIMARY KEY (procedure_id, version));
CREATE TABLE procedure_consultations (
  procedure_id TEXT COLLATE "C" NOT NULL,
  version TEXT COLLATE "C" NOT NULL,
  unit_id TEXT COLLATE "C" NOT NULL,
  answer TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  answered_by TEXT NOT NULL DEFAULT '',
  answered_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (procedure_id, version, unit_id),
  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);
CREATE TABLE procedure_read_confirmations (
  procedure_id TEXT COLLATE "C" NOT NULL,
  version TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  unit_id TEXT NOT NULL,
  confirmed_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (procedure_id, version, user_id),
  FOREIGN KEY (procedure_id, version) REFERENCES procedure_versions);
CREATE FUNCTION procedure_versions_immutable() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.status IN ('published', 'superseded', 'retired')
       AND (NEW.xml IS DISTINCT FROM OLD.xml
            OR NEW.sha256 IS DISTINCT FROM OLD.sha256) THEN
      RAISE EXCEPTION 'published procedure versions are immutable'
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END
  $$;
CREATE TRIGGER procedure_versions_immutable
  BEFORE UPDATE OF xml, sha256 ON procedure_versions
  FOR EACH ROW EXECUTE FUNCTION procedure_versions_immutable();

-- As the SQLite store's migration 8: personvernavvik (GDPR art. 33) with their discovery,
-- 72-hour assessment deadline and assessment; and one row per escalated deadline, whose
-- primary key makes an escalation happen once.

CREATE TABLE deviation_privacy (
  deviation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES deviations (id),
  discovered_epoch BIGINT NOT NULL,
  assessment_due_epoch BIGINT NOT NULL,
  assessed INTEGER NOT NULL CHECK (assessed IN (0, 1)),
  risk TEXT NOT NULL,
  notify_required INTEGER NOT NULL CHECK (notify_required IN (0, 1)),
  notified_at TEXT NOT NULL,
  reference TEXT NOT NULL,
  reason_not_notified TEXT NOT NULL,
  assessed_by TEXT NOT NULL,
  assessed_at TEXT NOT NULL,
  assessed_epoch BIGINT NOT NULL);
CREATE INDEX deviation_privacy_open ON deviation_privacy (assessment_due_epoch)
  WHERE assessed = 0;
CREATE TABLE deviation_escalations (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  deadline TEXT COLLATE "C" NOT NULL
    CHECK (deadline IN ('receive', 'close', 'assessment')),
  due_epoch BIGINT NOT NULL,
  escalated_at TEXT NOT NULL,
  to_unit TEXT NOT NULL,
  PRIMARY KEY (deviation_id, deadline, due_epoch));

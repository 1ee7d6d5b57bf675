-- Personvernavvik (GDPR art. 33) and escalation. A personvernavvik has one row in
-- deviation_privacy: when the breach was discovered, the assessment deadline (72 hours later)
-- and, once recorded, the assessment. Other avvik have none. Each escalated deadline is one row
-- of deviation_escalations; its primary key is what makes an escalation happen once.

CREATE TABLE deviation_privacy (
  deviation_id TEXT PRIMARY KEY REFERENCES deviations (id),
  discovered_epoch INTEGER NOT NULL, assessment_due_epoch INTEGER NOT NULL,
  assessed INTEGER NOT NULL CHECK (assessed IN (0, 1)),
  risk TEXT NOT NULL, notify_required INTEGER NOT NULL CHECK (notify_required IN (0, 1)),
  notified_at TEXT NOT NULL, reference TEXT NOT NULL, reason_not_notified TEXT NOT NULL,
  assessed_by TEXT NOT NULL, assessed_at TEXT NOT NULL, assessed_epoch INTEGER NOT NULL)
  WITHOUT ROWID;
CREATE INDEX deviation_privacy_open ON deviation_privacy (assessment_due_epoch)
    WHERE assessed = 0;
CREATE TABLE deviation_escalations (
  deviation_id TEXT NOT NULL REFERENCES deviations (id),
  deadline TEXT NOT NULL CHECK (deadline IN ('receive', 'close', 'assessment')),
  due_epoch INTEGER NOT NULL, escalated_at TEXT NOT NULL, to_unit TEXT NOT NULL,
  PRIMARY KEY (deviation_id, deadline, due_epoch)) WITHOUT ROWID;

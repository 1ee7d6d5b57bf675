CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE, payload_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL, next_attempt_epoch INTEGER NOT NULL,
  last_error TEXT NOT NULL, created_at TEXT NOT NULL,
  delivered_at TEXT NOT NULL);
CREATE INDEX outbox_due ON outbox (topic, status, next_attempt_epoch, id);
CREATE INDEX outbox_status ON outbox (status, id);

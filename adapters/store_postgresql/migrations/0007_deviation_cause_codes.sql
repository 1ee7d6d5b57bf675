-- As the SQLite store's migration 7: the cause codes chosen when an avvik is closed, in the
-- order chosen, counted per code by the statistics.

CREATE TABLE deviation_cause_codes (
  deviation_id TEXT COLLATE "C" NOT NULL REFERENCES deviations (id),
  code TEXT COLLATE "C" NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (deviation_id, code));
CREATE INDEX deviation_cause_codes_code ON deviation_cause_codes (code, deviation_id);

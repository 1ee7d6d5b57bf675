-- The cause codes chosen when an avvik is closed (one or more from the configured
-- catalogue), in the order chosen. A table of their own, like the participants, so that the
-- statistics count them with one GROUP BY over the code index; codes are kept as text so a
-- code later removed from the catalogue still counts as what was stored.

CREATE TABLE deviation_cause_codes (
  deviation_id TEXT NOT NULL REFERENCES deviations (id), code TEXT NOT NULL,
  position INTEGER NOT NULL, PRIMARY KEY (deviation_id, code)) WITHOUT ROWID;
CREATE INDEX deviation_cause_codes_code ON deviation_cause_codes (code, deviation_id);

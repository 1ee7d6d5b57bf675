-- Migrations are append only: one that has shipped is never edited; add a new one instead.
-- Versions and tables match the SQLite store's; text that is sorted or compared is
-- COLLATE "C", so orders are byte orders as in SQLite, whatever the database's locale.

CREATE TABLE installation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  installation_id TEXT NOT NULL,
  created_at TEXT NOT NULL);
INSERT INTO installation (id, installation_id, created_at) VALUES (1, replace(gen_random_uuid()::text, '-', ''), to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));

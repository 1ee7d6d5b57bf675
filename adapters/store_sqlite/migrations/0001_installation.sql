-- Migrations are append only: one that has shipped is never edited; add a new one instead.
-- One row: the installation's random id, created with the database.

CREATE TABLE installation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  installation_id TEXT NOT NULL,
  created_at TEXT NOT NULL);
INSERT INTO installation (id, installation_id, created_at)
    VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ','now'));

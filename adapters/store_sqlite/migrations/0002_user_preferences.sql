CREATE TABLE user_preferences (
  user_id TEXT PRIMARY KEY,
  json TEXT NOT NULL,
  revision INTEGER NOT NULL,
  updated_at TEXT NOT NULL);

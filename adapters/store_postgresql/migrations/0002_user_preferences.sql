CREATE TABLE user_preferences (
  user_id TEXT COLLATE "C" PRIMARY KEY,
  json TEXT NOT NULL,
  revision BIGINT NOT NULL,
  updated_at TEXT NOT NULL);

-- As the SQLite store's migration 10: the reporter's display name, fixed at registration,
-- and an index for the visibility of an avvik to the leaders of its reporting unit.
ALTER TABLE deviations ADD COLUMN reporter_name TEXT NOT NULL DEFAULT '';
CREATE INDEX deviations_reporting_unit ON deviations (reporting_unit, id);

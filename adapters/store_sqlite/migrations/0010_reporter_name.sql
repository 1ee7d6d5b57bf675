-- Every employee may report an avvik (issue 12): the reporter's display name as the host gave
-- it at registration, shown to the leaders who may see who reported. Fixed like reporter;
-- '' for avvik registered before this migration (the API then shows the user id).
-- Leaders of the reporting unit see its avvik: an index for that visibility term.
ALTER TABLE deviations ADD COLUMN reporter_name TEXT NOT NULL DEFAULT '';
CREATE INDEX deviations_reporting_unit ON deviations (reporting_unit, id);

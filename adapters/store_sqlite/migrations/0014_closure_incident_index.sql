-- Statistics over a date range (issue 14, goal 4): the median closure time is found by
-- walking the closure times of one six-hour bucket (deviation_tallies) and keeping those whose
-- incident date is in the range. With the incident date in the index that check needs no
-- look-up of the avvik's row (one year at a million avvik: 70 ms -> 2 ms). It replaces the
-- closure index it extends, so a closing writes one index entry, as before.
CREATE INDEX deviations_closure_incident ON deviations (closure_seconds, incident_date)
    WHERE closure_seconds IS NOT NULL;
DROP INDEX IF EXISTS deviations_closure;

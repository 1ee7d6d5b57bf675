-- Statistics over a date range (issue 14, goal 4): the median closure time is found by
-- walking the closure times of one six-hour bucket (deviation_tallies) and keeping those whose
-- incident date is in the range. With the incident date in the index that check needs no
-- look-up of the avvik's row (one year at a million avvik: 70 ms -> 2 ms). It replaces the
-- closure index it extends, so a closing writes one index entry, as before.
CREATE INDEX deviations_closure_incident ON deviations (closure_seconds, incident_date)
    WHERE closure_seconds IS NOT NULL;
DROP INDEX IF EXISTS deviations_closure;
-- The overdue count of a date range likewise: the two partial deadline indexes carry the
-- incident date, so that the count reads no avvik rows either (one year: 60 ms -> 1 ms).
DROP INDEX IF EXISTS deviations_receive_due;
CREATE INDEX deviations_receive_due ON deviations (receive_due_epoch, incident_date)
    WHERE status = 'registrert';
DROP INDEX IF EXISTS deviations_close_due;
CREATE INDEX deviations_close_due ON deviations (close_due_epoch, incident_date)
    WHERE status NOT IN ('registrert', 'lukket', 'avvist');
-- Overdue actions of a date range: the open-actions index carries the avvik, so that only the
-- avvik's row is read for its incident date, not the action's row as well.
DROP INDEX IF EXISTS deviation_actions_open;
CREATE INDEX deviation_actions_open ON deviation_actions (done_date, due_date, deviation_id);

-- Statistics over a date range (issue 14, goal 4): the median closure time is found by
-- walking the closure times of one six-hour bucket (deviation_tallies) and keeping those whose
-- incident date is in the range; with the incident date in the index, without reading the
-- avvik's row. The expression is the dialect's closure_seconds (pg_connection.cpp), so that
-- the planner matches it.
CREATE INDEX deviations_closure_incident ON deviations
    ((CASE WHEN status = 'lukket' AND closed_epoch > 0 THEN closed_epoch - created_epoch END),
     incident_date)
    WHERE (CASE WHEN status = 'lukket' AND closed_epoch > 0 THEN closed_epoch - created_epoch
           END) IS NOT NULL;
-- The overdue count of a date range likewise: the partial deadline indexes carry the incident
-- date.
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

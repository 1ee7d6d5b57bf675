-- Statistics at a million avvik (issue 14): counts per month of the incident date and per
-- dimension, kept up to date in the same transaction as every registration and change
-- (store/sql/deviation_tallies.cpp), so that the statistics over all avvik, or over whole
-- months, add up a few thousand rows instead of grouping the whole table six times.
-- dimension 'step': a = procedure_id, b = step_id, c = status; 'unit': a = responsible_unit;
-- 'category': a = category; 'severity': a = severity; 'pair': a = reporting_unit,
-- b = responsible_unit; 'closure': a = the closure time's bucket, floor(seconds / 21600) (six
-- hours), for avvik that have one, so that the median is looked for in one bucket only.
-- A count may fall to 0 and stay; readers leave those out.
CREATE TABLE deviation_tallies (
  month TEXT NOT NULL, dimension TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
  c TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (month, dimension, a, b, c)) WITHOUT ROWID;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'step', procedure_id, step_id, status, count(*)
  FROM deviations GROUP BY 1, 3, 4, 5;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'unit', responsible_unit, '', '', count(*)
  FROM deviations GROUP BY 1, 3;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'category', category, '', '', count(*)
  FROM deviations GROUP BY 1, 3;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'severity', severity, '', '', count(*)
  FROM deviations GROUP BY 1, 3;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'pair', reporting_unit, responsible_unit, '', count(*)
  FROM deviations GROUP BY 1, 3, 4;
INSERT INTO deviation_tallies (month, dimension, a, b, c, n)
  SELECT substr(incident_date, 1, 7), 'closure',
    CAST(CASE WHEN closure_seconds >= 0 THEN closure_seconds / 21600
         ELSE (closure_seconds - 21599) / 21600 END AS TEXT), '', '', count(*)
  FROM deviations WHERE closure_seconds IS NOT NULL GROUP BY 1, 3;

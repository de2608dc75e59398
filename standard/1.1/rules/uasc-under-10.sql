-- A UASC certainly younger than 10 when the UASC status began (or, if no start date is given, at
-- the end of the reporting period): a query, since unaccompanied children are rarely so young.
SELECT 'children' AS table_name, c.child_id AS row_id, 'birth_year_month' AS field,
       substr(CAST(c.birth_year_month AS VARCHAR), 1, 7) AS value
FROM children c, metadata m
WHERE c.uasc
  AND coalesce(c.uasc_start_date, m.period_end) < c.birth_year_month + INTERVAL '10 years'

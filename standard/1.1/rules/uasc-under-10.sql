-- A UASC certainly younger than the age the DfE expects when the UASC status began (or, if no start
-- date is given, at the end of the reporting period): a query, since unaccompanied children are
-- rarely so young. The age follows the DfE's SSDA903 rule 231 by collection year: 11 for periods
-- ending on or after 31 March 2025 (the 2024-25 collection onward), 10 before.
SELECT 'children' AS table_name, c.child_id AS row_id, 'birth_year_month' AS field,
       substr(CAST(c.birth_year_month AS VARCHAR), 1, 7) AS value, a.age
FROM children c, metadata m,
     LATERAL (SELECT CASE WHEN m.period_end >= DATE '2025-03-31' THEN 11 ELSE 10 END AS age) a
WHERE c.uasc
  AND coalesce(c.uasc_start_date, m.period_end) < c.birth_year_month + to_years(a.age)

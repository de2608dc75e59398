-- A closed episode lasted more than a year (a query: check the dates).
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_date' AS field, e.end_date AS value,
       (e.end_date - e.start_date) AS days
FROM missing_episodes e
WHERE e.end_date IS NOT NULL AND e.start_date IS NOT NULL
  AND e.end_date >= e.start_date
  AND (e.end_date - e.start_date) > 365

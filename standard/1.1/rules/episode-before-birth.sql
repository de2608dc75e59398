-- The episode started before the child was certainly born (before the first day of the birth month).
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'start_date' AS field, e.start_date AS value
FROM missing_episodes e
JOIN children c ON c.child_id = e.child_id
WHERE e.start_date < c.birth_year_month

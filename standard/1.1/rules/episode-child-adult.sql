-- The child was certainly 18 or over when the episode started. Only the month of birth is known,
-- so a child born in month M is certainly 18 from the first day of month M+1, 18 years on.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'start_date' AS field, e.start_date AS value
FROM missing_episodes e
JOIN children c ON c.child_id = e.child_id
WHERE e.start_date >= c.birth_year_month + INTERVAL '18 years' + INTERVAL '1 month'

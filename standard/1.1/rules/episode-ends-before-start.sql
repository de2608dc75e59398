-- A missing episode ends before it starts (on the same day: its end time is before its start time).
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_date' AS field, e.end_date AS value
FROM missing_episodes e
WHERE e.end_date < e.start_date
   OR (e.end_date = e.start_date AND e.end_time < e.start_time)

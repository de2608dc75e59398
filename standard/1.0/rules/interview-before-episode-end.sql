-- A return interview was offered or held before an episode it covers had ended (or while that
-- episode is still open).
SELECT DISTINCT 'return_interviews' AS table_name, r.interview_id AS row_id, d.field, d.value
FROM return_interviews r
JOIN interview_episodes l ON l.interview_id = r.interview_id
JOIN missing_episodes e ON e.episode_id = l.episode_id
CROSS JOIN LATERAL (VALUES ('offered_date', r.offered_date), ('completed_date', r.completed_date)) AS d(field, value)
WHERE d.value IS NOT NULL
  AND (e.end_date IS NULL OR d.value < e.end_date)

-- A return interview was offered or held before an episode it covers had ended (or while that
-- episode is still open).
SELECT DISTINCT 'return_interviews' AS table_name, r.interview_id AS row_id, 'offered_date' AS field,
       r.offered_date AS value
FROM return_interviews r
JOIN interview_episodes l ON l.interview_id = r.interview_id
JOIN missing_episodes e ON e.episode_id = l.episode_id
WHERE r.offered_date IS NOT NULL
  AND (e.end_date IS NULL OR r.offered_date < e.end_date)
UNION ALL
SELECT DISTINCT 'return_interviews' AS table_name, r.interview_id AS row_id, 'completed_date' AS field,
       r.completed_date AS value
FROM return_interviews r
JOIN interview_episodes l ON l.interview_id = r.interview_id
JOIN missing_episodes e ON e.episode_id = l.episode_id
WHERE r.completed_date IS NOT NULL
  AND (e.end_date IS NULL OR r.completed_date < e.end_date)

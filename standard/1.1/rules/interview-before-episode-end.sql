-- A return interview was offered or held before an episode it covers had ended (or while that
-- episode is still open): a date before the latest end of the episodes it covers.
WITH covered AS (
  SELECT l.interview_id, max(e.end_date) AS last_end, count(*) - count(e.end_date) AS still_open
  FROM interview_episodes l
  JOIN missing_episodes e ON e.episode_id = l.episode_id
  GROUP BY l.interview_id
)
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'offered_date' AS field, r.offered_date AS value
FROM return_interviews r JOIN covered c ON c.interview_id = r.interview_id
WHERE r.offered_date IS NOT NULL AND (c.still_open > 0 OR r.offered_date < c.last_end)
UNION ALL
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'completed_date' AS field, r.completed_date AS value
FROM return_interviews r JOIN covered c ON c.interview_id = r.interview_id
WHERE r.completed_date IS NOT NULL AND (c.still_open > 0 OR r.completed_date < c.last_end)

-- A return interview was offered or held before an episode it covers had ended (or while that
-- episode is still open): a date before the latest end of the episodes it covers.
WITH early AS (  -- for each episode an interview covers, the interview's dates that came before its end
  SELECT l.interview_id,
         CASE WHEN e.end_date IS NULL OR r.offered_date < e.end_date THEN r.offered_date END AS offered_date,
         CASE WHEN e.end_date IS NULL OR r.completed_date < e.end_date THEN r.completed_date END AS completed_date
  FROM interview_episodes l
  JOIN return_interviews r ON r.interview_id = l.interview_id
  JOIN missing_episodes e ON e.episode_id = l.episode_id
  WHERE e.end_date IS NULL OR r.offered_date < e.end_date OR r.completed_date < e.end_date
)
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'offered_date' AS field, r.offered_date AS value
FROM return_interviews r
WHERE EXISTS (SELECT 1 FROM early x WHERE x.interview_id = r.interview_id AND x.offered_date = r.offered_date)
UNION ALL
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'completed_date' AS field, r.completed_date AS value
FROM return_interviews r
WHERE EXISTS (SELECT 1 FROM early x WHERE x.interview_id = r.interview_id AND x.completed_date = r.completed_date)

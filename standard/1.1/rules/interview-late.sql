-- The interview took place more than 72 hours after the child returned: completed more than three
-- days after the latest end of the episodes it covers. Only dates are certain, so the interview is
-- late when completed on the fourth day or later.
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'completed_date' AS field,
       r.completed_date AS value, (r.completed_date - max(e.end_date)) AS days
FROM return_interviews r
JOIN interview_episodes l ON l.interview_id = r.interview_id
JOIN missing_episodes e ON e.episode_id = l.episode_id
WHERE r.completed_date IS NOT NULL
GROUP BY r.interview_id, r.completed_date
HAVING count(e.end_date) = count(*)
   AND (r.completed_date - max(e.end_date)) > 3

-- The interview took place more than 72 hours after the child's return from an episode it covers.
-- Each return is measured on its own: an interview covering several episodes is late when it is
-- late for any of them (the earliest return it covers), as return interviews within 72 hours are
-- counted per episode. Where the episode's end time and the interview's time are both recorded,
-- the 72 hours are measured exactly; otherwise only dates are certain, and the interview is late
-- when it took place on the fourth day after the return or later.
SELECT 'return_interviews' AS table_name, interview_id AS row_id, 'completed_date' AS field,
       completed_date AS value, completed_date - min(CASE WHEN late THEN end_date END) AS days
FROM (
  SELECT r.interview_id, r.completed_date, e.end_date,
         CASE WHEN e.end_time IS NOT NULL AND r.completed_time IS NOT NULL
              THEN r.completed_date + r.completed_time > e.end_date + e.end_time + INTERVAL '72 hours'
              ELSE r.completed_date - e.end_date > 3 END AS late
  FROM return_interviews r
  JOIN interview_episodes l ON l.interview_id = r.interview_id
  JOIN missing_episodes e ON e.episode_id = l.episode_id
  WHERE r.completed_date IS NOT NULL
) c
GROUP BY interview_id, completed_date
HAVING count(end_date) = count(*) AND count(CASE WHEN late THEN 1 END) > 0

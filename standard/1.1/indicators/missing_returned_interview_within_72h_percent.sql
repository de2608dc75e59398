-- missing_returned_interview_within_72h_percent: every episode counted in
-- missing_episodes_returned; value is true when the episode is linked (interview_episodes) to
-- a return interview that took place within 72 hours of that episode's end (each return
-- measured on its own, as the rule interview-late does). Where the episode's end time and the
-- interview's time are both recorded, the 72 hours are measured exactly; otherwise by dates:
-- on the end date or one of the 3 days after it. The indicator is the percentage of rows with
-- value true.
SELECT e.child_id,
       EXISTS (
         SELECT 1
         FROM interview_episodes AS ie
         JOIN return_interviews AS r ON r.interview_id = ie.interview_id
         WHERE ie.episode_id = e.episode_id
           AND CASE WHEN e.end_time IS NOT NULL AND r.completed_time IS NOT NULL
                    THEN r.completed_date + r.completed_time BETWEEN e.end_date + e.end_time
                         AND e.end_date + e.end_time + INTERVAL '72 hours'
                    ELSE r.completed_date - e.end_date BETWEEN 0 AND 3 END
       ) AS value
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end
  AND e.end_date IS NOT NULL
  AND e.end_reason IS DISTINCT FROM 'ceased_looked_after'

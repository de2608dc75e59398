-- missing_returned_interview_offered_percent: every episode counted in
-- missing_episodes_returned; value is true when the episode is linked (interview_episodes) to
-- a return interview that was offered (it has an offered date, or took place). The indicator
-- is the percentage of rows with value true.
SELECT e.child_id,
       e.episode_id IN (
         SELECT ie.episode_id
         FROM interview_episodes AS ie
         JOIN return_interviews AS r ON r.interview_id = ie.interview_id
         WHERE r.offered_date IS NOT NULL OR r.completed_date IS NOT NULL
       ) AS value
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end
  AND e.end_date IS NOT NULL
  AND e.end_reason IS DISTINCT FROM 'ceased_looked_after'

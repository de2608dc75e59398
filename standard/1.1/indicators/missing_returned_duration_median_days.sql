-- missing_returned_duration_median_days: the length in whole days (end date minus start date;
-- 0 for an episode that ended the day it started) of every episode counted in
-- missing_episodes_returned. One row per episode; the indicator is the median of value.
SELECT e.child_id, e.end_date - e.start_date AS value
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end
  AND e.end_date IS NOT NULL
  AND e.end_reason IS DISTINCT FROM 'ceased_looked_after'

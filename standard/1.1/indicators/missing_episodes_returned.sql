-- missing_episodes_returned: episodes of type missing from care, or not distinguished, that
-- started in the reporting period and ended with the child's return: they have an end date and
-- did not end by the child ceasing to be looked after while missing (end_reason
-- ceased_looked_after). One row per episode; event_date is the day the episode started.
SELECT e.child_id, e.start_date AS event_date
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end
  AND e.end_date IS NOT NULL
  AND e.end_reason IS DISTINCT FROM 'ceased_looked_after'

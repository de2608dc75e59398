-- missing_episodes: episodes of type missing from care, or not distinguished (counted as
-- missing), that started in the reporting period. One row per episode; event_date is the
-- day the episode started (for breakdowns by month).
SELECT e.child_id, e.start_date AS event_date
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end

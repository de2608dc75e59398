-- children_missing_at_period_end: children with an episode of type missing from care, or
-- not distinguished, that started on or before the last day of the reporting period and
-- has no end date or ends after it. One row per child.
SELECT DISTINCT e.child_id
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date <= m.period_end
  AND (e.end_date IS NULL OR e.end_date > m.period_end)

-- children_missing: children with at least one episode of type missing from care, or
-- not distinguished (counted as missing), that started in the reporting period.
-- One row per child.
SELECT DISTINCT e.child_id
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end

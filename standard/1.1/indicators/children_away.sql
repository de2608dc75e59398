-- children_away: children with at least one episode of type away from placement without
-- authorisation that started in the reporting period. One row per child.
SELECT DISTINCT e.child_id
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type = 'away'
  AND e.start_date BETWEEN m.period_start AND m.period_end

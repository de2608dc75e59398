-- children_missing_or_away: children with at least one episode of any type (missing from
-- care, away from placement without authorisation, or not distinguished) that started in the
-- reporting period; a child with episodes of both kinds is counted once. One row per child.
SELECT DISTINCT e.child_id
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.start_date BETWEEN m.period_start AND m.period_end

-- children_ceased_looked_after_while_missing: children who stopped being looked after while
-- still missing (the "never found"): an episode of type missing from care, or not
-- distinguished, that ended in the reporting period by the end of care (end_reason
-- ceased_looked_after), whenever it started. One row per child; event_date is the day the
-- first such episode ended.
SELECT e.child_id, min(e.end_date) AS event_date
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.end_reason = 'ceased_looked_after'
  AND e.end_date BETWEEN m.period_start AND m.period_end
GROUP BY e.child_id

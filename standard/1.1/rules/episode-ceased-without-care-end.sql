-- The episode ended because the child ceased to be looked after, but no placement of the child
-- ends that day with reason E8.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_reason' AS field, e.end_reason AS value
FROM missing_episodes e
WHERE e.end_reason = 'ceased_looked_after'
  AND NOT EXISTS (
    SELECT 1 FROM placements p
    WHERE p.child_id = e.child_id AND p.end_date = e.end_date AND p.end_reason = 'E8')

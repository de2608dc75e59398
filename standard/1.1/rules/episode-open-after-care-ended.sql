-- The episode is still open, but the child is no longer looked after: the child has placements,
-- and every one of them has ended.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_date' AS field, e.end_date AS value
FROM missing_episodes e
WHERE e.end_date IS NULL
  AND EXISTS (SELECT 1 FROM placements p WHERE p.child_id = e.child_id)
  AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.child_id = e.child_id AND p.end_date IS NULL)

-- The episode started on a day no placement of the child covers (a query: a UASC who goes missing
-- within 24 hours of arrival, before being placed, is still recorded).
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'start_date' AS field, e.start_date AS value
FROM missing_episodes e
LEFT JOIN placements p
  ON p.child_id = e.child_id
 AND p.start_date <= e.start_date
 AND (p.end_date IS NULL OR e.start_date <= p.end_date)
WHERE e.start_date IS NOT NULL
  AND p.child_id IS NULL  -- no placement of the child covers that day

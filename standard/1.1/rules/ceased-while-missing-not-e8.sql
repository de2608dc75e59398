-- The child stopped being looked after (a placement ended with a reason other than X1) while
-- missing, but the reason is not E8. "While missing": the episode began before the care ended and
-- ended after it, or is still open.
SELECT DISTINCT 'placements' AS table_name, p.placement_id AS row_id, 'end_reason' AS field, p.end_reason AS value
FROM placements p
JOIN missing_episodes e ON e.child_id = p.child_id
WHERE p.end_date IS NOT NULL
  AND p.end_reason IS NOT NULL AND p.end_reason NOT IN ('X1', 'E8')
  AND e.start_date < p.end_date
  AND (e.end_date IS NULL OR e.end_date > p.end_date)

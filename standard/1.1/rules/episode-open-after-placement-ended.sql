-- SSDA903 rule 575: the placement the child went missing from has ended, but the episode has no end
-- date, while the child is still looked after (another placement of the child is open). When all of
-- the child's placements have ended, the episode is reported as episode-open-after-care-ended.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_date' AS field, e.end_date AS value
FROM missing_episodes e
JOIN placements p ON p.placement_id = e.placement_id
WHERE e.end_date IS NULL
  AND p.end_date IS NOT NULL
  AND EXISTS (SELECT 1 FROM placements o WHERE o.child_id = e.child_id AND o.end_date IS NULL)

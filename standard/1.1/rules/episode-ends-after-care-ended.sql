-- SSDA903 rule 577, for an episode with an end date: the episode ran past the end of care. A
-- placement of the child ended during the episode (on or after its start, before its end) and no
-- placement of the child covers the day the episode ended: the child was no longer looked after.
-- An episode still open when care ended is reported as episode-open-after-care-ended.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_date' AS field, e.end_date AS value
FROM missing_episodes e
LEFT JOIN placements q  -- a placement of the child that covers the day the episode ended
  ON q.child_id = e.child_id AND q.start_date <= e.end_date AND (q.end_date IS NULL OR q.end_date >= e.end_date)
WHERE e.end_date IS NOT NULL
  AND q.child_id IS NULL
  AND EXISTS (
    SELECT 1 FROM placements p
    WHERE p.child_id = e.child_id AND p.end_date >= e.start_date AND p.end_date < e.end_date)

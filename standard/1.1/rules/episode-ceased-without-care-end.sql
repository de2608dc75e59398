-- The episode ended because the child ceased to be looked after, but no placement of the child
-- ends that day with a reason that ends care (any reason but X1, which begins a new episode the
-- same day). E8 is the reason when the child turned 18 while missing; E15, E3, E16 or E2 may also
-- end care while a child is missing.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_reason' AS field, e.end_reason AS value
FROM missing_episodes e
WHERE e.end_reason = 'ceased_looked_after'
  AND NOT EXISTS (
    SELECT 1 FROM placements p
    WHERE p.child_id = e.child_id AND p.end_date = e.end_date AND p.end_reason <> 'X1')

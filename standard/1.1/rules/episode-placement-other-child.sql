-- The episode names a placement (placement_id) that belongs to another child.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'placement_id' AS field, e.placement_id AS value
FROM missing_episodes e
JOIN placements p ON p.placement_id = e.placement_id
WHERE p.child_id <> e.child_id

-- A placement (episode of care) ends before it starts.
SELECT 'placements' AS table_name, p.placement_id AS row_id, 'end_date' AS field, p.end_date AS value
FROM placements p
WHERE p.end_date < p.start_date

-- A placement names the council care passed to (transfer_council), but the episode of care did not
-- end with reason E3 (care taken over by another local authority in the UK): it ended for another
-- reason, or has not ended.
SELECT 'placements' AS table_name, p.placement_id AS row_id, 'transfer_council' AS field,
       p.transfer_council AS value,
       CASE WHEN p.end_reason IS NULL THEN 'no reason care ended is given'
            ELSE 'the reason care ended is ' || p.end_reason END AS ended
FROM placements p
WHERE p.transfer_council IS NOT NULL
  AND p.end_reason IS DISTINCT FROM 'E3'

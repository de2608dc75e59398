-- The conclusive grounds decision came fewer than 30 days after the reasonable grounds decision
-- (a query: the recovery and reflection period is at least 30 days).
SELECT 'children' AS table_name, c.child_id AS row_id, 'nrm_conclusive_grounds_date' AS field,
       c.nrm_conclusive_grounds_date AS value,
       (c.nrm_conclusive_grounds_date - c.nrm_reasonable_grounds_date) AS days
FROM children c
WHERE c.nrm_conclusive_grounds_date >= c.nrm_reasonable_grounds_date
  AND (c.nrm_conclusive_grounds_date - c.nrm_reasonable_grounds_date) < 30

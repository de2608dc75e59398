-- The NRM conclusive grounds decision is dated before the reasonable grounds decision.
SELECT 'children' AS table_name, c.child_id AS row_id, 'nrm_conclusive_grounds_date' AS field,
       c.nrm_conclusive_grounds_date AS value
FROM children c
WHERE c.nrm_conclusive_grounds_date < c.nrm_reasonable_grounds_date

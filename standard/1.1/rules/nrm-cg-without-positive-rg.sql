-- A conclusive grounds decision (or its date) is recorded, but the reasonable grounds decision is
-- not positive: a conclusive grounds decision follows only a positive reasonable grounds decision.
SELECT 'children' AS table_name, c.child_id AS row_id,
       CASE WHEN c.nrm_conclusive_grounds_decision IS NOT NULL THEN 'nrm_conclusive_grounds_decision'
            ELSE 'nrm_conclusive_grounds_date' END AS field,
       coalesce(c.nrm_conclusive_grounds_decision, CAST(c.nrm_conclusive_grounds_date AS VARCHAR)) AS value
FROM children c
WHERE (c.nrm_conclusive_grounds_decision IS NOT NULL OR c.nrm_conclusive_grounds_date IS NOT NULL)
  AND c.nrm_reasonable_grounds_decision IS DISTINCT FROM 'positive'

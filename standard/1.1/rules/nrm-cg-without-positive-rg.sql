-- A conclusive grounds decision (or its date) is recorded, but the reasonable grounds decision is
-- not positive: a conclusive grounds decision follows only a positive reasonable grounds decision.
-- A row of nrm_referrals, or the children table's (deprecated) NRM fields (named with the prefix
-- nrm_) of a child with no row in nrm_referrals.
SELECT table_name, row_id,
       prefix || CASE WHEN cg_decision IS NOT NULL THEN 'conclusive_grounds_decision' ELSE 'conclusive_grounds_date' END
         AS field,
       coalesce(cg_decision, CAST(cg_date AS VARCHAR)) AS value
FROM (
  SELECT 'nrm_referrals' AS table_name, n.referral_id AS row_id, '' AS prefix, n.reasonable_grounds_decision AS rg,
         n.conclusive_grounds_decision AS cg_decision, n.conclusive_grounds_date AS cg_date
  FROM nrm_referrals n
  UNION ALL
  SELECT 'children', c.child_id, 'nrm_', c.nrm_reasonable_grounds_decision, c.nrm_conclusive_grounds_decision,
         c.nrm_conclusive_grounds_date
  FROM children c
  WHERE NOT EXISTS (SELECT 1 FROM nrm_referrals n WHERE n.child_id = c.child_id)
) d
WHERE (cg_decision IS NOT NULL OR cg_date IS NOT NULL)
  AND rg IS DISTINCT FROM 'positive'

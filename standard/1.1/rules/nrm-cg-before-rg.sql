-- The NRM conclusive grounds decision is dated before the reasonable grounds decision: a row of
-- nrm_referrals, or the children table's (deprecated) NRM fields of a child with no row in
-- nrm_referrals.
SELECT 'nrm_referrals' AS table_name, n.referral_id AS row_id, 'conclusive_grounds_date' AS field,
       n.conclusive_grounds_date AS value
FROM nrm_referrals n
WHERE n.conclusive_grounds_date < n.reasonable_grounds_date
UNION ALL
SELECT 'children' AS table_name, c.child_id AS row_id, 'nrm_conclusive_grounds_date' AS field,
       c.nrm_conclusive_grounds_date AS value
FROM children c
WHERE c.nrm_conclusive_grounds_date < c.nrm_reasonable_grounds_date
  AND NOT EXISTS (SELECT 1 FROM nrm_referrals n WHERE n.child_id = c.child_id)

-- A positive reasonable grounds decision (there are reasonable grounds to believe the child is a
-- victim of modern slavery) stands beside a trafficking concern of "none known": a row of
-- nrm_referrals, or the children table's (deprecated) NRM fields of a child with no row in
-- nrm_referrals.
SELECT 'nrm_referrals' AS table_name, n.referral_id AS row_id, 'reasonable_grounds_decision' AS field,
       n.reasonable_grounds_decision AS value
FROM nrm_referrals n
JOIN children c ON c.child_id = n.child_id
WHERE n.reasonable_grounds_decision = 'positive'
  AND c.trafficking_concern = 'none_known'
UNION ALL
SELECT 'children' AS table_name, c.child_id AS row_id, 'nrm_reasonable_grounds_decision' AS field,
       c.nrm_reasonable_grounds_decision AS value
FROM children c
WHERE c.nrm_reasonable_grounds_decision = 'positive'
  AND c.trafficking_concern = 'none_known'
  AND NOT EXISTS (SELECT 1 FROM nrm_referrals n WHERE n.child_id = c.child_id)

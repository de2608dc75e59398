-- An NRM referral is recorded (a row of nrm_referrals, or the children table's deprecated referral
-- date) while the child's trafficking concern is "none known".
SELECT 'children' AS table_name, c.child_id AS row_id, 'trafficking_concern' AS field,
       c.trafficking_concern AS value
FROM children c
WHERE c.trafficking_concern = 'none_known'
  AND (c.nrm_referral_date IS NOT NULL OR EXISTS (SELECT 1 FROM nrm_referrals n WHERE n.child_id = c.child_id))

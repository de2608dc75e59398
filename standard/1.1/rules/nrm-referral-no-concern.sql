-- An NRM referral is recorded while the trafficking concern is "none known".
SELECT 'children' AS table_name, c.child_id AS row_id, 'trafficking_concern' AS field,
       c.trafficking_concern AS value
FROM children c
WHERE c.nrm_referral_date IS NOT NULL
  AND c.trafficking_concern = 'none_known'

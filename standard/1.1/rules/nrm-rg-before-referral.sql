-- The NRM reasonable grounds decision is dated before the referral.
SELECT 'children' AS table_name, c.child_id AS row_id, 'nrm_reasonable_grounds_date' AS field,
       c.nrm_reasonable_grounds_date AS value
FROM children c
WHERE c.nrm_reasonable_grounds_date < c.nrm_referral_date

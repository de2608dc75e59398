-- children_nrm_referred: children looked after in the reporting period who had been
-- referred to the National Referral Mechanism on or before its last day. One row per child.
SELECT c.child_id
FROM children AS c
CROSS JOIN metadata AS m
WHERE c.nrm_referral_date <= m.period_end

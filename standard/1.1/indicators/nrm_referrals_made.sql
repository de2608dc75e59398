-- nrm_referrals_made: referrals to the National Referral Mechanism made in the reporting
-- period: every row of nrm_referrals with its referral date in the period, and, for a child
-- with no row in nrm_referrals, the children table's (deprecated) referral date if it is in
-- the period. One row per referral; event_date is the day it was made.
SELECT n.child_id, n.referral_date AS event_date
FROM nrm_referrals AS n
CROSS JOIN metadata AS m
WHERE n.referral_date BETWEEN m.period_start AND m.period_end
UNION ALL
SELECT c.child_id, c.nrm_referral_date AS event_date
FROM children AS c
CROSS JOIN metadata AS m
WHERE c.nrm_referral_date BETWEEN m.period_start AND m.period_end
  AND NOT EXISTS (SELECT 1 FROM nrm_referrals AS n WHERE n.child_id = c.child_id)

-- The conclusive grounds decision came before the end of the minimum recovery period that followed
-- the reasonable grounds decision (a query). The period in force at the reasonable grounds decision
-- applies: 45 days for decisions before 13 December 2022, 30 days from that day (the Minister's
-- statement to Parliament of 13 December 2022; section 60 of the Nationality and Borders Act 2022,
-- in force from 30 January 2023). A row of nrm_referrals, or the children table's (deprecated) NRM
-- fields of a child with no row in nrm_referrals.
SELECT table_name, row_id, field, value, value - rg AS days, period
FROM (
  SELECT table_name, row_id, field, value, rg, CASE WHEN rg < DATE '2022-12-13' THEN 45 ELSE 30 END AS period
  FROM (
    SELECT 'nrm_referrals' AS table_name, n.referral_id AS row_id, 'conclusive_grounds_date' AS field,
           n.conclusive_grounds_date AS value, n.reasonable_grounds_date AS rg
    FROM nrm_referrals n
    UNION ALL
    SELECT 'children', c.child_id, 'nrm_conclusive_grounds_date', c.nrm_conclusive_grounds_date,
           c.nrm_reasonable_grounds_date
    FROM children c
    WHERE NOT EXISTS (SELECT 1 FROM nrm_referrals n WHERE n.child_id = c.child_id)
  ) d
) d
WHERE value >= rg AND value - rg < period

-- SSDA903 rule 580: the child was missing when care ended on the 18th birthday, but the reason the
-- episode of care ended is not E8. A missing episode ends on the day the placement ends (and did not
-- end with the child's return: how it ended is empty, as in SSDA903 data, or "ceased to be looked
-- after"), that day may be the 18th birthday, and the reason is neither E8 nor X1 (X1: care goes on).
-- Only the month of birth is known, so the day may be the birthday when it falls in the birth month
-- 18 years on (or on 1 March for a child born in February of a leap year, who may be a 29 February
-- child): a query, since another day of that month may be right for another reason.
SELECT DISTINCT 'placements' AS table_name, p.placement_id AS row_id, 'end_reason' AS field, p.end_reason AS value
FROM placements p
JOIN missing_episodes e ON e.child_id = p.child_id
JOIN children c ON c.child_id = p.child_id
WHERE p.end_date IS NOT NULL
  AND p.end_reason IS NOT NULL AND p.end_reason NOT IN ('X1', 'E8')
  AND e.end_date = p.end_date
  AND (e.end_reason IS NULL OR e.end_reason = 'ceased_looked_after')
  AND p.end_date >= c.birth_year_month + INTERVAL '18 years'
  AND p.end_date < c.birth_year_month + INTERVAL '18 years' + INTERVAL '1 month'
      + CASE WHEN extract(month FROM c.birth_year_month + INTERVAL '28 days') = 2  -- February of a leap year
             THEN INTERVAL '1 day' ELSE INTERVAL '0 days' END

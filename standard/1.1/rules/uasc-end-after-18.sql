-- UASC status ended after the child's 18th birthday (SSDA903 rule 304). Only the month of birth is
-- known, so the latest possible 18th birthday is the last day of the birth month, 18 years on, and
-- any day from the first of the next month is certainly after it. A child born in February of a
-- leap year may be a 29 February child, whose 18th birthday (never in a leap year) is 1 March.
SELECT 'children' AS table_name, c.child_id AS row_id, 'uasc_end_date' AS field, c.uasc_end_date AS value
FROM children c
WHERE c.uasc_end_date >= c.birth_year_month + INTERVAL '18 years' + INTERVAL '1 month'
      + CASE WHEN extract(month FROM c.birth_year_month + INTERVAL '28 days') = 2  -- February of a leap year
             THEN INTERVAL '1 day' ELSE INTERVAL '0 days' END

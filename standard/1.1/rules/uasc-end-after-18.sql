-- UASC status ended after the child's 18th birthday. Only the month of birth is known, so the
-- latest possible 18th birthday is the last day of the birth month, 18 years on (1 March for a
-- child born on 29 February).
SELECT 'children' AS table_name, c.child_id AS row_id, 'uasc_end_date' AS field, c.uasc_end_date AS value
FROM children c
WHERE c.uasc_end_date > c.birth_year_month + INTERVAL '18 years' + INTERVAL '1 month'

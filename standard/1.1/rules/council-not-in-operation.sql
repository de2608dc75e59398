-- The council code was not in operation throughout the reporting period (for example Cumbria's
-- 909, which ended on 31 March 2023). Dates of operation come from the council codelist.
SELECT 'metadata' AS table_name, NULL AS row_id, 'old_la_code' AS field, m.old_la_code AS value,
       c.valid_from, coalesce(nullif(c.valid_to, ''), 'now') AS valid_to
FROM metadata m
JOIN codelist_council c ON c.old_la_code = m.old_la_code
WHERE m.period_start IS NOT NULL AND m.period_end IS NOT NULL
  AND ((c.valid_from <> '' AND CAST(c.valid_from AS DATE) > m.period_start)
    OR (c.valid_to <> '' AND CAST(c.valid_to AS DATE) < m.period_end))
  AND NOT EXISTS (  -- a code reused by a later council is fine if that council was in operation
    SELECT 1 FROM codelist_council o
    WHERE o.old_la_code = m.old_la_code
      AND (o.valid_from = '' OR CAST(o.valid_from AS DATE) <= m.period_start)
      AND (o.valid_to = '' OR CAST(o.valid_to AS DATE) >= m.period_end))

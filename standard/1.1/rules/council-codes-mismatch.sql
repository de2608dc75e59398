-- The DfE and ONS codes are not those of one council.
SELECT 'metadata' AS table_name, NULL AS row_id, 'new_la_code' AS field, m.new_la_code AS value
FROM metadata m
JOIN codelist_council c ON c.code = m.new_la_code
WHERE m.old_la_code IS NOT NULL
  AND EXISTS (SELECT 1 FROM codelist_council x WHERE x.old_la_code = m.old_la_code)  -- else codelist-value
  AND NOT EXISTS (SELECT 1 FROM codelist_council o WHERE o.code = m.new_la_code AND o.old_la_code = m.old_la_code)

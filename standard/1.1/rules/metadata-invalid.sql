-- The reporting period ends before it starts.
SELECT 'metadata' AS table_name, NULL AS row_id, 'period_end' AS field, m.period_end AS value,
       'the reporting period ends before it starts' AS reason
FROM metadata m
WHERE m.period_end < m.period_start

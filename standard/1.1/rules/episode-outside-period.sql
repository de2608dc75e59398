-- The episode lies wholly outside the reporting period: it started after the period ended, or it
-- ended before the period began.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'start_date' AS field, e.start_date AS value
FROM missing_episodes e, metadata m
WHERE m.period_start <= m.period_end  -- an inverted period is reported as metadata-invalid
  AND (e.start_date > m.period_end OR e.end_date < m.period_start)

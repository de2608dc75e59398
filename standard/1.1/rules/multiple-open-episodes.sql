-- A child has more than one open episode (no end date): every open episode after the first.
SELECT 'missing_episodes' AS table_name, episode_id AS row_id, 'end_date' AS field, CAST(NULL AS DATE) AS value
FROM (
  SELECT episode_id,
         row_number() OVER (PARTITION BY child_id ORDER BY start_date, episode_id) AS n
  FROM missing_episodes
  WHERE end_date IS NULL AND child_id IS NOT NULL
) e
WHERE n > 1

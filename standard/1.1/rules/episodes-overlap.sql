-- An episode starts before an earlier episode of the same child has ended. An episode may start
-- on the day the previous one ended. Two open episodes are reported as multiple-open-episodes.
SELECT 'missing_episodes' AS table_name, episode_id AS row_id, 'start_date' AS field, start_date AS value
FROM (
  SELECT episode_id, start_date, end_date,
         max(coalesce(end_date, DATE '9999-12-31')) OVER (
           PARTITION BY child_id ORDER BY start_date, episode_id
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end,
         count(*) FILTER (WHERE end_date IS NULL) OVER (
           PARTITION BY child_id ORDER BY start_date, episode_id
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_open
  FROM missing_episodes
  WHERE start_date IS NOT NULL
) e
WHERE start_date < previous_end
  AND NOT (end_date IS NULL AND previous_open > 0)

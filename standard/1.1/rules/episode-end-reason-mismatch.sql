-- How the episode ended does not agree with its end date: "still missing" with an end date, or an
-- ended episode's reason on an episode that has no end date.
SELECT 'missing_episodes' AS table_name, e.episode_id AS row_id, 'end_reason' AS field, e.end_reason AS value
FROM missing_episodes e
WHERE (e.end_reason = 'still_missing' AND e.end_date IS NOT NULL)
   OR (e.end_reason <> 'still_missing' AND e.end_date IS NULL)

-- away_episodes: episodes of type away from placement without authorisation that started
-- in the reporting period. One row per episode; event_date is the day it started.
SELECT e.child_id, e.start_date AS event_date
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type = 'away'
  AND e.start_date BETWEEN m.period_start AND m.period_end

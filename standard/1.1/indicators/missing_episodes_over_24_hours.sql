-- missing_episodes_over_24_hours: episodes of type missing from care, or not distinguished,
-- that started in the reporting period and lasted more than 24 hours. With a start and end
-- time, the hours between them; without both times, by dates: ended two or more days after
-- the day it started. An episode with no end date lasted more than 24 hours if it started
-- before the last day of the period (by the end of that day it had). One row per episode;
-- event_date is the day it started.
SELECT e.child_id, e.start_date AS event_date
FROM missing_episodes AS e
CROSS JOIN metadata AS m
WHERE e.episode_type IN ('missing', 'not_distinguished')
  AND e.start_date BETWEEN m.period_start AND m.period_end
  AND CASE WHEN e.end_date IS NULL THEN e.start_date < m.period_end
           WHEN e.start_time IS NOT NULL AND e.end_time IS NOT NULL
           THEN e.end_date + e.end_time > e.start_date + e.start_time + INTERVAL '24 hours'
           ELSE e.end_date - e.start_date >= 2 END

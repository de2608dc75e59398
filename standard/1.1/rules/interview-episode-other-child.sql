-- A return interview is linked (interview_episodes) to an episode of another child: the link's
-- episode belongs to a child other than the interview's.
SELECT 'interview_episodes' AS table_name, concat_ws('|', l.interview_id, l.episode_id) AS row_id,
       'episode_id' AS field, l.episode_id AS value
FROM interview_episodes l
JOIN return_interviews r ON r.interview_id = l.interview_id
JOIN missing_episodes e ON e.episode_id = l.episode_id
WHERE r.child_id <> e.child_id

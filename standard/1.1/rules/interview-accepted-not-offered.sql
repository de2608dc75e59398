-- A return interview was accepted or held, but it has no date it was offered.
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'offered_date' AS field,
       CAST(r.offered_date AS VARCHAR) AS value
FROM return_interviews r
WHERE r.offered_date IS NULL
  AND (r.accepted OR r.completed_date IS NOT NULL)

-- A return interview gives why the child declined it, but it was accepted or held: the reason is
-- recorded only for an interview offered and not accepted.
SELECT 'return_interviews' AS table_name, r.interview_id AS row_id, 'declined_reason' AS field,
       r.declined_reason AS value
FROM return_interviews r
WHERE r.declined_reason IS NOT NULL
  AND (r.accepted OR r.completed_date IS NOT NULL)

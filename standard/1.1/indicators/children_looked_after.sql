-- children_looked_after: every child looked after by the council at any time in the
-- reporting period. One row per child.
SELECT c.child_id
FROM children AS c

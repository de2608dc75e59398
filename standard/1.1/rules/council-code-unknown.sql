-- A council code of an English council (E06, E08, E09 or E10 and six digits: the form the field's
-- pattern allows) that is no council of the council codelist, in any field naming a council: where
-- the child came from through the National Transfer Scheme, where a placement is, where care passed
-- to on a transfer, where the child was found. Welsh, Scottish and Northern Irish codes (W06, S12,
-- N09) are not checked: the codelist holds England's councils only.
WITH codes AS (
    SELECT 'children' AS table_name, child_id AS row_id, 'nts_from_council' AS field, nts_from_council AS value
    FROM children
    UNION ALL
    SELECT 'placements', placement_id, 'placed_in_council', placed_in_council FROM placements
    UNION ALL
    SELECT 'placements', placement_id, 'transfer_council', transfer_council FROM placements
    UNION ALL
    SELECT 'missing_episodes', episode_id, 'found_council', found_council FROM missing_episodes
)
SELECT table_name, row_id, field, value
FROM codes
WHERE value SIMILAR TO 'E(0[689]|10)[0-9]{6}'
  AND value NOT IN (SELECT code FROM codelist_council)

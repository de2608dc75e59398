"""The indicators 1.1 adds or corrects, computed by their own SQL on a small submission built by hand.

Every expected figure below is worked out by hand from the rows (the comments show the working), not
taken from running the code. The figure of a count is its number of rows; of a percent, 100 x the rows
whose value is true over all rows; of a median, the median of the rows' values (unrounded here).
"""

from __future__ import annotations

import csv
import io
import statistics
from fractions import Fraction

import pytest

from mcds import engine
from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.rules import run_rule
from mcds.stats.config import indicators
from mcds.submission import Submission
from mcds.validation.cells import create_codelists

V = "1.1"
META = {"standard_version": V, "old_la_code": "886", "new_la_code": "E10000016", "period_start": "2025-04-01",
        "period_end": "2026-03-31", "software": "test", "created": "2026-05-01T09:00:00Z", "pseudonymised": "true"}


def ep(eid: str, child: str, kind: str, start: str, end: str | None, how: str | None,
       start_time: str | None = None, end_time: str | None = None) -> dict[str, str | None]:
    return {"episode_id": eid, "child_id": child, "episode_type": kind, "start_date": start, "start_time": start_time,
            "end_date": end, "end_time": end_time, "end_reason": how or "still_missing"}


# Episodes (period 1 April 2025 to 31 March 2026). "ret" = ended with the child's return.
EPISODES = [
    ep("A1", "A", "missing", "2025-05-01", "2025-05-02", "returned", "10:00:00", "09:00:00"),  # ret, 1 day, 23 h
    ep("A2", "A", "away", "2025-06-01", "2025-06-04", "returned"),  # away: only in children_missing_or_away
    ep("B1", "B", "missing", "2025-07-01", "2025-07-02", "found_by_police"),  # ret, 1 day, no times: not over 24 h
    ep("B2", "B", "not_distinguished", "2025-07-10", "2025-07-15", "returned", "20:00:00", "21:00:00"),  # ret, 5 days
    ep("C1", "C", "missing", "2025-10-01", "2025-12-01", "ceased_looked_after"),  # turned 18 while missing, 61 days
    ep("D1", "D", "missing", "2026-03-30", None, None),  # open, began before the last day: over 24 h
    ep("E1", "E", "missing", "2026-03-31", None, None, "08:00:00"),  # open, began on the last day: not over 24 h
    ep("F1", "F", "away", "2025-04-05", "2025-04-06", "returned"),
    ep("G1", "G", "missing", "2025-02-01", "2025-04-10", "ceased_looked_after"),  # began before the period
    ep("H1", "H", "missing", "2025-08-01", "2025-08-10", "found_by_others"),  # ret, 9 days
    ep("I1", "I", "missing", "2025-09-01", "2025-09-02", "returned", "10:00:00", "10:00:00"),  # ret, exactly 24 h
    ep("K1", "K", "missing", "2025-09-10", "2025-09-12", "returned"),  # ret, 2 days, no times: over 24 h by dates
]
INTERVIEWS = [
    # A1 ended 2 May 09:00; 5 May 11:00 is 74 hours later (3 days by dates alone)
    {"interview_id": "RA", "child_id": "A", "offered_date": "2025-05-02", "completed_date": "2025-05-05",
     "completed_time": "11:00:00"},
    # covers B1 (ended 2 July: 15 days before) and B2 (ended 15 July: 2 days before, no interview time)
    {"interview_id": "RB", "child_id": "B", "offered_date": "2025-07-16", "completed_date": "2025-07-17"},
    {"interview_id": "RC", "child_id": "C", "offered_date": "2025-12-02"},  # offered after C1, never held
]
LINKS = [("RA", "A1"), ("RB", "B1"), ("RB", "B2"), ("RC", "C1")]
CHILDREN = "ABCDEFGHIK"
# NRM: A referred before the period (children table only); B in the period (children table only); C twice in the
# period in nrm_referrals, the children table holding a copy of the second (not counted again); D before the period.
CHILD_NRM = {"A": "2024-12-01", "B": "2025-06-01", "C": "2025-11-01"}
REFERRALS = [("N1", "C", "2025-05-01"), ("N2", "C", "2025-11-01"), ("N3", "D", "2025-03-31")]


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    sub = Submission(dict(META))
    sub.tables["children"] = [{"child_id": c, "birth_year_month": "2008-01", "sex": "F", "uasc": "false",
                               "trafficking_concern": "suspected", "nrm_referral_date": CHILD_NRM.get(c)}
                              for c in CHILDREN]
    sub.tables["missing_episodes"] = EPISODES
    sub.tables["return_interviews"] = INTERVIEWS
    sub.tables["interview_episodes"] = [{"interview_id": i, "episode_id": e} for i, e in LINKS]
    sub.tables["nrm_referrals"] = [{"referral_id": r, "child_id": c, "referral_date": d} for r, c, d in REFERRALS]
    c = engine.load_submission(sub)
    yield c
    c.close()


def rows(con, ind_id: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    cur = con.execute(indicators(V)[ind_id].sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def percent(con, ind_id: str) -> Fraction:  # type: ignore[no-untyped-def]
    found = rows(con, ind_id)
    return Fraction(100 * sum(bool(r["value"]) for r in found), len(found))


COUNTS = {
    "missing_episodes": 9,  # A1 B1 B2 C1 D1 E1 H1 I1 K1 (not A2 F1: away; not G1: began before the period)
    "children_missing_or_away": 9,  # A B C D E F H I K: each once, G's episode began before the period
    "children_ceased_looked_after_while_missing": 2,  # C (ended 1 December), G (ended 10 April, began earlier)
    "missing_episodes_returned": 6,  # A1 B1 B2 H1 I1 K1: not C1 (ceased), not D1 E1 (open)
    "missing_episodes_over_24_hours": 5,  # B2 (25 h on), C1, D1 (open), H1, K1 (2 days); not A1 23 h, B1, E1, I1 24 h
    "children_missing_at_period_end": 2,  # D, E; C ceased to be looked after, so is not counted
    "nrm_referrals_made": 3,  # B (children table), N1 and N2 of C; not A (before), not N3 (before), not C's copy
}


@pytest.mark.parametrize(("ind_id", "expected"), COUNTS.items())
def test_counts(con, ind_id: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert indicators(V)[ind_id].unit == "count"
    assert len(rows(con, ind_id)) == expected


def test_children_are_counted_once(con) -> None:  # type: ignore[no-untyped-def]
    found = [r["child_id"] for r in rows(con, "children_missing_or_away")]
    assert sorted(found) == list("ABCDEFHIK")


def test_median_length_of_returned_episodes_leaves_out_those_never_found(con) -> None:  # type: ignore[no-untyped-def]
    # returned lengths 1 (A1), 1 (B1), 5 (B2), 9 (H1), 1 (I1), 2 (K1): sorted 1 1 1 2 5 9, median (1 + 2) / 2
    assert statistics.median(r["value"] for r in rows(con, "missing_returned_duration_median_days")) == 1.5
    # the deprecated 1.0 median also takes C1's 61 days: 1 1 1 2 5 9 61, median 2
    assert statistics.median(r["value"] for r in rows(con, "missing_duration_median_days")) == 2


def test_return_interview_percentages_are_over_returned_episodes(con) -> None:  # type: ignore[no-untyped-def]
    # offered: A1 (RA), B1 and B2 (RB) of the 6 returned; C1's offer is not a return's
    assert percent(con, "missing_returned_interview_offered_percent") == 50
    # 1.0's: 4 of 7 (C1 counted as ended, and offered)
    assert percent(con, "return_interview_offered_percent") == Fraction(400, 7)
    # within 72 hours: only B2 (RB 2 days after, no interview time). A1: 74 hours by the recorded times;
    # B1: 15 days. 1 of 6
    assert percent(con, "missing_returned_interview_within_72h_percent") == Fraction(100, 6)
    # 1.0's, by dates alone: A1 (3 days) and B2, of 7
    assert percent(con, "return_interview_within_72h_percent") == Fraction(200, 7)


def test_every_denominator_is_the_count_of_the_same_episodes(con) -> None:  # type: ignore[no-untyped-def]
    base = len(rows(con, "missing_episodes_returned"))
    for ind in indicators(V).values():
        if ind.denominator == "missing_episodes_returned":
            assert len(rows(con, ind.id)) == base, ind.id


def test_the_late_interview_rule_agrees_with_the_72_hour_indicator(con) -> None:  # type: ignore[no-untyped-def]
    create_codelists(con, std.load(V))
    late = {f.record_id: f.params["days"] for f in run_rule(con, std.load(V), catalogue(V)["interview-late"])}
    # RA is late for A1 (74 hours); RB for B1 (the earliest return it covers), though in time for B2
    # (days from the earliest return it is late for, by dates: 2 May to 5 May, 2 July to 17 July)
    assert late == {"RA": "3", "RB": "15"}
    within = {r["child_id"] for r in rows(con, "missing_returned_interview_within_72h_percent") if r["value"]}
    assert within == {"B"}  # B2 only


def test_corrected_indicators_deprecate_the_old() -> None:
    deprecated = {r["id"]: r["deprecated"] for r in csv.DictReader(io.StringIO(std.load(V).read_text("indicators.csv")))}
    assert deprecated["missing_duration_median_days"] == "1.1; use missing_returned_duration_median_days"
    assert deprecated["return_interview_offered_percent"] == "1.1; use missing_returned_interview_offered_percent"
    assert deprecated["return_interview_within_72h_percent"] == "1.1; use missing_returned_interview_within_72h_percent"
    for old, note in deprecated.items():
        if note:
            assert note.split("use ")[1] in deprecated, old

"""Disclosure control: primary and secondary suppression, rounding, and an independent checker
that tries every Total/Yes/No linear relation to recover a suppressed cell (its relations written
here, its rank checked against the definition by minors)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds.stats.compute import NO, TOTAL, YES, selections
from mcds.stats.config import disclosure_settings
from mcds.stats.disclosure import _rank, suppress
from mcds.stats.rounding import fmt, round_count, round_half_up

CFG = disclosure_settings()
LEVELS = (TOTAL, YES, NO)


def all_relations(nfilters: int) -> list[dict[tuple[str, ...], int]]:
    """Every relation Total = Yes + No along one filter, the others held at any level (written
    independently of the implementation's ``relations``)."""
    out = []
    for d in range(nfilters):
        for rest in itertools.product(LEVELS, repeat=nfilters - 1):
            cell = lambda level, rest=rest, d=d: (*rest[:d], level, *rest[d:])  # noqa: E731
            out.append({cell(TOTAL): 1, cell(YES): -1, cell(NO): -1})
    return out


def _det(m: list[list[Fraction]]) -> Fraction:
    """A determinant by Leibniz's formula: nothing in common with elimination."""
    total = Fraction(0)
    for perm in itertools.permutations(range(len(m))):
        inversions = sum(1 for i, j in itertools.combinations(range(len(perm)), 2) if perm[i] > perm[j])
        term = Fraction(-1 if inversions % 2 else 1)
        for row, col in enumerate(perm):
            term *= m[row][col]
        total += term
    return total


def _rank_by_minors(m: list[list[Fraction]]) -> int:
    """The rank as the size of the largest square minor that is not zero (small matrices only)."""
    ncols = len(m[0]) if m else 0
    for k in range(min(len(m), ncols), 0, -1):
        for rows in itertools.combinations(range(len(m)), k):
            for cols in itertools.combinations(range(ncols), k):
                if _det([[m[r][c] for c in cols] for r in rows]) != 0:
                    return k
    return 0


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(st.integers(-2, 2), min_size=n, max_size=n),
                                                     min_size=1, max_size=4)))
def test_rank_used_to_find_recoverable_cells_is_right(m: list[list[int]]) -> None:
    """The checker below finds recoverable cells with the implementation's own elimination
    (``_rank``); that elimination is checked here against the definition by minors."""
    rows = [[Fraction(v) for v in r] for r in m]
    assert _rank(rows) == _rank_by_minors(rows)


def recoverable(published: dict[tuple[str, ...], str], nfilters: int) -> set[tuple[str, ...]]:
    """Hidden cells (``c`` or ``x``) whose value follows from the published cells by any linear
    combination of the Total/Yes/No relations."""
    hidden = [s for s, v in published.items() if not v.isdigit()]
    if not hidden:
        return set()
    matrix = [[Fraction(rel.get(h, 0)) for h in hidden] for rel in all_relations(nfilters)]
    base = _rank(matrix)
    found = set()
    for i, h in enumerate(hidden):
        unit = [Fraction(int(i == j)) for j in range(len(hidden))]
        if _rank([*matrix, unit]) == base:
            found.add(h)
    return found


def publish_grid(grid: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], str]:
    hidden = suppress(grid, CFG)
    return {s: "c" if s in hidden else str(v) for s, v in grid.items()}


def grid_from_parts(parts: dict[tuple[bool, ...], int], nfilters: int) -> dict[tuple[str, ...], int]:
    """A consistent table (totals are sums) from counts of the base groups."""
    grid = {}
    for sel in selections(nfilters):
        grid[sel] = sum(n for base, n in parts.items()
                        if all(s == TOTAL or (s == YES) == b for s, b in zip(sel, base, strict=True)))
    return grid


parts_2 = st.fixed_dictionaries({base: st.integers(0, 40) | st.integers(0, 6)
                                 for base in itertools.product((True, False), repeat=2)})
parts_3 = st.fixed_dictionaries({base: st.integers(0, 30) | st.integers(0, 6)
                                 for base in itertools.product((True, False), repeat=3)})


# ---------------------------------------------------------------- the checker itself


def test_checker_finds_a_cell_recoverable_by_subtraction() -> None:
    grid = grid_from_parts({(True, True): 3, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    naive = {s: ("c" if s == (YES, YES) else str(v)) for s, v in grid.items()}
    assert recoverable(naive, 2) == {(YES, YES)}


def test_checker_finds_a_cell_recoverable_only_by_combining_relations() -> None:
    grid = grid_from_parts({(True, True): 3, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    # the Yes/Yes cell and its row and column partners hidden, but the No/No cell and all totals shown:
    # YY + YN = T_Y·, YY + NY = T_·Y, and NY + NN = T_N·, so YY follows from three relations together
    hidden = {(YES, YES), (YES, NO), (NO, YES)}
    published = {s: ("c" if s in hidden else str(v)) for s, v in grid.items()}
    assert (YES, YES) in recoverable(published, 2)


# ---------------------------------------------------------------- suppression


def test_with_two_filters_no_lone_hidden_cell_means_nothing_derivable() -> None:
    """Why ``suppress`` may skip the exact check for two filters: over every pattern of hidden
    cells, if no relation has exactly one hidden cell, no hidden cell can be derived."""
    from mcds.stats.disclosure import EXACT_UP_TO, derivable, relations

    assert EXACT_UP_TO == 2
    cells = selections(2)
    for mask in range(1, 2 ** len(cells)):
        hidden = {c for k, c in enumerate(cells) if mask >> k & 1}
        published = {c: ("c" if c in hidden else "1") for c in cells}
        if all(sum(c in hidden for c in rel) != 1 for rel in relations(2)):
            assert recoverable(published, 2) == set() == derivable(hidden, relations(2)), hidden
        else:
            assert derivable(hidden, relations(2)), hidden


def test_primary_suppression_hides_one_to_five_and_never_zero() -> None:
    grid = grid_from_parts({(True, True): 0, (True, False): 5, (False, True): 6, (False, False): 1}, 2)
    out = publish_grid(grid)
    assert out[YES, YES] == "0" and out[YES, NO] == "c" and out[NO, NO] == "c"
    assert all(v == "0" or v == "c" or int(v) > 5 for v in out.values())


def test_secondary_suppression_hides_the_smallest_partner() -> None:
    # Yes/Yes is 3; in its row the partner Yes/No (10) is smaller than the total (13)
    grid = grid_from_parts({(True, True): 3, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    out = publish_grid(grid)
    assert out[YES, YES] == "c" and out[YES, NO] == "c" and out[NO, YES] == "c"
    assert out[TOTAL, TOTAL] == "63"
    assert recoverable(out, 2) == set()


def test_no_suppression_when_nothing_is_small() -> None:
    grid = grid_from_parts({(True, True): 6, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    assert publish_grid(grid) == {s: str(v) for s, v in grid.items()}


def test_secondary_suppression_can_be_turned_off() -> None:
    cfg = CFG.model_copy(update={"secondary_suppression": False})
    grid = grid_from_parts({(True, True): 3, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    assert suppress(grid, cfg) == {(YES, YES)}


def test_not_collected_cells_count_as_hidden() -> None:
    # the uasc filter is not collected: its Yes and No rows are unknown, so a small cell in the
    # Total row needs only its Total-row partners hidden
    grid = grid_from_parts({(True, True): 3, (True, False): 10, (False, True): 20, (False, False): 30}, 2)
    shown: dict[tuple[str, ...], int | None] = {s: (None if s[0] != TOTAL else v) for s, v in grid.items()}
    shown[TOTAL, YES] = 4
    hidden = suppress(shown, CFG)
    assert (TOTAL, YES) in hidden and len(hidden & {(TOTAL, NO), (TOTAL, TOTAL)}) == 1


@settings(max_examples=250, deadline=None)
@given(parts_2)
def test_no_small_count_shown_and_nothing_recoverable_two_filters(parts: dict) -> None:
    grid = grid_from_parts(parts, 2)
    out = publish_grid(grid)
    for s, v in out.items():
        assert v == "c" or not CFG.is_small(int(v)), (s, v)
        if grid[s] == 0:
            assert v == "0", "true zeros are shown"
    assert recoverable(out, 2) == set(), out


@settings(max_examples=80, deadline=None)
@given(parts_3)
def test_no_small_count_shown_and_nothing_recoverable_three_filters(parts: dict) -> None:
    out = publish_grid(grid_from_parts(parts, 3))
    assert all(v == "c" or not CFG.is_small(int(v)) for v in out.values())
    assert recoverable(out, 3) == set()


@settings(max_examples=200, deadline=None)
@given(parts_2, st.integers(1, 9))
def test_any_threshold_protects(parts: dict, threshold: int) -> None:
    cfg = CFG.model_copy(update={"suppress_max": threshold})
    grid = grid_from_parts(parts, 2)
    hidden = suppress(grid, cfg)
    out = {s: ("c" if s in hidden else str(v)) for s, v in grid.items()}
    assert all(v == "c" or not 1 <= int(v) <= threshold for v in out.values())
    assert recoverable(out, 2) == set()


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (4, 0), (5, 10), (14, 10), (15, 20), (25, 30), (35, 40),
                                                 (45, 50), (1005, 1010), (994, 990)])
def test_counts_round_to_ten_halves_up(value: int, expected: int) -> None:
    assert round_count(value, 10) == expected


def test_halves_go_up_where_python_round_would_go_to_even() -> None:
    assert round(Fraction(5, 2)) == 2 and round(25, -1) == 20  # what must not happen
    assert round_half_up(Fraction(5, 2), 0) == Decimal(3)
    assert round_half_up(Fraction(1, 8) * 100, 0) == Decimal(13)  # 12.5%
    assert round_half_up(Fraction(5, 4), 1) == Decimal("1.3")
    assert round_half_up(Fraction(2, 3) * 100, 0) == Decimal(67)
    assert fmt(round_half_up(Fraction(7, 2), 1)) == "3.5" and fmt(round_half_up(3, 1)) == "3.0"


@given(st.integers(0, 10**6), st.integers(1, 10**4))
def test_round_half_up_matches_integer_arithmetic(num: int, den: int) -> None:
    expected = (2 * num * 100 + den) // (2 * den)  # floor(100·num/den + 1/2)
    assert round_half_up(Fraction(100 * num, den), 0) == Decimal(expected)


@given(st.integers(0, 10**7))
def test_round_count_matches_integer_arithmetic(value: int) -> None:
    assert round_count(value, 10) == (value + 5) // 10 * 10


# ---------------------------------------------------------------- properties of whole runs over random packages

import datetime as dt  # noqa: E402
import random  # noqa: E402

from mcds.stats import statistics  # noqa: E402
from mcds.stats.compute import Aggregator, compute  # noqa: E402
from mcds.stats.config import indicators  # noqa: E402
from mcds.stats.load import package_from_submission  # noqa: E402
from mcds.submission import Submission  # noqa: E402

PERIOD_START = dt.date(2024, 4, 1)
# councils in three regions, two of them in the same region (from the council codelist)
COUNCIL_CODES = ("E10000016", "E09000008", "E08000003", "E06000035")
CONCERNS = ("none_known", "suspected", "identified")
TYPES = ("missing", "away", "not_distinguished")

child_st = st.tuples(st.booleans(), st.sampled_from(CONCERNS), st.booleans(),
                     st.lists(st.tuples(st.sampled_from(TYPES), st.integers(-40, 400),
                                        st.none() | st.integers(0, 30),
                                        st.none() | st.tuples(st.none() | st.integers(0, 2), st.none() | st.integers(0, 6))),
                              max_size=4))
council_st = st.lists(child_st, max_size=24)


def build(code: str, children: list, only: set[int] | None = None) -> Submission:
    from mcds import standard as std

    c = std.load().codelist("council").by_code[code]
    sub = Submission({"standard_version": "1.0", "old_la_code": c.extra["old_la_code"], "new_la_code": code,
                      "period_start": "2024-04-01", "period_end": "2025-03-31", "software": "tests",
                      "created": "2025-05-01T09:00:00Z", "pseudonymised": "true"})
    day = lambda n: (PERIOD_START + dt.timedelta(days=n)).isoformat()  # noqa: E731
    for k, (uasc, concern, referred, episodes) in enumerate(children):
        if only is not None and k not in only:
            continue
        cid = f"{code}-{k}"
        sub.rows("children").append({"child_id": cid, "birth_year_month": "2009-01", "sex": "F",
                                     "uasc": "true" if uasc else "false", "trafficking_concern": concern,
                                     "nrm_referral_date": day(10) if referred and concern != "none_known" else None})
        for j, (kind, start, length, ri) in enumerate(episodes):
            eid = f"{cid}-e{j}"
            end = None if length is None else day(start + length)
            sub.rows("missing_episodes").append({"episode_id": eid, "child_id": cid, "episode_type": kind,
                                                 "start_date": day(start), "end_date": end})
            if ri is not None and end is not None:
                offered, held = ri
                sub.rows("return_interviews").append({
                    "interview_id": f"{eid}-r", "child_id": cid,
                    "offered_date": None if offered is None else day(start + length + offered),
                    "completed_date": None if held is None else day(start + length + held)})
                sub.rows("interview_episodes").append({"interview_id": f"{eid}-r", "episode_id": eid})
    return sub


def run_subs(subs: list[Submission], cfg=CFG):  # type: ignore[no-untyped-def]
    packages = [package_from_submission(s) for s in subs]
    try:
        return statistics(packages, cfg)
    finally:
        for p in packages:
            p.close()


def councils_of(subs: list[Submission]):  # type: ignore[no-untyped-def]
    packages = [package_from_submission(s) for s in subs]
    try:
        return compute(packages)
    finally:
        for p in packages:
            p.close()


runs = st.lists(council_st, min_size=1, max_size=len(COUNCIL_CODES))
COUNTS = [i for i in indicators().values() if i.is_count]


@settings(max_examples=15, deadline=None)
@given(runs)
def test_totals_equal_the_sum_of_their_parts_before_disclosure_control(data: list) -> None:
    subs = [build(code, kids) for code, kids in zip(COUNCIL_CODES, data, strict=False)]
    councils = councils_of(subs)
    agg = Aggregator()
    sels = selections(2)
    for ind in COUNTS:
        for area in [[c] for c in councils] + [councils]:
            value = {s: agg.stat(ind, area, s).value for s in sels}
            for rel in all_relations(2):
                assert sum(coef * value[cell] for cell, coef in rel.items()) == 0, (ind.id, rel)
        for s in sels:  # England is the sum of its councils
            assert agg.stat(ind, councils, s).value == sum(agg.stat(ind, [c], s).value for c in councils)


@settings(max_examples=12, deadline=None)
@given(runs, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order_or_package_order(data: list, rnd: random.Random) -> None:
    subs = [build(code, kids) for code, kids in zip(COUNCIL_CODES, data, strict=False)]
    before = run_subs(subs).rows
    for s in subs:
        for rows in s.tables.values():
            rnd.shuffle(rows)
    rnd.shuffle(subs)
    assert run_subs(subs).rows == before


@settings(max_examples=12, deadline=None)
@given(council_st, st.sets(st.integers(0, 23)))
def test_results_do_not_depend_on_how_a_council_is_split_across_files(kids: list, first: set[int]) -> None:
    whole = run_subs([build(COUNCIL_CODES[0], kids)]).rows
    rest = set(range(len(kids))) - first
    parts = [build(COUNCIL_CODES[0], kids, first & set(range(len(kids)))), build(COUNCIL_CODES[0], kids, rest)]
    assert run_subs(parts).rows == whole


@settings(max_examples=20, deadline=None)
@given(runs)
def test_published_council_rows_disclose_nothing(data: list) -> None:
    subs = [build(code, kids) for code, kids in zip(COUNCIL_CODES, data, strict=False)]
    result = run_subs(subs)
    inds = indicators()
    level = {"Total": TOTAL, "Yes": YES, "No": NO}
    las: dict[str, dict[tuple[str, ...], dict[str, str]]] = {}
    for r in result.rows:
        if r["geographic_level"] == "Local authority":
            las.setdefault(r["new_la_code"], {})[(level[r["uasc"]], level[r["trafficking_concern"]])] = r
    assert len(las) == len(subs)
    for rows in las.values():
        for ind in inds.values():
            cells = {sel: row[ind.id] for sel, row in rows.items()}
            if ind.is_count:
                assert all(v in ("c", "x") or not CFG.is_small(int(v)) for v in cells.values()), (ind.id, cells)
                assert recoverable(cells, 2) == set(), (ind.id, cells)
            for ref in (ind.numerator, ind.denominator):
                if ref:  # anything built on a suppressed count is suppressed
                    assert all(cells[sel] == "c" for sel, row in rows.items() if row[ref] == "c"), (ind.id, ref)
            if ind.unit == "days":
                assert all(v in ("c", "z", "x") or v.isdigit() for v in cells.values())

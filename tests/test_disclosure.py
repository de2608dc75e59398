"""Disclosure control: primary and secondary suppression, rounding, and an independent checker
that tries every Total/Yes/No linear relation to recover a suppressed cell."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds.stats.compute import NO, TOTAL, YES, selections
from mcds.stats.config import disclosure_settings
from mcds.stats.disclosure import suppress
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


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank, ncols = 0, len(rows[0]) if rows else 0
    for col in range(ncols):
        pivot = next((k for k in range(rank, len(rows)) if rows[k][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for k in range(len(rows)):
            if k != rank and rows[k][col] != 0:
                f = rows[k][col] / rows[rank][col]
                rows[k] = [a - f * b for a, b in zip(rows[k], rows[rank], strict=True)]
        rank += 1
    return rank


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


@settings(max_examples=400, deadline=None)
@given(parts_2)
def test_no_small_count_shown_and_nothing_recoverable_two_filters(parts: dict) -> None:
    grid = grid_from_parts(parts, 2)
    out = publish_grid(grid)
    for s, v in out.items():
        assert v == "c" or not CFG.is_small(int(v)), (s, v)
        if grid[s] == 0:
            assert v == "0", "true zeros are shown"
    assert recoverable(out, 2) == set(), out


@settings(max_examples=150, deadline=None)
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

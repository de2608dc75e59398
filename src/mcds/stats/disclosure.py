"""Statistical disclosure control of published figures (settings: ``disclosure.json``).

Council rows: counts from ``suppress_min`` to ``suppress_max`` are suppressed (primary); then,
for every relation ``Total = Yes + No`` along any filter with the other filters held at one
level, a relation with exactly one hidden cell gets its smallest non-zero visible cell
suppressed too (secondary), until no relation has exactly one hidden cell, and then
until no suppressed cell can be derived from the published ones by any linear combination of
the relations (the tests check it independently). True zeros are never suppressed.

National and regional counts are rounded to the nearest ``round_base``, halves up; a count
that rounds to zero but is not zero is shown as the rounds-to-zero symbol.

Every percentage, ratio or median is suppressed when a count it rests on (its numerator, its
denominator, or the number of rows it is over) is small, or, in council rows, when a published
count it is built on is suppressed; a median over fewer than ``median_minimum`` rows too.

With two filters, "no relation with exactly one hidden cell" is exactly the condition under which
no suppressed cell can be derived (checked over every pattern of hidden cells); with more filters
it is not, so :func:`suppress` finishes with an exact check by linear algebra.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from mcds.stats.compute import NO, TOTAL, YES, Aggregator, Council, Selection, Stat, selections
from mcds.stats.config import Disclosure, Indicator
from mcds.stats.rounding import fmt, round_count, round_half_up

__all__ = ["derivable", "publish_area", "publish_council", "relations", "suppress"]


# Up to this many filters, no relation with exactly one hidden cell implies that no hidden cell
# can be derived (the tests check every pattern of hidden cells), so the exact check is skipped.
EXACT_UP_TO = 2


@functools.cache
def relations(nfilters: int) -> tuple[tuple[Selection, Selection, Selection], ...]:
    """Every additive relation (Total, Yes, No) of a table with ``nfilters`` Total/Yes/No filters."""
    out = []
    for d in range(nfilters):
        for rest in itertools.product((TOTAL, YES, NO), repeat=nfilters - 1):
            cells = tuple((*rest[:d], level, *rest[d:]) for level in (TOTAL, YES, NO))
            out.append(cells)
    return tuple(out)  # type: ignore[arg-type]


def suppress(grid: Mapping[Selection, int | None], cfg: Disclosure, forced: Iterable[Selection] = ()) -> set[Selection]:
    """The cells of one council's table of one count to suppress (``None`` cells are not collected);
    ``forced``: cells the audit suppresses to protect others (never a zero)."""
    hidden = {s for s, v in grid.items() if v is None}
    supp = {s for s, v in grid.items() if v is not None and cfg.is_small(v)}
    supp |= {s for s in forced if grid.get(s)}
    if not cfg.secondary_suppression or not supp:
        return supp
    nfilters = len(next(iter(grid)))
    order = {s: n for n, s in enumerate(selections(nfilters))}
    rels = relations(nfilters)
    changed = True
    while changed:
        changed = False
        for rel in rels:
            unseen = [c for c in rel if c in supp or c in hidden]
            if len(unseen) != 1 or unseen[0] not in supp:
                continue
            candidates = [c for c in rel if c not in supp and c not in hidden and (grid[c] or 0) > 0]
            if not candidates:  # cannot happen: a suppressed cell is non-zero, so its relation has another
                msg = f"no complementary cell for {unseen[0]}"
                raise AssertionError(msg)
            supp.add(min(candidates, key=lambda c: (_too_tight(rel, unseen[0], c, grid, cfg), grid[c],
                                                    c.count(TOTAL), order[c])))
            changed = True
    # With two filters the loop above is enough (no suppressed cell can then be derived); with
    # more, a cell can follow from several relations together, so check with linear algebra and
    # hide more cells, fewest derivable and smallest first, until none can be worked out.
    while nfilters > EXACT_UP_TO and (stuck := derivable(supp | hidden, rels) & supp):
        candidates = [c for c in grid if c not in supp and c not in hidden and (grid[c] or 0) > 0]
        if not candidates:  # cannot happen: with every non-zero cell hidden, nothing is derivable
            msg = f"cannot protect {sorted(stuck)}"
            raise AssertionError(msg)
        supp.add(min(candidates, key=lambda c: (len(derivable(supp | hidden | {c}, rels) & (supp | {c})),
                                                grid[c], c.count(TOTAL), order[c])))
    return supp


def _too_tight(rel: tuple[Selection, ...], hidden: Selection, partner: Selection, grid: Mapping[Selection, int | None],
               cfg: Disclosure) -> bool:
    """Would hiding ``partner`` beside ``hidden`` leave them too tightly bound by their shown total?
    Both parts hidden under a shown total ``t`` are each from 1 to ``t - 1`` for an attacker who
    knows that a suppressed count is never 0: an interval ``t - 2`` wide, which must be at least
    the protection width."""
    total = rel[0]
    if total in (hidden, partner):
        return False
    return (grid[total] or 0) - 2 * cfg.suppress_min < cfg.width


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank = 0
    for col in range(len(rows[0]) if rows else 0):
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


def derivable(hidden: set[Selection], rels: Sequence[tuple[Selection, Selection, Selection]]) -> set[Selection]:
    """The hidden cells whose value follows from the visible ones through the relations
    (``Total - Yes - No = 0``), combined in any way."""
    cells = sorted(hidden)
    if not cells:
        return set()
    index = {c: k for k, c in enumerate(cells)}
    matrix = []
    for rel in rels:
        row = [Fraction(0)] * len(cells)
        for cell, coef in zip(rel, (1, -1, -1), strict=True):
            if cell in index:
                row[index[cell]] = Fraction(coef)
        if any(row):
            matrix.append(row)
    base = _rank(matrix)
    return {c for c in cells if _rank([*matrix, [Fraction(int(k == index[c])) for k in range(len(cells))]]) == base}


def _derived(ind: Indicator, st: Stat, cfg: Disclosure, built_on_suppressed: bool) -> str:
    sym = cfg.symbols
    if st.kind == "x":
        return sym.not_collected
    if built_on_suppressed or any(cfg.is_small(b) for b in st.bases) or \
            (ind.unit == "days" and 0 < st.units < cfg.median_minimum):
        return sym.suppressed
    if st.kind == "z":
        return sym.not_applicable
    assert st.value is not None
    return fmt(round_half_up(st.value, ind.decimal_places))


Forced = frozenset[tuple[Selection, str]]  # (selection, indicator id): figures the audit suppresses


def publish_council(agg: Aggregator, council: Council, cfg: Disclosure,
                    forced: Forced = frozenset()) -> dict[tuple[Selection, str], str]:
    """Every published value of one council: {(selection, indicator id): text}."""
    sels = selections(len(agg.pub.filters))
    stats = agg.council_stats(council)
    out: dict[tuple[Selection, str], str] = {}
    for i, ind in agg.inds.items():
        if not ind.is_count:
            continue
        grid = {sel: (None if stats[sel, i].kind == "x" else int(stats[sel, i].value or 0)) for sel in sels}
        hidden = suppress(grid, cfg, [sel for sel in sels if (sel, i) in forced])
        for sel in sels:
            v = grid[sel]
            out[sel, i] = cfg.symbols.not_collected if v is None else \
                cfg.symbols.suppressed if sel in hidden else str(v)
    for i, ind in agg.inds.items():
        if ind.is_count:
            continue
        related = [r for r in (ind.numerator, ind.denominator) if r]
        for sel in sels:
            on_suppressed = any(out[sel, r] == cfg.symbols.suppressed for r in related)
            out[sel, i] = _derived(ind, stats[sel, i], cfg, on_suppressed)
            if (sel, i) in forced and out[sel, i] != cfg.symbols.not_collected:
                out[sel, i] = cfg.symbols.suppressed
    return out


def publish_area(agg: Aggregator, area: Sequence[Council], cfg: Disclosure,
                 forced: Forced = frozenset()) -> dict[tuple[Selection, str], str]:
    """Every published value of a region or the country: counts rounded, the rest from unrounded figures."""
    out: dict[tuple[Selection, str], str] = {}
    for sel in selections(len(agg.pub.filters)):
        for i, ind in agg.inds.items():
            st = agg.stat(ind, area, sel)
            if (sel, i) in forced and st.kind != "x":
                out[sel, i] = cfg.symbols.suppressed
            elif ind.is_count:
                out[sel, i] = publish_rounded(st, cfg)
            else:
                out[sel, i] = _derived(ind, st, cfg, False)
    return out


def publish_rounded(st: Stat, cfg: Disclosure) -> str:
    if st.kind == "x":
        return cfg.symbols.not_collected
    v = int(st.value or 0)
    r = round_count(v, cfg.round_base)
    return cfg.symbols.rounds_to_zero if v > 0 and r == 0 else str(r)

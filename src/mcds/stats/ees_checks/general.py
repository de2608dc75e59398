"""Stages Check general (repeated rows, null symbols) and Check indicators."""

from __future__ import annotations

from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.geography import levels_present
from mcds.stats.ees_checks.registry import Finding, check


@check("ees-general-dupes")
def general_dupes(pair: Pair) -> Iterator[Finding]:
    wanted = set(lk.observational_units()) | set(pair.filters(groups=True))
    keys = [c for c in dict.fromkeys([*lk.observational_units(), *pair.filters(groups=True)])
            if c in wanted and c is not None and pair.data.has(c)]
    present = levels_present(pair)
    if len(present) == 1 and present[0] in ("School", "Provider"):
        excluded, note = ("Institution", "Planning area"), " (Institution and Planning area rows are not compared)"
    else:
        excluded = ("School", "Provider", "Institution", "Planning area")
        note = " (School, Provider, Institution and Planning area rows are not compared)"
    levels = pair.data.col("geographic_level")
    cols = [pair.data.col(c) for c in keys]
    seen: dict[tuple[str | None, ...], int] = {}
    for r in range(len(pair.data.rows)):
        if levels[r] in excluded:
            continue
        key = tuple(c[r] for c in cols)
        if key in seen:
            yield Finding(pair.data.at(r), None, {"first_row": seen[key] + 2, "note": note})
        else:
            seen[key] = r


def _symbols(pair: Pair, table: str, symbols: tuple[str, ...]) -> Iterator[Finding]:
    t = pair.data if table == "data" else pair.meta
    for c in dict.fromkeys(t.header):
        cells = t.col(c)
        for s in symbols:
            if s in cells:
                yield Finding(t.first(c, s), s)


@check("ees-general-null")
def general_null(pair: Pair) -> Iterator[Finding]:
    nulls = [*_symbols(pair, "data", lk.NULL_SYMBOLS), *_symbols(pair, "meta", lk.NULL_SYMBOLS)]
    if nulls:
        yield from nulls
        return
    for f in _symbols(pair, "data", lk.LEGACY_NO_DATA):
        yield Finding(f.location, f.value, code="ees-general-null-legacy")


@check("ees-ind-invalid-entry")
def ind_invalid_entry(pair: Pair) -> Iterator[Finding]:
    names = pair.meta.col("col_name")
    indicators = [names[r] for r in pair.meta_rows("Indicator")]
    bad = (*lk.LEGACY_SYMBOLS, "")  # a blank cell is missing, as DuckDB reads it, and so is not among them
    for c in dict.fromkeys(i for i in indicators if i is not None and pair.data.has(i)):
        cells = pair.data.col(c)
        found = next((v for v in cells if v in bad), None)
        if found is not None:
            yield Finding(pair.data.first(c, found), found)

"""Stages Precheck filters and Check filters: the filter columns' values."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.columns import n_distinct
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.registry import Finding, check

FILTER_ITEM_LIMIT = 25_000
TOTALS = ("Total", "total", "All", "all")


def _present(pair: Pair, names: list[str | None]) -> list[str]:
    return [n for n in dict.fromkeys(names) if n is not None and pair.data.has(n)]


@check("ees-filter-not-singular")
def filter_not_singular(pair: Pair) -> Iterator[Finding]:
    for f in _present(pair, pair.filters()):
        if n_distinct(pair, f) < 2:
            yield Finding(pair.data.at(None, f))


@check("ees-filter-defaults")
def filter_defaults(pair: Pair) -> Iterator[Finding]:
    names, defaults = pair.meta.col("col_name"), pair.meta.col("filter_default")
    wanted = {names[r]: defaults[r] or "Total" for r in pair.meta_rows("Filter")}
    for g in pair.filter_groups():
        if g not in names:
            wanted.setdefault(g, "Total")
    for column, default in wanted.items():
        if column is not None and pair.data.has(column) and default not in pair.data.col(column):
            yield Finding(pair.data.at(None, column), default)


@check("ees-filter-group-level")
def filter_group_level(pair: Pair) -> Iterator[Finding]:
    names, groups = pair.meta.col("col_name"), pair.meta.col("filter_grouping_column")
    for r in pair.meta_rows("Filter"):
        f, g = names[r], groups[r]
        if g and f and pair.data.has(f) and pair.data.has(g):
            nf, ng = n_distinct(pair, f), n_distinct(pair, g)
            if nf < ng:
                yield Finding(pair.data.at(None, f), g, {"group_levels": ng, "filter_levels": nf})


@check("ees-filter-item-limit")
def filter_item_limit(pair: Pair) -> Iterator[Finding]:
    for f in _present(pair, list(pair.cols_meta(groups=True, excl_indicators=True))):
        if (n := n_distinct(pair, f)) > FILTER_ITEM_LIMIT:
            yield Finding(pair.data.at(None, f), None, {"count": n, "limit": FILTER_ITEM_LIMIT})


@check("ees-filter-whitespace")
def filter_whitespace(pair: Pair) -> Iterator[Finding]:
    for f in _present(pair, pair.filters()):
        for (v,) in pair.data.distinct(f):
            if v is not None and v != v.strip():
                yield Finding(pair.data.first(f, v), v)


@check("ees-filter-ob-total")
def filter_ob_total(pair: Pair) -> Iterator[Finding]:
    header = pair.data.header
    units = [u for u in lk.observational_units() if u not in lk.SCHOOL_PROVIDER_NAMES]
    columns = list(dict.fromkeys([u for u in units if u in header] +
                                 [c for c in header if re.search(lk.OB_UNIT_PATTERN, c, re.IGNORECASE)]))
    filters, groups = pair.filters(), pair.filter_groups()
    if len(filters) == 1 and (filters[0] in lk.SCHOOL_PROVIDER_NAMES or (groups and groups[0] in lk.SCHOOL_PROVIDER_NAMES)):
        columns = [c for c in columns if c not in lk.SCHOOL_PROVIDER_NAMES]
    for c in columns:
        cells = pair.data.col(c)
        found = next((t for t in TOTALS if t in cells), None)
        if found is not None:
            yield Finding(pair.data.first(c, found), found)


@check("ees-filter-blanks")
def filter_blanks(pair: Pair) -> Iterator[Finding]:
    for f in _present(pair, pair.filters(groups=True)):
        cells = pair.data.col(f)
        if None in cells or "" in cells:
            yield Finding(pair.data.at(cells.index(None) if None in cells else cells.index(""), f))

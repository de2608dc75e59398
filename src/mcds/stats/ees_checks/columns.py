"""Stages Precheck columns, Precheck cross-file and Check columns: the columns each file has."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mcds.issues import Location
from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair, Table
from mcds.stats.ees_checks.registry import Finding, check

# characteristics that, written into an indicator's name, show the data is not tidy
SMUSHED = ("male", "female", "asian", "chinese", "indian", "pakistani", "bangladeshi", "black", "african", "caribbean",
           "white", "roma", "irish", "english", "british", "scottish", "welsh", "northern irish", "arab")
_SMUSHED = re.compile("|".join(SMUSHED), re.IGNORECASE)


def _required(table: Table, required: tuple[str, ...]) -> Iterator[Finding]:
    for c in required:
        if not table.has(c):
            yield Finding(Location(file=table.name, field=c))


@check("ees-col-req-meta")
def col_req_meta(pair: Pair) -> Iterator[Finding]:
    return _required(pair.meta, lk.REQ_META)


@check("ees-col-invalid-meta")
def col_invalid_meta(pair: Pair) -> Iterator[Finding]:
    for c in pair.meta.header:
        if c not in lk.REQ_META + lk.OPTIONAL_META:
            yield Finding(pair.meta.at(None, c), c)


@check("ees-col-req-data")
def col_req_data(pair: Pair) -> Iterator[Finding]:
    return _required(pair.data, lk.REQ_DATA)


@check("ees-col-to-rows")
def col_to_rows(pair: Pair) -> Iterator[Finding]:
    data_cols, meta_rows = len(pair.data.header) - 5, len(pair.meta.rows)
    if data_cols < meta_rows:
        yield Finding(Location(file=pair.meta.name), str(meta_rows), {"meta_rows": meta_rows, "data_cols": data_cols})


@check("ees-cross-meta-to-data")
def cross_meta_to_data(pair: Pair) -> Iterator[Finding]:
    names = pair.filters(groups=True)
    for r, name in enumerate(names):
        if not pair.data.has(name) and name not in names[:r]:
            yield Finding(Location(file=pair.meta.name, field=name), "NA" if name is None else name)


def n_distinct(pair: Pair, column: str) -> int:
    return len(set(pair.data.col(column)))


@check("ees-cross-data-to-meta")
def cross_data_to_meta(pair: Pair) -> Iterator[Finding]:
    described = set(pair.cols_meta(groups=True))
    for c in pair.data.header:
        if c not in lk.observational_units() and c not in described and n_distinct(pair, c) != 1:
            yield Finding(pair.data.at(None, c), c)


@check("ees-col-names-spaces")
def col_names_spaces(pair: Pair) -> Iterator[Finding]:
    for c in pair.data.header:
        if re.search(r"\s", c):
            yield Finding(pair.data.at(None, c), c)


@check("ees-col-snake-case")
def col_snake_case(pair: Pair) -> Iterator[Finding]:
    seen: set[str] = set()
    for c in pair.data.header:
        for ch in re.sub(r"[a-z0-9_]", "", c):
            if ch not in seen:
                seen.add(ch)
                yield Finding(pair.data.at(None, c), ch)


@check("ees-col-var-start")
def col_var_start(pair: Pair) -> Iterator[Finding]:
    for c in pair.data.header:
        if not re.match(r"[a-z]", c):
            yield Finding(pair.data.at(None, c), c)


@check("ees-col-ind-smushed")
def col_ind_smushed(pair: Pair) -> Iterator[Finding]:
    names = pair.meta.col("col_name")
    for r in pair.meta_rows("Indicator"):
        if names[r] and _SMUSHED.search(names[r]):
            yield Finding(pair.meta_at(r, "col_name"), names[r])


@check("ees-col-var-characteristic")
def col_var_characteristic(pair: Pair) -> Iterator[Finding]:
    for col, names in (("col_name", ("characteristic", "characteristic_group")),
                       ("filter_grouping_column", ("characteristic_group",))):
        cells = pair.meta.col(col)
        for name in names:
            if name in cells:
                yield Finding(pair.meta_at(cells.index(name), col), name)
                return

"""Stage Check API: whether the file suits the EES API (character limits, the API data
dictionary). These only warn: a file that passes with them passes, but is not suitable for the API."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.registry import Finding, check

LIMITS = {"location-code": 30, "column-name": 50, "column-label": 100, "column-item": 120}


def _too_long(pair: Pair, columns: list[str], limit: int) -> Iterator[Finding]:
    for c in dict.fromkeys(columns):
        if pair.data.has(c):
            for (v,) in pair.data.distinct(c):
                if v is not None and len(v) > limit:
                    yield Finding(pair.data.first(c, v), v, {"limit": limit})


@check("ees-api-char-col-name")
def api_char_col_name(pair: Pair) -> Iterator[Finding]:
    for c in pair.data.header:
        if len(c) > LIMITS["column-name"]:
            yield Finding(pair.data.at(None, c), c, {"limit": LIMITS["column-name"]})


@check("ees-api-char-col-label")
def api_char_col_label(pair: Pair) -> Iterator[Finding]:
    for r, label in enumerate(pair.meta.col("label")):
        if label is not None and len(label) > LIMITS["column-label"]:
            yield Finding(pair.meta_at(r, "label"), label, {"limit": LIMITS["column-label"]})


@check("ees-api-char-loc-code")
def api_char_loc_code(pair: Pair) -> Iterator[Finding]:
    columns = [c for c in pair.data.header if c in lk.geo_code_columns()]
    return _too_long(pair, columns, LIMITS["location-code"])


@check("ees-api-char-filter-items")
def api_char_filter_items(pair: Pair) -> Iterator[Finding]:
    wanted = {*pair.filters(groups=True), *lk.geo_name_columns()}
    return _too_long(pair, [c for c in pair.data.header if c in wanted], LIMITS["column-item"])


@functools.cache
def _dictionary_columns() -> frozenset[tuple[str | None, str | None]]:
    """(col_type, col_name) of every column of the API data dictionary, a parent's included."""
    rows = lk.lookup("data_dictionary")
    return frozenset({(r["col_type"], r["col_name"]) for r in rows if r["col_name"]} |
                     {(r["col_type"], r["col_name_parent"]) for r in rows if r["col_name_parent"]})


@functools.cache
def _dictionary_items(column: str) -> frozenset[str | None]:
    rows = lk.lookup("data_dictionary")
    return frozenset({r["filter_item"] for r in rows if r["col_name"] == column and r["filter_item"]} |
                     {r["filter_item_parent"] for r in rows if r["col_name_parent"] == column and r["filter_item_parent"]})


def _meta_columns(pair: Pair) -> Iterator[tuple[int, str, str | None, str]]:
    """(row, metadata column, col_type, name) of each col_name and filter group, once each."""
    seen: set[tuple[str | None, str]] = set()
    types = pair.meta.col("col_type")
    for col in ("col_name", "filter_grouping_column"):
        for r, name in enumerate(pair.meta.col(col)):
            if name and (types[r], name) not in seen:
                seen.add((types[r], name))
                yield r, col, types[r], name


@check("ees-data-dict-col-name")
def data_dict_col_name(pair: Pair) -> Iterator[Finding]:
    for r, col, kind, name in _meta_columns(pair):
        if (kind, name) not in _dictionary_columns() and kind in ("Filter", "Indicator"):
            yield Finding(pair.meta_at(r, col), name, {"kind": kind.lower()})


@check("ees-data-dict-fil-item")
def data_dict_fil_item(pair: Pair) -> Iterator[Finding]:
    for _, _, kind, name in _meta_columns(pair):
        if kind == "Filter" and (kind, name) in _dictionary_columns() and pair.data.has(name):
            valid = _dictionary_items(name)
            for (v,) in pair.data.distinct(name):
                if v not in valid:
                    yield Finding(pair.data.first(name, v), "NA" if v is None else v)

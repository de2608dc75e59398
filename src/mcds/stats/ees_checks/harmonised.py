"""Stage Check harmonised: the DfE's harmonised variable names and the GSS ethnicity values."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.registry import Finding, check


@functools.cache
def _standard_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(r["col_name"] or "" for r in lk.lookup("harmonised_col_names")))


@functools.cache
def _search() -> re.Pattern[str]:
    strings = dict.fromkeys(r["search_string"] or "" for r in lk.lookup("harmonised_col_names"))
    return re.compile("|".join(strings))


@functools.cache
def _ethnicity_groups() -> tuple[str, ...]:
    """The characteristic_group labels of the ethnicity variables ("Ethnicity Major"...)."""
    names = dict.fromkeys(r["col_name"] or "" for r in lk.lookup("harmonised_col_names")
                          if "ethnic" in (r["search_string"] or ""))
    return tuple(n.replace("_", " ").title() for n in names)


@check("ees-harmonised-variables")
def harmonised_variables(pair: Pair) -> Iterator[Finding]:
    for name in pair.cols_meta(groups=True):
        if _search().search(name.lower()) and name not in _standard_names():
            col = "col_name" if name in pair.meta.col("col_name") else "filter_grouping_column"
            expected = dict.fromkeys(r["col_name"] for r in lk.lookup("harmonised_col_names")
                                     if re.search(r["search_string"] or "", name.lower()))
            yield Finding(pair.meta.first(col, name), name, {"expected": ", ".join(n or "" for n in expected)})


def _na(v: str | None) -> str:
    return "NA" if v is None else v


@check("ees-harmonised-eth-vals")
def harmonised_eth_vals(pair: Pair) -> Iterator[Finding]:
    has = [c for c in ("ethnicity_major", "ethnicity_minor") if pair.data.has(c)]
    if not has:
        return
    valid = lk.pairs("ethnicity", "ethnicity_major", "ethnicity_minor")
    if len(has) == 2:
        for combo in pair.data.distinct(*has):
            if combo not in valid:
                yield Finding(pair.data.first(has[0], combo[0]), ", ".join(_na(v) for v in combo), {"what": "combination"})
        return
    allowed = {p[0 if has[0] == "ethnicity_major" else 1] for p in valid}
    for (v,) in pair.data.distinct(has[0]):
        if v not in allowed:
            yield Finding(pair.data.first(has[0], v), _na(v), {"what": "value"})


def _ethnic(v: str | None) -> bool:
    return v is not None and "ethnic" in v.lower()


@check("ees-harmonised-eth-char-grp")
def harmonised_eth_char_grp(pair: Pair) -> Iterator[Finding]:
    if not pair.data.has("characteristic_group"):
        return
    standard = re.compile("|".join(_ethnicity_groups()))
    for (v,) in pair.data.distinct("characteristic_group"):
        if v is not None and _ethnic(v) and not standard.search(v):
            yield Finding(pair.data.first("characteristic_group", v), v, {"expected": ", ".join(_ethnicity_groups())})


@check("ees-harmonised-eth-char-vals")
def harmonised_eth_char_vals(pair: Pair) -> Iterator[Finding]:
    if not (pair.data.has("characteristic_group") and pair.data.has("characteristic")):
        return
    valid = {v for p in lk.pairs("ethnicity", "ethnicity_major", "ethnicity_minor") for v in p}
    groups, values = pair.data.col("characteristic_group"), pair.data.col("characteristic")
    seen: set[str | None] = set()
    for r, (g, v) in enumerate(zip(groups, values, strict=True)):
        if _ethnic(g) and v not in valid and v not in seen:
            seen.add(v)
            yield Finding(pair.data.at(r, "characteristic"), _na(v))

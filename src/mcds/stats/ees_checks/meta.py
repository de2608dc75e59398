"""Stages Precheck meta and Check meta: the rows of the metadata file."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Cell, Pair
from mcds.stats.ees_checks.registry import Finding, check

# a number as R's as.numeric reads text: decimal or hexadecimal, with an exponent, or Inf/NaN
_R_NUMBER = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|Inf|inf|NaN)", re.ASCII)
_INT_MAX = 2**31 - 1


def r_number(text: str) -> float | None:
    """``as.numeric(text)`` in R: None where R gives NA."""
    s = text.strip(" \t\n\r\f\v")
    if not _R_NUMBER.fullmatch(s):
        return None
    body = s.lstrip("+-")
    value = float(int(body, 16)) if body[:2] in ("0x", "0X") else float(body.replace("Inf", "inf").replace("NaN", "nan"))
    return -value if s.startswith("-") else value


def _blank(v: Cell) -> bool:
    return v is None or v == ""


def _dupes(cells: list[Cell]) -> list[Cell]:
    """R's ``x[duplicated(x)]``, once each (missing values are duplicates of one another)."""
    seen: set[Cell] = set()
    out: list[Cell] = []
    for v in cells:
        if v in seen and v not in out:
            out.append(v)
        seen.add(v)
    return out


@check("ees-meta-col-type")
def meta_col_type(pair: Pair) -> Iterator[Finding]:
    types = pair.meta.col("col_type")
    for t in dict.fromkeys(types):
        if t not in ("Filter", "Indicator"):
            r = types.index(t)
            yield Finding(pair.meta_at(r, "col_type"), "NA" if t is None else t)


@check("ees-meta-ob-unit")
def meta_ob_unit(pair: Pair) -> Iterator[Finding]:
    units = set(lk.observational_units()) - set(lk.SCHOOL_PROVIDER_NAMES)
    for name in pair.cols_meta(groups=True):
        if name in units:
            col = "col_name" if name in pair.meta.col("col_name") else "filter_grouping_column"
            yield Finding(pair.meta.first(col, name), name)


@check("ees-meta-col-name")
def meta_col_name(pair: Pair) -> Iterator[Finding]:
    for r, name in enumerate(pair.meta.col("col_name")):
        if name is None or not name.strip():
            yield Finding(pair.meta.at(r, "col_name"), name)


def _repeated(pair: Pair, column: str) -> Iterator[Finding]:
    """Each value the column repeats, at its last row."""
    cells = pair.meta.col(column)
    for v in _dupes(cells):
        r = len(cells) - 1 - cells[::-1].index(v)
        yield Finding(pair.meta.at(r, column), "NA" if v is None else v)


@check("ees-meta-dupe-label")
def meta_dupe_label(pair: Pair) -> Iterator[Finding]:
    return _repeated(pair, "label")


def _set_on(pair: Pair, *, kind: str, column: str) -> Iterator[Finding]:
    """Rows of ``kind`` with a value in ``column``, a setting of the other kind of column."""
    cells = pair.meta.col(column)
    for r in pair.meta_rows(kind):
        if not _blank(cells[r]):
            yield Finding(pair.meta_at(r, column), cells[r])


@check("ees-meta-fil-grp-dupe")
def meta_fil_grp_dupe(pair: Pair) -> Iterator[Finding]:
    groups = pair.filter_groups()
    for g in _dupes(groups):
        yield Finding(pair.meta.first("filter_grouping_column", g), g)


@check("ees-meta-fil-grp-is-fil")
def meta_fil_grp_is_fil(pair: Pair) -> Iterator[Finding]:
    names = pair.meta.col("col_name")
    for g in pair.filter_groups():
        if g not in names:
            yield Finding(pair.meta.first("filter_grouping_column", g), g)


@check("ees-meta-fil-grp-match")
def meta_fil_grp_match(pair: Pair) -> Iterator[Finding]:
    for g in dict.fromkeys(pair.filter_groups()):
        if not pair.data.has(g):
            yield Finding(pair.meta.first("filter_grouping_column", g), g)


def _alnum(v: Cell) -> Cell:
    return None if v is None else "".join(ch for ch in v if ch.isalnum())


@check("ees-meta-fil-grp-stripped")
def meta_fil_grp_stripped(pair: Pair) -> Iterator[Finding]:
    for g in dict.fromkeys(pair.filter_groups()):
        values = list(dict.fromkeys(pair.data.col(g)))
        if len(values) != len({_alnum(v) for v in values}):
            yield Finding(pair.data.at(None, g), ", ".join(f"'{v}'" for v in values[:20]))


@check("ees-meta-label")
def meta_label(pair: Pair) -> Iterator[Finding]:
    for r, label in enumerate(pair.meta.col("label")):
        if label in (None, "", " "):
            yield Finding(pair.meta_at(r, "label"), label)


@check("ees-meta-geog-catch")
def meta_geog_catch(pair: Pair) -> Iterator[Finding]:
    names = pair.meta.col("col_name")
    filters = [names[r] for r in pair.meta_rows("Filter")]
    groups = pair.filter_groups()
    both: list[Cell] = [*filters, *groups]
    if len(filters) == 1 and (filters[0] in lk.SCHOOL_PROVIDER_NAMES or (groups and groups[0] in lk.SCHOOL_PROVIDER_NAMES)):
        both = [n for n in both if n not in lk.SCHOOL_PROVIDER_NAMES]
    for name in both:
        if name and re.search(lk.OB_UNIT_PATTERN, name, re.IGNORECASE):
            col = "col_name" if name in names else "filter_grouping_column"
            yield Finding(pair.meta.first(col, name), name)


@check("ees-meta-col-name-spaces")
def meta_col_name_spaces(pair: Pair) -> Iterator[Finding]:
    for r, name in enumerate(pair.meta.col("col_name")):
        if name and re.search(r"\s", name):
            yield Finding(pair.meta.at(r, "col_name"), name)


@check("ees-meta-col-name-dupe")
def meta_col_name_dupe(pair: Pair) -> Iterator[Finding]:
    return _repeated(pair, "col_name")


@check("ees-meta-ind-dp-set")
def meta_ind_dp_set(pair: Pair) -> Iterator[Finding]:
    dps = pair.meta.col("indicator_dp")
    for r in pair.meta_rows("Indicator"):
        if dps[r] is None or not dps[r].strip():
            yield Finding(pair.meta_at(r, "indicator_dp"), dps[r])


def _whole(x: float) -> bool:
    """R's ``isTRUE(all.equal(x, as.integer(x)))`` (NA where as.integer overflows)."""
    if math.isnan(x):
        return True
    if math.isinf(x) or abs(x) > _INT_MAX:
        return False
    return x == 0 or abs(x - math.trunc(x)) / abs(x) < 1.5e-8


def _typed_number(value: object) -> float | None:
    """A value DuckDB typed as a number; None for any other type (a date is not a number in R)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@check("ees-meta-ind-dp-values")
def meta_ind_dp_values(pair: Pair) -> Iterator[Finding]:
    raw = pair.meta.raw_col("indicator_dp")
    texts = pair.meta.col("indicator_dp")
    for r, (value, text) in enumerate(zip(raw, texts, strict=True)):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        number = r_number(value) if isinstance(value, str) else _typed_number(value)
        if number is None or not (_whole(number) and (math.isnan(number) or number >= 0)):
            yield Finding(pair.meta_at(r, "indicator_dp"), text)


@check("ees-meta-ind-unit-validation")
def meta_ind_unit_validation(pair: Pair) -> Iterator[Finding]:
    units = pair.meta.col("indicator_unit")
    reported: set[str] = set()
    for r in pair.meta_rows("Indicator"):
        u = units[r]
        if not _blank(u) and u not in lk.UNITS and u not in reported:
            reported.add(u)  # type: ignore[arg-type]
            yield Finding(pair.meta_at(r, "indicator_unit"), u)




# a setting of one kind of column found on the other kind: check code, the kind, the setting
WRONG_KIND = (("ees-meta-fil-grp", "Indicator", "filter_grouping_column"),
              ("ees-meta-filter-hint", "Indicator", "filter_hint"),
              ("ees-meta-indicator-dp", "Filter", "indicator_dp"),
              ("ees-meta-ind-unit", "Filter", "indicator_unit"),
              ("ees-meta-indicator-grouping", "Filter", "indicator_grouping"))
for _code, _kind, _column in WRONG_KIND:
    check(_code)(functools.partial(_set_on, kind=_kind, column=_column))

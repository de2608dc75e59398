"""Stage Precheck geography, and the checks of Check geography that need no lookup: which
geography columns are present and filled in for each geographic level."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from mcds.issues import Location
from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Pair
from mcds.stats.ees_checks.registry import Finding, check

IGNORED = ("School", "Provider", "Institution", "Planning area")
_LOW = ("School", "Provider", "Institution")
# the levels whose rows may have each level's columns filled in: its own and the levels within it
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "Regional": ("Regional", "Local skills improvement plan area", "Local authority", "Local enterprise partnership",
                 "Opportunity area", "Local authority district", "Parliamentary constituency", "English devolved area",
                 "Ward", *_LOW, "Planning area", "Police force area"),
    "Local authority": ("Local authority", "Parliamentary constituency", "Local authority district", "Ward", *_LOW,
                        "Planning area", "Police force area"),
    "Local authority district": ("Local authority district", "Ward", *_LOW, "Police force area"),
    "Local skills improvement plan area": ("Local skills improvement plan area", "Local authority district", *_LOW,
                                           "Planning area"),
    **{lv: (lv, *_LOW) for lv in ("RSC region", "Parliamentary constituency", "Local enterprise partnership",
                                  "English devolved area", "Opportunity area", "Ward", "MAT", "Sponsor",
                                  "Planning area", "Police force area")},
    **{lv: (lv,) for lv in _LOW},
}
# levels with a lookup of their own, or none to check, left out of the x / Not available checks
_NOT_NA_CHECKED = ("National", "Regional", "Local authority", "Local authority district", "Parliamentary constituency",
                   "Ward", "Local enterprise partnership", "Local skills improvement plan area", "English devolved area",
                   "RSC region", "Institution", "Planning area")


def levels_present(pair: Pair) -> list[str | None]:
    return [v for (v,) in pair.data.distinct("geographic_level")]


def _rows_at(pair: Pair, level: str) -> list[int]:
    return [r for r, v in enumerate(pair.data.col("geographic_level")) if v == level]


@check("ees-geog-level")
def geog_level(pair: Pair) -> Iterator[Finding]:
    known = {lv.level for lv in lk.levels()}
    for level in levels_present(pair):
        if level not in known:
            yield Finding(pair.data.first("geographic_level", level), "NA" if level is None else level)


@check("ees-geog-level-present")
def geog_level_present(pair: Pair) -> Iterator[Finding]:
    present = levels_present(pair)
    if all(v == "National" for v in present):
        return
    for lv in lk.levels():
        if lv.level != "Planning area" and lv.level in present:
            for c in lv.columns:
                if not pair.data.has(c):
                    yield Finding(Location(file=pair.data.name, field=c), None, {"level": lv.level})


@check("ees-geog-level-completed")
def geog_level_completed(pair: Pair) -> Iterator[Finding]:
    present = levels_present(pair)
    for lv in lk.levels():
        if lv.level == "Planning area" or lv.level not in present:
            continue
        for c in (lv.name, lv.secondary) if lv.code == "new_la_code" else lv.columns:
            if c and pair.data.has(c):
                cells = pair.data.col(c)
                blank = next((r for r in _rows_at(pair, lv.level) if cells[r] in (None, "")), None)
                if blank is not None:
                    yield Finding(pair.data.at(blank, c), None, {"level": lv.level})


@check("ees-geog-ignored-rows")
def geog_ignored_rows(pair: Pair) -> Iterator[Finding]:
    cells = pair.data.col("geographic_level")
    if not any(v not in ("Institution", "Planning area") for v in cells):
        yield Finding(Location(file=pair.data.name, field="geographic_level"))
        return
    present = levels_present(pair)
    if any(v in IGNORED for v in cells) and not (len(present) == 1 and present[0] in ("School", "Provider")) \
            and "School" in present and "Provider" in present:
        yield Finding(pair.data.first("geographic_level", "Provider"), "Provider", code="ees-geog-ignored-rows-mixed")


def _dupes(pair: Pair, level: str, *, by_code: bool) -> Iterator[Finding]:
    lv = lk.level(level)
    assert lv.code and lv.name
    if not (pair.data.has(lv.code) and pair.data.has(lv.name)):
        return
    codes, names = pair.data.col(lv.code), pair.data.col(lv.name)
    seen: dict[str | None, set[str | None]] = {}
    first: dict[str | None, int] = {}
    for r in _rows_at(pair, level):
        if codes[r]:
            key, other = (codes[r], names[r]) if by_code else (names[r], codes[r])
            seen.setdefault(key, set()).add(other)
            first.setdefault(key, r)
    for key, others in seen.items():
        if len(others) > 1:
            yield Finding(pair.data.at(first[key], lv.code if by_code else lv.name), "NA" if key is None else key,
                          {"level": level, "count": len(others)})


@check("ees-geog-other-dupes")
def geog_other_dupes(pair: Pair) -> Iterator[Finding]:
    for level in ("Opportunity area", "MAT", "Sponsor"):
        if level in levels_present(pair):
            yield from _dupes(pair, level, by_code=False)


def _col_present(pair: Pair, *, level: str) -> Iterator[Finding]:
    columns = lk.level(level).columns
    if any(pair.data.has(c) for c in columns):
        for c in columns:
            if not pair.data.has(c):
                yield Finding(Location(file=pair.data.name, field=c))


def _region_for(pair: Pair, *, level: str) -> Iterator[Finding]:
    rows = _rows_at(pair, level)
    if not rows:
        return
    missing = [c for c in ("region_code", "region_name") if not pair.data.has(c)]
    for c in missing:
        yield Finding(Location(file=pair.data.name, field=c))
    if missing:
        return
    for c in ("region_code", "region_name"):
        cells = pair.data.col(c)
        blank = next((r for r in rows if cells[r] in (None, "")), None)
        if blank is not None:
            yield Finding(pair.data.at(blank, c))


def _na_checked(pair: Pair) -> Iterator[lk.Level]:
    present = levels_present(pair)
    for lv in lk.levels():
        if lv.level not in _NOT_NA_CHECKED and lv.level in present and lv.code and lv.name \
                and pair.data.has(lv.code) and pair.data.has(lv.name):
            yield lv


@check("ees-geog-na")
def geog_na(pair: Pair) -> Iterator[Finding]:
    for lv in _na_checked(pair):
        assert lv.code and lv.name
        bad = next(((c, n) for c, n in pair.data.distinct(lv.code, lv.name)
                    if c == "x" and n is not None and n != "Not available"), None)
        if bad:
            codes, names = pair.data.col(lv.code), pair.data.col(lv.name)
            r = next(r for r in range(len(codes)) if (codes[r], names[r]) == bad)
            yield Finding(pair.data.at(r, lv.name), bad[1], {"level": lv.level})


@check("ees-geog-na-code")
def geog_na_code(pair: Pair) -> Iterator[Finding]:
    for lv in _na_checked(pair):
        assert lv.code and lv.name
        codes, names = pair.data.col(lv.code), pair.data.col(lv.name)
        r = next((r for r in _rows_at(pair, lv.level)
                  if names[r] == "Not available" and codes[r] is not None and codes[r] != "x"), None)
        if r is not None:
            yield Finding(pair.data.at(r, lv.code), codes[r], {"level": lv.level})


@check("ees-geog-other-code-dupes")
def geog_other_code_dupes(pair: Pair) -> Iterator[Finding]:
    for level in ("Opportunity area", "MAT", "Sponsor"):
        if level in levels_present(pair):
            yield from _dupes(pair, level, by_code=True)


@check("ees-geog-overcompleted-cols")
def geog_overcompleted_cols(pair: Pair) -> Iterator[Finding]:
    present = levels_present(pair)
    filters = [pair.meta.col("col_name")[r] for r in range(len(pair.meta.rows))
               if pair.meta.col("col_type")[r] == "Filter"]
    groups = pair.filter_groups()
    reported: set[str] = set()
    levels = pair.data.col("geographic_level")
    for lv in lk.levels():
        if lv.level == "National" or lv.level not in COMPATIBLE:
            continue
        cols = [c for c in lv.columns if pair.data.has(c)]
        if lv.level in ("School", "Provider") and len(filters) == 1 and (lv.name in filters or lv.name in groups):
            cols = [c for c in cols if c != lv.name]
        incompatible = {v for v in present if v not in COMPATIBLE[lv.level]}
        for c in cols:
            cells = pair.data.col(c)
            r = next((r for r, v in enumerate(levels) if v in incompatible and cells[r] not in (None, "")), None)
            if r is not None and c not in reported:
                reported.add(c)
                yield Finding(pair.data.at(r, c), cells[r], {"level": levels[r]})


# every column of a level once one is present; a region for each row of a level within one
for _code, _function, _level in (("ees-geog-la-col-present", _col_present, "Local authority"),
                                 ("ees-geog-region-col-present", _col_present, "Regional"),
                                 ("ees-geog-region-for-la", _region_for, "Local authority"),
                                 ("ees-geog-region-for-lad", _region_for, "Local authority district")):
    check(_code)(functools.partial(_function, level=_level))

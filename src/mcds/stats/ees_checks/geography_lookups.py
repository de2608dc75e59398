"""Check geography: every code and name combination of a geographic level is in its lookup
(case sensitive), or is one of the universal ``z`` options (Not applicable, Unknown, Outside of
England...). A code of ``x`` (not available) and a blank code are not looked up."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from mcds.stats.ees_checks import lookups as lk
from mcds.stats.ees_checks.files import Cell, Pair
from mcds.stats.ees_checks.registry import Finding, check


def _valid(lookup: str, *, old_code: bool) -> frozenset[tuple[Cell, ...]]:
    extra = lk.pairs("universal_geog_options", "code", "name")
    if old_code:
        return lk.pairs(lookup, "old_la_code", "code", "name") | {("z", c, n) for c, n in extra}
    return lk.pairs(lookup, "code", "name") | extra


def _combos(pair: Pair, *, lookup: str, code: str, name: str, old_code: str | None = None) -> Iterator[Finding]:
    columns = [c for c in (old_code, code, name) if c]
    if not all(pair.data.has(c) for c in columns):
        return
    valid = _valid(lookup, old_code=old_code is not None)
    cells = [pair.data.col(c) for c in columns]
    seen: set[tuple[Cell, ...]] = set()
    for r, combo in enumerate(zip(*cells, strict=True)):
        c = combo[-2]
        skip = c in (None, "", "x") or (old_code is not None and combo[0] is None)
        if skip or combo in seen:
            continue
        seen.add(combo)
        if combo not in valid:
            yield Finding(pair.data.at(r, code), " ".join("NA" if v is None else v for v in combo))


# check code, lookup, code column, name column (the screener's order)
COMBOS = (
    ("ees-geog-country-combos", "countries", "country_code", "country_name"),
    ("ees-geog-region-combos", "regions", "region_code", "region_name"),
    ("ees-geog-ward-combos", "wards", "ward_code", "ward_name"),
    ("ees-geog-pcon-combos", "pcons", "pcon_code", "pcon_name"),
    ("ees-geog-lad-combos", "lads", "lad_code", "lad_name"),
    ("ees-geog-lep-combos", "leps", "local_enterprise_partnership_code", "local_enterprise_partnership_name"),
    ("ees-geog-lsip-combos", "lsips", "lsip_code", "lsip_name"),
    ("ees-geog-eda-combos", "english_devolved_areas", "english_devolved_area_code", "english_devolved_area_name"),
)
for _code, _lookup, _code_col, _name_col in COMBOS:
    check(_code)(functools.partial(_combos, lookup=_lookup, code=_code_col, name=_name_col))
# a council: its DfE code too (a row without one is not looked up)
check("ees-geog-la-combos")(functools.partial(_combos, lookup="las", code="new_la_code", name="la_name",
                                              old_code="old_la_code"))

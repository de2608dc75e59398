"""The Explore Education Statistics (EES) open data format: a data file and its ``.meta.csv``.

Columns, levels and symbols follow the DfE's open data standards and its screener
(``mcds check-ees`` runs the screener's checks that concern these files).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mcds.stats.audit import Place, Protection
from mcds.stats.breakdowns import BreakdownFile, publish_breakdowns
from mcds.stats.compute import NO, TOTAL, YES, Aggregator, Council, Selection, Stat, selections
from mcds.stats.config import Disclosure, Indicator, Publication
from mcds.stats.disclosure import publish_area, publish_council, publish_rounded

__all__ = [
    "GEOGRAPHY_COLUMNS",
    "LOCAL_AUTHORITY",
    "META_COLUMNS",
    "NATIONAL",
    "REGIONAL",
    "TIME_COLUMNS",
    "Published",
    "data_columns",
    "meta_rows",
    "publish",
    "to_csv",
]

NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
TIME_COLUMNS = ("time_period", "time_identifier")
GEOGRAPHY_COLUMNS = ("geographic_level", "country_code", "country_name", "region_code", "region_name",
                     "old_la_code", "new_la_code", "la_name")
META_COLUMNS = ("col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                "filter_hint", "filter_grouping_column", "filter_default")
# the EES units of the catalogue's units (blank is a plain number)
EES_UNITS = {"count": "", "percent": "%", "days": "", "ratio": ""}


def data_columns(pub: Publication, inds: Sequence[Indicator]) -> list[str]:
    return [*TIME_COLUMNS, *GEOGRAPHY_COLUMNS, *(f.id for f in pub.filters), *(i.id for i in inds)]


def meta_rows(pub: Publication, inds: Sequence[Indicator]) -> list[dict[str, str]]:
    rows = [dict.fromkeys(META_COLUMNS, "") | {"col_name": f.id, "col_type": "Filter", "label": f.label,
                                                 "filter_hint": f.hint, "filter_default": pub.filter_levels.total}
            for f in pub.filters]
    rows += [dict.fromkeys(META_COLUMNS, "") | {"col_name": i.id, "col_type": "Indicator", "label": i.label,
                                                 "indicator_unit": EES_UNITS[i.unit], "indicator_dp": str(i.decimal_places)}
             for i in inds]
    return rows


@dataclass
class Published:
    """The published (disclosure-controlled) figures of a run, as written to the data file."""

    columns: list[str]
    rows: list[dict[str, str]]
    meta: list[dict[str, str]]
    councils: list[Council]
    months: dict[int, dict[str, dict[str, str]]]  # year -> indicator -> month (YYYY-MM) -> rounded count
    protection: Protection | None = None  # the disclosure audit that proves the figures (mcds.stats.protect)
    breakdowns: BreakdownFile | None = None  # the breakdowns file (mcds.stats.breakdowns), if the version has one


def _levels(pub: Publication, sel: Selection) -> dict[str, str]:
    names = {TOTAL: pub.filter_levels.total, YES: pub.filter_levels.yes, NO: pub.filter_levels.no}
    return {f.id: names[s] for f, s in zip(pub.filters, sel, strict=True)}


def publish(councils: Sequence[Council], cfg: Disclosure, agg: Aggregator, forced: Iterable[Place] = (),
            memo: dict | None = None) -> Published:
    """The published figures; ``forced``: figures the disclosure audit suppresses besides the rules'.
    ``memo``: each council's and area's figures from earlier calls with the same councils and
    settings (the audit publishes again after suppressing a few more figures)."""
    memo = {} if memo is None else memo

    def remembered(key: tuple, make):  # type: ignore[no-untyped-def]
        if key not in memo:
            memo[key] = make()
        return memo[key]

    by_area: dict[tuple[int, str, str], set[tuple[Selection, str]]] = {}
    forced = list(forced)
    for p in forced:
        if p.breakdown:
            continue  # a figure of the breakdowns file
        by_area.setdefault((p.year, p.level, p.code), set()).add((p.sel, p.indicator))

    def force(year: int, level: str, code: str) -> frozenset[tuple[Selection, str]]:
        return frozenset(by_area.get((year, level, code), ()))

    pub, inds = agg.pub, list(agg.inds.values())
    cols = data_columns(pub, inds)
    sels = selections(len(pub.filters))
    rows: list[dict[str, str]] = []
    months: dict[int, dict[str, dict[str, str]]] = {}

    def emit(year: int, geo: dict[str, str], values: dict[tuple[Selection, str], str]) -> None:
        for sel in sels:
            row = dict.fromkeys(cols, "")
            row |= {"time_period": str(year), "time_identifier": pub.time_identifier,
                    "country_code": pub.country.code, "country_name": pub.country.name}
            row |= geo | _levels(pub, sel)
            row |= {i.id: values[sel, i.id] for i in inds}
            rows.append(row)

    for year in sorted({c.time_period for c in councils}):
        in_year = [c for c in councils if c.time_period == year]
        local = {c.new_la_code: remembered(
                     (year, c.new_la_code, f := force(year, LOCAL_AUTHORITY, c.new_la_code)),
                     lambda c=c, f=f: publish_council(agg, c, cfg, f)) for c in in_year}

        def area(councils: list[Council], level: str, code: str, local: dict = local,
                 year: int = year) -> dict[tuple[Selection, str], str]:
            f = force(year, level, code)
            values = dict(remembered((year, level, code, f), lambda: publish_area(agg, councils, cfg, f)))
            if len(councils) == 1:  # the area is one council: show nothing its own row hides
                hidden = local[councils[0].new_la_code]
                values |= {k: v for k, v in hidden.items() if v == cfg.symbols.suppressed}
            return values

        emit(year, {"geographic_level": NATIONAL}, area(in_year, NATIONAL, pub.country.code))
        for code in sorted({c.region_code for c in in_year}):
            region = [c for c in in_year if c.region_code == code]
            emit(year, {"geographic_level": REGIONAL, "region_code": code, "region_name": region[0].region_name},
                 area(region, REGIONAL, code))
        for c in sorted(in_year, key=lambda c: (c.region_code, c.old_la_code)):
            emit(year, {"geographic_level": LOCAL_AUTHORITY, "region_code": c.region_code,
                        "region_name": c.region_name, "old_la_code": c.old_la_code, "new_la_code": c.new_la_code,
                        "la_name": c.name}, local[c.new_la_code])
        span = month_range(min(c.period_start for c in in_year), max(c.period_end for c in in_year))
        months[year] = {}
        for ind in inds:
            if any(ind.id in c.months for c in in_year):
                counts = agg.months(ind, in_year)
                hidden = {p.month for p in forced if p.year == year and p.indicator == ind.id and p.month}
                months[year][ind.id] = {m.strftime("%Y-%m"): cfg.symbols.suppressed if m.strftime("%Y-%m") in hidden
                                        else publish_rounded(Stat("value", counts.get(m, 0)), cfg) for m in span}
    return Published(cols, rows, meta_rows(pub, inds), list(councils), months,
                     breakdowns=publish_breakdowns(councils, cfg, agg, rows, forced))


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s."""
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    """CSV text as EES wants it: UTF-8, a header row, LF line ends, quoting only where needed."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()

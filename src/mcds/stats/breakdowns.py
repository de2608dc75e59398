"""The breakdowns data file: the data set's counts for England and each region, by one breakdown at
a time (sex, nationality group, type of exploitation, NRM outcome: ``statistics.json``).

EES's ``breakdown_topic``/``breakdown`` pair of filters is for a file without cross-tabulations,
as this one is: each row holds one breakdown's level, every filter of the main data file at its
Total. Councils are left out (the research on disclosure for these children: the most sensitive
breakdowns at a coarser geography), and every count is rounded as the main file's regional and
England counts are. The disclosure audit reads this file too (:mod:`mcds.stats.attack_model`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mcds.stats.attack_model import NATIONAL, REGIONAL, Place
from mcds.stats.compute import TOTAL, Aggregator, Council, Stat, X
from mcds.stats.config import Breakdown, Disclosure, Indicator, Publication
from mcds.stats.disclosure import publish_rounded

__all__ = ["BREAKDOWN", "TOPIC", "BreakdownFile", "breakdown_place", "count", "publish_breakdowns"]

TOPIC, BREAKDOWN = "breakdown_topic", "breakdown"
COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
           "region_name", TOPIC, BREAKDOWN)


@dataclass
class BreakdownFile:
    """The breakdowns data file of a run, as written (disclosure-controlled), and its metadata rows."""

    name: str
    columns: list[str]
    rows: list[dict[str, str]]
    meta: list[dict[str, str]]


def breakdown_place(year: int, level: str, code: str, ind: str, b: Breakdown | None, k: int) -> Place:
    """The place of one figure of the breakdowns file (``b`` None: the Total row)."""
    return Place(year, level, code, (), ind, breakdown=f"{b.id}:{k}" if b is not None else TOTAL)


def levels_by_label(pub: Publication) -> dict[tuple[str, str], tuple[Breakdown, int]]:
    """Each level of each breakdown by the (breakdown_topic, breakdown) labels of its rows in the file."""
    return {(b.label, lv.label): (b, k) for b in pub.breakdowns for k, lv in enumerate(b.levels)}


def count(agg: Aggregator, ind: Indicator, area: Sequence[Council], b: Breakdown, k: int) -> Stat:
    """The unrounded number of rows of a count indicator whose child is in level ``k`` of ``b``; x when
    a council of the area does not collect what the indicator or the breakdown needs. Only the
    indicators the breakdowns file holds (:func:`counts`) are counted by level."""
    spec = agg.pub.breakdowns_published
    if spec is None or ind.id not in spec.indicators:
        msg = f"{ind.id} is not broken down (statistics.json: breakdowns_published.indicators)"
        raise ValueError(msg)
    needs = (*ind.sources, *b.sources)
    if not area or len(agg.covered(area, needs)) < len(area):  # (remembered per area: asked again each round)
        return X
    n = sum(c.breakdowns.get(ind.id, {}).get((b.id, k), 0) for c in area)
    return Stat("value", n, (n,), n)


def counts(agg: Aggregator) -> list[Indicator]:
    """The count indicators the breakdowns file holds."""
    spec = agg.pub.breakdowns_published
    chosen = spec.indicators if spec is not None else ()
    out = [agg.inds[i] for i in chosen if i in agg.inds]
    if len(out) < len(chosen) or any(not i.is_count for i in out):
        msg = "statistics.json: breakdowns_published.indicators must name count indicators of indicators.csv"
        raise ValueError(msg)
    return out


def meta_rows(pub: Publication, inds: Sequence[Indicator]) -> list[dict[str, str]]:
    from mcds.stats.ees import META_COLUMNS
    from mcds.stats.ees import meta_rows as main_meta

    total = pub.breakdown_levels.total if pub.breakdown_levels else "Total"
    hint = "; ".join(f"{b.label}: {b.hint}" for b in pub.breakdowns if b.hint)
    row = dict.fromkeys(META_COLUMNS, "") | {"col_name": BREAKDOWN, "col_type": "Filter", "label": "Breakdown",
                                             "filter_hint": hint, "filter_grouping_column": TOPIC,
                                             "filter_default": total}
    topic = dict.fromkeys(META_COLUMNS, "") | {"col_name": TOPIC, "col_type": "Filter", "label": "Breakdown topic",
                                               "filter_hint": "What the children are broken down by: "
                                               + ", ".join(b.label.lower() for b in pub.breakdowns),
                                               "filter_default": total}
    return [topic, row, *(r for r in main_meta(pub, inds) if r["col_type"] == "Indicator")]


def publish_breakdowns(councils: Sequence[Council], cfg: Disclosure, agg: Aggregator, main: Sequence[dict[str, str]],
                       forced: Iterable[Place] = ()) -> BreakdownFile | None:
    """The breakdowns file of the councils; ``main``: the main data file's published rows (its Total
    rows are this file's Total rows, figure for figure); ``forced``: figures the audit suppresses."""
    pub = agg.pub
    spec = pub.breakdowns_published
    if not pub.breakdowns or spec is None:
        return None
    forced = {p for p in forced if p.breakdown}
    inds = counts(agg)
    total = pub.breakdown_levels.total if pub.breakdown_levels else "Total"
    names = {f.id for f in pub.filters}
    main_total = {(r["time_period"], r["geographic_level"], r["region_code"]): r for r in main
                  if all(r[f] == pub.filter_levels.total for f in names)}
    rows: list[dict[str, str]] = []
    for year in sorted({c.time_period for c in councils}):
        in_year = [c for c in councils if c.time_period == year]
        areas: list[tuple[str, str, str, list[Council]]] = []
        if NATIONAL in spec.geographic_levels:
            areas.append((NATIONAL, pub.country.code, "", in_year))
        if REGIONAL in spec.geographic_levels:
            for code in sorted({c.region_code for c in in_year}):
                region = [c for c in in_year if c.region_code == code]
                areas.append((REGIONAL, code, region[0].region_name, region))
        for level, code, region_name, members in areas:
            geo = {"time_period": str(year), "time_identifier": pub.time_identifier, "geographic_level": level,
                   "country_code": pub.country.code, "country_name": pub.country.name,
                   "region_code": code if level == REGIONAL else "", "region_name": region_name}
            top = main_total[str(year), level, geo["region_code"]]
            rows.append(geo | {TOPIC: total, BREAKDOWN: total} | {i.id: top[i.id] for i in inds})
            for b in pub.breakdowns:
                for k, lv in enumerate(b.levels):
                    values = {}
                    for i in inds:
                        place = breakdown_place(year, level, code, i.id, b, k)
                        st = count(agg, i, members, b, k)
                        values[i.id] = cfg.symbols.suppressed if place in forced and st.kind != "x" \
                            else publish_rounded(st, cfg)
                    rows.append(geo | {TOPIC: b.label, BREAKDOWN: lv.label} | values)
    return BreakdownFile(spec.dataset.name, [*COLUMNS, *(i.id for i in inds)], rows, meta_rows(pub, inds))

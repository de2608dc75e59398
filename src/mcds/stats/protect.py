"""Suppression that the audit proves: publish, audit, suppress what the audit shows is needed, and
audit again, until every suppressed count is protected (or refuse to publish).

The rules (:mod:`~mcds.stats.disclosure`) come first: small council counts and their secondary
cells. When the audit finds a cell an attacker can narrow too far, one more figure is suppressed
for it among those that narrow it (the constraints that bind the attacker's solution), the one
whose loss costs least: a month of the report's chart, then a percentage, rate or median of a
region or England, then a council's, then a region's count, then another of the council's counts
(smallest first, as secondary suppression does), and last an England count, the headline figures. As tau-argus and sdcTable
do, the audit then runs again over everything.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcds.errors import MCDSError
from mcds.stats.audit import LOCAL_AUTHORITY, NATIONAL, REGIONAL, Finding, Place, Protection, audit
from mcds.stats.breakdowns import BREAKDOWN, COLUMNS, TOPIC, breakdown_place, levels_by_label
from mcds.stats.compute import TOTAL, Aggregator, Council
from mcds.stats.config import Disclosure
from mcds.stats.ees import Published, publish

__all__ = ["DisclosureError", "figures", "protect"]

MAX_ROUNDS = 30


class DisclosureError(MCDSError):
    """Some suppressed figure cannot be protected: nothing is published."""


def figures(pub: Published, agg: Aggregator) -> dict[Place, str]:
    """Every published figure by its place: the data file's and the monthly chart's."""
    p = agg.pub
    names = {p.filter_levels.total: "T", p.filter_levels.yes: "Y", p.filter_levels.no: "N"}
    filters = [f.id for f in p.filters]
    out: dict[Place, str] = {}
    skip = {*filters, "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
            "region_name", "old_la_code", "new_la_code", "la_name"}
    for r in pub.rows:
        level = r["geographic_level"]
        code = {NATIONAL: r["country_code"], REGIONAL: r["region_code"]}.get(level, r["new_la_code"])
        sel = tuple(names[r[f]] for f in filters)
        for col, text in r.items():
            if col not in skip:
                out[Place(int(r["time_period"]), level, code, sel, col)] = text
    for year, by_ind in pub.months.items():
        for ind, by_month in by_ind.items():
            for month, text in by_month.items():
                out[Place(year, NATIONAL, p.country.code, (), ind, month)] = text
    out |= breakdown_figures(pub, agg)
    return out


def breakdown_figures(pub: Published, agg: Aggregator) -> dict[Place, str]:
    """Every figure of the breakdowns file by its place (none when the version has no breakdowns)."""
    out: dict[Place, str] = {}
    if pub.breakdowns is None:
        return out
    p = agg.pub
    levels = levels_by_label(p)
    for r in pub.breakdowns.rows:
        level = r["geographic_level"]
        code = r["region_code"] if level == REGIONAL else p.country.code
        if (r[TOPIC], r[BREAKDOWN]) not in levels:
            continue  # the Total row: the data file's figures again
        b, k = levels[r[TOPIC], r[BREAKDOWN]]
        for ind in pub.breakdowns.columns[len(COLUMNS):]:
            out[breakdown_place(int(r["time_period"]), level, code, ind, b, k)] = r[ind]
    return out


def _cost(place: Place, text: str, agg: Aggregator) -> tuple[int, int]:
    if place.month:  # a month that held some: hiding a month that held none tells a reader of the chart too little
        return 0, 1 if text == "0" else 0
    count = agg.inds[place.indicator].is_count
    number = int(text) if text.isdigit() else 0
    if place.breakdown:  # a region's or England's count by one breakdown: before any figure of the data file
        return (1 if place.level == REGIONAL else 2), number
    if not count:
        return (3, 0) if place.level == LOCAL_AUTHORITY else (1 if place.level != NATIONAL else 2, 0)
    if place.level == REGIONAL:
        return 4, number
    return (5 if place.level == LOCAL_AUTHORITY else 6), number  # England's counts are the headline: last


def _related(f: Finding, by_area: dict[tuple[int, str, str], list[Place]], councils: dict[str, Council],
             country: str) -> list[Place]:
    """Every published figure of the finding's council, its region and England (when the
    constraints that bind the attacker do not name one that can be suppressed)."""
    p = f.place
    areas = [(LOCAL_AUTHORITY, p.code), (REGIONAL, councils[p.code].region_code), (NATIONAL, country)]
    return [q for level, code in areas for q in by_area.get((p.year, level, code), ()) if not q.month]


def _pick(f: Finding, shown: dict[Place, str], cfg: Disclosure, agg: Aggregator, taken: set[Place],
          related: list[Place] | None = None) -> Place | None:
    """The cheapest figure to suppress among those that narrow the finding's cell."""
    sym = cfg.symbols
    best: tuple | None = None
    for place in f.binding if related is None else related:
        text = shown.get(place)
        if text is None or text in (sym.suppressed, sym.not_collected) or place in taken or place.breakdown == TOTAL:
            continue  # (the breakdowns file's Total row is the data file's figures: hidden there, if at all)
        if place.level == LOCAL_AUTHORITY and agg.inds[place.indicator].is_count and text in ("0", sym.not_applicable):
            continue  # a true zero is never suppressed
        key = (*_cost(place, text, agg), place)
        if best is None or key < best:
            best = key
    return None if best is None else best[-1]


def protect(councils: Sequence[Council], cfg: Disclosure, agg: Aggregator, memo: dict | None = None) -> Published:
    """The published figures of the councils, with every suppressed count proven protected
    (``Published.protection`` holds the audit). ``memo``: figures already published, as
    :func:`mcds.stats.ees.publish` remembers them (each council's rows, published in the workers
    that computed them)."""
    import time

    began = time.perf_counter()
    added: dict[Place, Place] = {}
    proven: dict[Place, Finding] = {}
    memo = {} if memo is None else dict(memo)
    kept: set[Place] = set()  # every council count hidden so far: hidden again, so that what is hidden only grows
    for rounds in range(1, MAX_ROUNDS + 1):
        pub = publish(councils, cfg, agg, set(added) | kept, memo)
        result = audit(pub.rows, pub.months, councils, agg, cfg, proven,
                       pub.breakdowns.rows if pub.breakdowns is not None else ())
        proven = {f.place: f for f in result.findings}
        failures = result.failures
        if not failures or not cfg.secondary_suppression:  # (secondary suppression off: library use only)
            pub.protection = Protection(result, dict(added), rounds, time.perf_counter() - began)
            return pub
        shown = figures(pub, agg)
        # Secondary suppression with more cells forced could choose other partners and show a cell
        # it hid before: keep every hidden council count hidden, which also keeps the audit's proofs.
        kept |= {p for p, text in shown.items() if text == cfg.symbols.suppressed and p.level == LOCAL_AUTHORITY
                 and agg.inds[p.indicator].is_count}
        new: dict[Place, Place] = {}
        by_code = {c.new_la_code: c for c in councils}
        by_area: dict[tuple[int, str, str], list[Place]] = {}
        for q in shown:
            by_area.setdefault((q.year, q.level, q.code), []).append(q)
        for f in failures:
            pick = _pick(f, shown, cfg, agg, set(added) | set(new))
            if pick is None:
                pick = _pick(f, shown, cfg, agg, set(added) | set(new), _related(f, by_area, by_code, agg.pub.country.code))
            if pick is not None:
                new[pick] = f.place
                if pick.breakdown:  # a breakdown's level binds: hide the area's breakdown of that count whole
                    topic = pick.breakdown.split(":", 1)[0] + ":"
                    for q in by_area.get((pick.year, pick.level, pick.code), ()):
                        if q.indicator == pick.indicator and q.breakdown.startswith(topic) and q not in added:
                            new.setdefault(q, f.place)
        if not new:
            break
        added |= new
    names = ", ".join(f.place.label() for f in failures[:5])
    msg = (f"{len(failures)} suppressed figure(s) could not be protected ({names}); nothing was written. "
           "Check the disclosure settings (protection_width) against the data.")
    raise DisclosureError(msg)

"""The attacker's model of a run's published figures, for the disclosure audit
(:mod:`mcds.stats.audit`): every published figure as the constraints it puts on the unknowns (each
council's counts in every group of children, the hidden row counts behind the indicators with
their own SQL, and the monthly counts). What the constraints are is described in the audit's
module docstring; this module only builds them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

from mcds.stats.compute import TOTAL, Aggregator, Council, Selection, in_selection, selections
from mcds.stats.config import Breakdown, Disclosure, Indicator

__all__ = ["INF", "LOCAL_AUTHORITY", "NATIONAL", "REGIONAL", "Builder", "Expr", "Place", "Row", "Term"]

NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
INF = math.inf


class Place(NamedTuple):
    """Where a published figure is: a row of the data file and an indicator, a month of the
    report's chart of monthly counts (``sel`` empty, ``month`` YYYY-MM), or a row of the breakdowns
    file (``sel`` empty, ``breakdown`` "<breakdown id>:<level number>", or "T" for its Total row).
    A named tuple (ordered and compared as its fields, in order): a run makes tens of thousands of
    them each round of disclosure control, and a tuple is made several times faster than a frozen
    dataclass."""

    year: int
    level: str
    code: str
    sel: Selection
    indicator: str
    month: str = ""
    breakdown: str = ""

    def label(self, filters: Sequence[str] = ()) -> str:
        where = f"{self.level} {self.code}" if self.level != NATIONAL else self.code
        if self.month:
            return f"{self.year} {where} {self.indicator} month {self.month}"
        if self.breakdown:
            return f"{self.year} {where} {self.indicator} breakdown {self.breakdown}"
        levels = ",".join(f"{f}={s}" for f, s in zip(filters, self.sel, strict=False)) if filters else ",".join(self.sel)
        return f"{self.year} {where} {self.indicator} [{levels}]"


Expr = dict[int, int]  # variable index -> coefficient


def _add(a: Expr, b: Expr, k: int = 1) -> None:
    for v, c in b.items():
        a[v] = a.get(v, 0) + k * c


@dataclass
class Row:
    expr: Expr
    lo: float
    hi: float
    place: Place | None  # the published figure it comes from; None: known structure


class Model:
    def __init__(self) -> None:
        self.keys: dict[tuple, int] = {}
        self.rows: list[Row] = []

    def var(self, key: tuple) -> int:
        k = self.keys.get(key)
        if k is None:
            k = self.keys[key] = len(self.keys)
        return k

    def row(self, expr: Expr, const: int, lo: float, hi: float, place: Place | None) -> None:
        expr = {v: c for v, c in expr.items() if c}
        if expr:
            self.rows.append(Row(expr, lo - const, hi - const, place))


@dataclass
class Term:
    expr: Expr
    const: int = 0

    def plus(self, other: Term, k: int = 1) -> None:
        _add(self.expr, other.expr, k)
        self.const += k * other.const


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _rounded_bounds(text: str, cfg: Disclosure) -> tuple[float, float] | None:
    """The values of a count consistent with an area's published (rounded) text."""
    if text == cfg.symbols.rounds_to_zero:
        return 1, math.ceil(Fraction(cfg.round_base, 2)) - 1
    d = _number(text)
    if d is None:
        return None
    r = int(d)
    if r == 0:
        return 0, 0
    half = Fraction(cfg.round_base, 2)
    return math.ceil(r - half), math.ceil(r + half) - 1


class Builder:
    def __init__(self, rows: Sequence[dict[str, str]], months: dict[str, dict[str, str]], councils: Sequence[Council],
                 agg: Aggregator, cfg: Disclosure, year: int, breakdowns: Sequence[dict[str, str]] = ()) -> None:
        self.agg, self.cfg, self.year = agg, cfg, year
        self.m = Model()
        pub = agg.pub
        self.filters = [f.id for f in pub.filters]
        names = {pub.filter_levels.total: TOTAL, pub.filter_levels.yes: "Y", pub.filter_levels.no: "N"}
        self.table: dict[tuple[str, str, Selection], dict[str, str]] = {}
        for r in rows:
            if r["time_period"] != str(year):
                continue
            code = {NATIONAL: r["country_code"], REGIONAL: r["region_code"]}.get(r["geographic_level"], r["new_la_code"])
            sel = tuple(names[r[f]] for f in self.filters)
            self.table[r["geographic_level"], code, sel] = r
        self.months = months
        self.councils = list(councils)
        self.country = pub.country.code
        self.sels = selections(len(self.filters))
        self.bases = [s for s in self.sels if TOTAL not in s]
        self._bases_of = {sel: [b for b in self.bases if in_selection(b, sel)] for sel in self.sels}
        self.counts = [i for i in agg.inds.values() if i.is_count]
        self.targets: list[tuple[Place, Term, int]] = []  # suppressed council counts, with their true values
        self.grids: list[list[tuple[Place, Term]]] = []  # per council and count, its hidden cells, if one is small
        self._cells: dict[tuple[str, str, Selection], Term] = {}
        self._groups = self._shared_units()
        self.breakdown_rows = [r for r in breakdowns if r["time_period"] == str(year)]
        self._levels: dict[tuple[str, str, str], list[Term]] = {}
        self._sums: dict[tuple[tuple[int, ...], str, Selection], Term] = {}

    # each council's unknowns -------------------------------------------------------------------
    def cell(self, c: Council, ind: str, sel: Selection) -> Term:
        """A council's count in a selection, as the attacker sees it: known groups and unknowns."""
        key = (c.new_la_code, ind, sel)
        t = self._cells.get(key)
        if t is None:
            if TOTAL not in sel:
                text = self.table[LOCAL_AUTHORITY, c.new_la_code, sel][ind]
                d = _number(text)
                t = Term({}, int(d)) if d is not None else Term({self.m.var(("x", *key)): 1})
            else:
                t = Term({})
                for b in self._bases_of[sel]:
                    t.plus(self.cell(c, ind, b))
            self._cells[key] = t
        return t  # shared: callers add it into their own terms, never change it

    def total(self, councils: Sequence[Council], ind: str, sel: Selection) -> Term:
        """The councils' counts in a selection added up (remembered: an area's count and the
        percentages and rates resting on it add up the same cells)."""
        key = (tuple(map(id, councils)), ind, sel)
        t = self._sums.get(key)
        if t is None:
            t = self._sums[key] = Term({})
            for c in councils:
                t.plus(self.cell(c, ind, sel))
        return t  # shared, as cells are

    def _shared_units(self) -> dict[str, str]:
        """Indicators with their own SQL share one set of unknown row counts where their counts are
        the same in every council and group (the attacker reads the definitions: an episode that
        has ended is one, whichever percentage or median it is counted in)."""
        own = [i for i in self.agg.inds.values() if not i.is_count and not i.from_ratio]
        groups: dict[tuple, str] = {}
        out: dict[str, str] = {}
        for ind in own:
            sig = tuple((c.new_la_code, b, sum(c.rows.get(ind.id, {}).get(tuple(x == "Y" for x in b), {}).values()))
                        for c in self.councils for b in self.bases)
            out[ind.id] = groups.setdefault((ind.denominator, sig), ind.id)
        return out

    def units(self, c: Council, ind: Indicator, sel: Selection, kind: str) -> Term:
        """The hidden row counts of an indicator with its own SQL (``n``: rows; ``k``: rows counted)."""
        t = Term({})
        for b in self.bases:
            if in_selection(b, sel):
                group = self._groups[ind.id] if kind == "n" else ind.id
                t.plus(Term({self.m.var((kind, c.new_la_code, group, b)): 1}))
        return t

    # constraints ---------------------------------------------------------------------------
    def build(self) -> Model:
        cfg, sym = self.cfg, self.cfg.symbols
        for c in self.councils:
            for ind in self.counts:
                hidden, small = [], False
                for sel in self.sels:
                    text = self.table[LOCAL_AUTHORITY, c.new_la_code, sel][ind.id]
                    place = Place(self.year, LOCAL_AUTHORITY, c.new_la_code, sel, ind.id)
                    t = self.cell(c, ind.id, sel)
                    d = _number(text)
                    if d is not None:
                        self.m.row(t.expr, t.const, int(d), int(d), place)
                    elif text == sym.suppressed:
                        self.m.row(t.expr, t.const, 1, INF, None)  # a true zero is never suppressed
                        truth = int(self.agg.stat(ind, [c], sel).value or 0)
                        self.targets.append((place, t, truth))
                        hidden.append((place, t))
                        small = small or cfg.is_small(truth)
                if hidden and small:
                    self.grids.append(hidden)
        # The hidden row counts of the indicators with their own SQL bear on a suppressed count only
        # through their denominators: where every council's denominator is known, they are left out.
        self.own_sql = [i for i in self.agg.inds.values() if not i.is_count and not i.from_ratio
                        and (i.denominator not in self.agg.inds
                             or any(self.cell(c, i.denominator, b).expr for c in self.councils for b in self.bases))]
        for c in self.councils:
            self._hidden_units(c)
        areas = [(NATIONAL, self.country, self.councils)]
        for code in sorted({c.region_code for c in self.councils}):
            areas.append((REGIONAL, code, [c for c in self.councils if c.region_code == code]))
        for c in self.councils:
            areas.append((LOCAL_AUTHORITY, c.new_la_code, [c]))
        for level, code, members in areas:
            for sel in self.sels:
                row = self.table[level, code, sel]
                for ind in self.agg.inds.values():
                    place = Place(self.year, level, code, sel, ind.id)
                    if ind.is_count:
                        if level != LOCAL_AUTHORITY:
                            self._area_count(ind, members, sel, row[ind.id], place)
                    else:
                        self._derived(ind, members, sel, row[ind.id], place)
        self._monthly()
        self._breakdowns()
        return self.m

    def _hidden_units(self, c: Council) -> None:
        for ind in self.own_sql:
            for b in self.bases:
                n = self.units(c, ind, b, "n")
                if ind.unit == "percent":
                    k = self.units(c, ind, b, "k")
                    k.plus(n, -1)
                    self.m.row(k.expr, k.const, -INF, 0, None)  # rows counted are among the rows
                if ind.denominator in self.agg.inds:
                    n.plus(self.cell(c, ind.denominator, b), -1)  # the rows are among the denominator's
                    self.m.row(n.expr, n.const, -INF, 0, None)

    def _area_count(self, ind: Indicator, members: Sequence[Council], sel: Selection, text: str, place: Place) -> None:
        bounds = _rounded_bounds(text, self.cfg)
        if bounds is None:
            return
        t = self.total(members, ind.id, sel)
        if not t.expr:  # every council's count known: the area's tells nothing more
            return
        self.m.row(t.expr, t.const, bounds[0], bounds[1], place)

    def _derived(self, ind: Indicator, members: Sequence[Council], sel: Selection, text: str, place: Place) -> None:
        sym = self.cfg.symbols
        if not ind.from_ratio and ind not in self.own_sql:
            return
        covered = self.agg.covered(members, self.agg.needs(ind, sel))
        if not covered:
            return
        if ind.from_ratio:
            num, den = self.total(covered, ind.numerator, sel), self.total(covered, ind.denominator, sel)
            if not num.expr and not den.expr:
                return  # every count it rests on is known: it tells nothing more
        else:
            num, den = Term({}), Term({})
            for c in covered:
                den.plus(self.units(c, ind, sel, "n"))
                if ind.unit == "percent":
                    num.plus(self.units(c, ind, sel, "k"))
        if text == sym.not_applicable:
            self.m.row(den.expr, den.const, 0, 0, place)
            return
        d = _number(text)
        if d is None:
            return
        if ind.unit == "days":  # a median is shown over at least median_minimum rows
            self.m.row(den.expr, den.const, self.cfg.median_minimum, INF, place)
            return
        scale = 100 if ind.unit == "percent" else 1
        p = int(d.scaleb(ind.decimal_places))
        k = 2 * 10 ** ind.decimal_places * scale
        self.m.row(den.expr, den.const, 1, INF, place)
        # (p - 1/2) / 10^dp <= scale * num / den < (p + 1/2) / 10^dp, times 2 * 10^dp * den
        low, high = Term(dict()), Term(dict())
        low.plus(num, k)
        low.plus(den, -(2 * p - 1))
        high.plus(num, k)
        high.plus(den, -(2 * p + 1))
        self.m.row(low.expr, low.const, 0, INF, place)
        self.m.row(high.expr, high.const, -INF, -1, place)

    def _monthly(self) -> None:
        for ind_id, by_month in self.months.items():
            ind = self.agg.inds[ind_id]
            total = Term({})
            for c in self.councils:
                if c.collects(ind.sources):
                    total.plus(self.cell(c, ind_id, (TOTAL,) * len(self.filters)), -1)
            for month, text in by_month.items():
                v = self.m.var(("month", ind_id, month))
                total.plus(Term({v: 1}))
                bounds = _rounded_bounds(text, self.cfg)
                if bounds is not None:
                    self.m.row({v: 1}, 0, bounds[0], bounds[1], Place(self.year, NATIONAL, self.country, (), ind_id, month))
            self.m.row(total.expr, total.const, 0, 0, None)  # the months add up to the year

    # the breakdowns file -------------------------------------------------------------------------
    def levels(self, who: str, ind: str, b: Breakdown, total: Term) -> list[Term]:
        """Counts in each level of a breakdown, of a council or of a region's councils whose counts of
        all children are known (``who``): unknowns, whole and at least 0, tied to the count of all
        children (``total``, the filters at Total) as the breakdown's levels are."""
        key = (who, ind, b.id)
        found = self._levels.get(key)
        if found is None:
            found = self._levels[key] = [Term({self.m.var(("b", *key, k)): 1}) for k in range(len(b.levels))]
            every = Term({})
            for t in found:
                every.plus(t)
            every.plus(total, -1)
            if b.exclusive:  # each child in exactly one level
                self.m.row(every.expr, every.const, 0, 0, None)
            else:  # each child in one or more named levels, or in the last alone
                self.m.row(every.expr, every.const, 0, INF, None)
                for t in found[:-1]:
                    one = Term(dict(t.expr))
                    one.plus(found[-1])
                    one.plus(total, -1)
                    self.m.row(one.expr, one.const, -INF, 0, None)
        return found

    def _who(self, ind: str, region: str, members: Sequence[Council]) -> list[tuple[str, Term]]:
        """Whose level counts a region's sums are made of: each council whose count of all children is
        hidden, and the others together. Together loses the attacker nothing: the councils' sets of
        level counts (each a box with a bound on its sum, given its total) add up to the same set for
        the sum of their totals, whole points included (generalised polymatroids)."""
        total = (TOTAL,) * len(self.filters)
        out, known = [], Term({})
        for c in members:
            t = self.cell(c, ind, total)
            if t.expr:
                out.append((c.new_la_code, t))
            else:
                known.plus(t)
        if len(out) < len(members):
            out.append((f"known:{region}", known))
        return out

    def _breakdowns(self) -> None:
        if not self.breakdown_rows:
            return
        from mcds.stats.breakdowns import BREAKDOWN, TOPIC, breakdown_place, levels_by_label  # (it imports Place)

        by_label = levels_by_label(self.agg.pub)
        regions: dict[str, list[Council]] = {}
        for c in self.councils:
            regions.setdefault(c.region_code, []).append(c)
        total = (TOTAL,) * len(self.filters)
        # a council's levels are tied to its count of all children alone, and to other councils' levels
        # through the areas' sums: where every council's count of all children is known, the levels of
        # that count narrow no hidden count, and are left out
        linked = [ind for ind in self.counts if any(self.cell(c, ind.id, total).expr for c in self.councils)]
        who = {(ind.id, code): self._who(ind.id, code, members) for ind in linked for code, members in regions.items()}
        for r in self.breakdown_rows:
            found = by_label.get((r[TOPIC], r[BREAKDOWN]))
            if found is None:
                continue  # the Total row: the data file's figures again
            b, k = found
            level = r["geographic_level"]
            code = r["region_code"] if level == REGIONAL else self.country
            areas = [code] if level == REGIONAL else list(regions)
            for ind in linked:
                bounds = _rounded_bounds(r.get(ind.id, ""), self.cfg)
                if bounds is None or not any(a in regions for a in areas):
                    continue
                t = Term({})
                for a in areas:
                    for name, total_term in who.get((ind.id, a), ()):
                        t.plus(self.levels(name, ind.id, b, total_term)[k])
                self.m.row(t.expr, t.const, bounds[0], bounds[1],
                           breakdown_place(self.year, level, code, ind.id, b, k))

"""The disclosure audit: everything a run publishes, read as an attacker reads it, and solved.

The attacker sees the data file (council, region and England rows at every filter level, every
indicator) and the report's charts (the same figures, and the monthly counts of episodes). The
unknowns are each council's counts in every group of children (one per combination of Yes/No
filter levels), whole and at least 0, and the hidden counts the percentages rest on. What is
published constrains them:

- a council's count shown is the sum of its groups' counts; a suppressed one is at least 1 (true
  zeros are never suppressed);
- a region's or England's count is the sum of its councils', rounded as published (``low``: from 1
  to below half the rounding base);
- a percentage or rate is its numerator over its denominator rounded as published, at its decimal
  places, over the councils that collect what it needs (a council that does not collect a filter
  field is left out of that filter's percentages, and of nothing else);
- a median shown rests on at least ``median_minimum`` episodes, ``z`` on none;
- the monthly counts are rounded and add up to the England count.

For every suppressed council count the audit solves for the smallest and largest value
consistent with all of it, as an integer programme (HiGHS): the linear relaxation first, which
is exact whenever its optimum is whole, and otherwise the integer programme itself. A cell is
protected when the interval is at least ``protection_width`` wide and when, for an attacker who
also knows the rule (each council's suppressed cells of an indicator include a small one), it
still holds more than one value.

Only councils' unknowns that some suppressed cell is linked to are solved: the unknowns and
constraints fall apart into independent parts, and a part without a suppressed cell tells the
attacker nothing about one.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from mcds.stats.compute import TOTAL, Aggregator, Council, Selection, in_selection, selections
from mcds.stats.config import Disclosure, Indicator

__all__ = ["Audit", "Finding", "Place", "Protection", "audit"]

NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
INF = math.inf


@dataclass(frozen=True, order=True)
class Place:
    """Where a published figure is: a row of the data file and an indicator, or a month of the
    report's chart of monthly counts (``sel`` empty, ``month`` YYYY-MM)."""

    year: int
    level: str
    code: str
    sel: Selection
    indicator: str
    month: str = ""

    def label(self, filters: Sequence[str] = ()) -> str:
        where = f"{self.level} {self.code}" if self.level != NATIONAL else self.code
        if self.month:
            return f"{self.year} {where} {self.indicator} month {self.month}"
        levels = ",".join(f"{f}={s}" for f, s in zip(filters, self.sel, strict=False)) if filters else ",".join(self.sel)
        return f"{self.year} {where} {self.indicator} [{levels}]"


@dataclass
class Finding:
    """The attacker's interval for one suppressed council count."""

    place: Place
    lower: int
    upper: int | None  # None: no upper bound
    single_under_rule: bool = False  # one value only, for an attacker who knows the rule
    binding: list[Place] = field(default_factory=list)  # published figures that narrow it

    @property
    def width(self) -> float:
        return INF if self.upper is None else self.upper - self.lower

    def protected(self, width: int) -> bool:
        return self.width >= width and not self.single_under_rule


@dataclass
class Audit:
    findings: list[Finding]
    width: int
    solves: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.protected(self.width)]


@dataclass
class Protection:
    """How a run's figures were proven protected: the last audit, the figures it had suppressed
    (each with the cell it protects), how many rounds of auditing that took, and how long."""

    audit: Audit
    added: dict[Place, Place]
    rounds: int
    seconds: float


# ---------------------------------------------------------------------------------------------
# The attacker's model


Expr = dict[int, int]  # variable index -> coefficient


def _add(a: Expr, b: Expr, k: int = 1) -> None:
    for v, c in b.items():
        a[v] = a.get(v, 0) + k * c


@dataclass
class _Row:
    expr: Expr
    lo: float
    hi: float
    place: Place | None  # the published figure it comes from; None: known structure


class _Model:
    def __init__(self) -> None:
        self.keys: dict[tuple, int] = {}
        self.rows: list[_Row] = []

    def var(self, key: tuple) -> int:
        k = self.keys.get(key)
        if k is None:
            k = self.keys[key] = len(self.keys)
        return k

    def row(self, expr: Expr, const: int, lo: float, hi: float, place: Place | None) -> None:
        expr = {v: c for v, c in expr.items() if c}
        if expr:
            self.rows.append(_Row(expr, lo - const, hi - const, place))


@dataclass
class _Term:
    expr: Expr
    const: int = 0

    def plus(self, other: _Term, k: int = 1) -> None:
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


class _Builder:
    def __init__(self, rows: Sequence[dict[str, str]], months: dict[str, dict[str, str]], councils: Sequence[Council],
                 agg: Aggregator, cfg: Disclosure, year: int) -> None:
        self.agg, self.cfg, self.year = agg, cfg, year
        self.m = _Model()
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
        self.targets: list[tuple[Place, _Term, int]] = []  # suppressed council counts, with their true values
        self.grids: list[list[tuple[Place, _Term]]] = []  # per council and count, its hidden cells, if one is small
        self._cells: dict[tuple[str, str, Selection], _Term] = {}
        self._groups = self._shared_units()

    # each council's unknowns -------------------------------------------------------------------
    def cell(self, c: Council, ind: str, sel: Selection) -> _Term:
        """A council's count in a selection, as the attacker sees it: known groups and unknowns."""
        key = (c.new_la_code, ind, sel)
        t = self._cells.get(key)
        if t is None:
            if TOTAL not in sel:
                text = self.table[LOCAL_AUTHORITY, c.new_la_code, sel][ind]
                d = _number(text)
                t = _Term({}, int(d)) if d is not None else _Term({self.m.var(("x", *key)): 1})
            else:
                t = _Term({})
                for b in self._bases_of[sel]:
                    t.plus(self.cell(c, ind, b))
            self._cells[key] = t
        return t  # shared: callers add it into their own terms, never change it

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

    def units(self, c: Council, ind: Indicator, sel: Selection, kind: str) -> _Term:
        """The hidden row counts of an indicator with its own SQL (``n``: rows; ``k``: rows counted)."""
        t = _Term({})
        for b in self.bases:
            if in_selection(b, sel):
                group = self._groups[ind.id] if kind == "n" else ind.id
                t.plus(_Term({self.m.var((kind, c.new_la_code, group, b)): 1}))
        return t

    # constraints ---------------------------------------------------------------------------
    def build(self) -> _Model:
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
        cells = [self.cell(c, ind.id, sel) for c in members]
        if not any(t.expr for t in cells):  # every council's count known: the area's tells nothing more
            return
        t = _Term({})
        for cell in cells:
            t.plus(cell)
        self.m.row(t.expr, t.const, bounds[0], bounds[1], place)

    def _derived(self, ind: Indicator, members: Sequence[Council], sel: Selection, text: str, place: Place) -> None:
        sym = self.cfg.symbols
        if not ind.from_ratio and ind not in self.own_sql:
            return
        covered = [c for c in members if c.collects(self.agg.needs(ind, sel))]
        if not covered:
            return
        if ind.from_ratio and not any(self.cell(c, ind.numerator, sel).expr or self.cell(c, ind.denominator, sel).expr
                                      for c in covered):
            return  # every count it rests on is known: it tells nothing more
        num, den = _Term({}), _Term({})
        for c in covered:
            if ind.from_ratio:
                num.plus(self.cell(c, ind.numerator, sel))
                den.plus(self.cell(c, ind.denominator, sel))
            else:
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
        low, high = _Term(dict()), _Term(dict())
        low.plus(num, k)
        low.plus(den, -(2 * p - 1))
        high.plus(num, k)
        high.plus(den, -(2 * p + 1))
        self.m.row(low.expr, low.const, 0, INF, place)
        self.m.row(high.expr, high.const, -INF, -1, place)

    def _monthly(self) -> None:
        for ind_id, by_month in self.months.items():
            ind = self.agg.inds[ind_id]
            total = _Term({})
            for c in self.councils:
                if c.collects(ind.sources):
                    total.plus(self.cell(c, ind_id, (TOTAL,) * len(self.filters)), -1)
            for month, text in by_month.items():
                v = self.m.var(("month", ind_id, month))
                total.plus(_Term({v: 1}))
                bounds = _rounded_bounds(text, self.cfg)
                if bounds is not None:
                    self.m.row({v: 1}, 0, bounds[0], bounds[1], Place(self.year, NATIONAL, self.country, (), ind_id, month))
            self.m.row(total.expr, total.const, 0, 0, None)  # the months add up to the year


# ---------------------------------------------------------------------------------------------
# Solving


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints a banner on the process's stdout (file descriptor 1) the first time a solver is
    made, whatever ``sys.stdout`` is: keep stdout for our output."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _highs():  # type: ignore[no-untyped-def]
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


class _Part:
    """One independent part of the attacker's model, in HiGHS."""

    def __init__(self, nvars: int, rows: list[_Row], targets: list[Expr]) -> None:
        import highspy
        import numpy as np

        self.hs, self.np = highspy, np
        self.rows = rows
        self.nvars = nvars
        self.lp = _highs()
        self.lp.setOptionValue("presolve", "off")  # each solve starts from the last one's basis,
        self.lp.setOptionValue("simplex_strategy", 4)  # by primal simplex: 3 times faster here than dual (measured)
        self.lp.addVars(nvars, np.zeros(nvars), np.full(nvars, highspy.kHighsInf))
        all_rows = [(r.expr, r.lo, r.hi) for r in rows] + [(t, -INF, INF) for t in targets]
        self.first_target_row = len(rows)
        self._add_rows(self.lp, all_rows)
        self.mip = None
        self.all_rows = all_rows
        self.current: dict[int, tuple[float, float]] = {}
        self.solves = 0

    def _add_rows(self, h, rows) -> None:  # type: ignore[no-untyped-def]
        np, inf = self.np, self.hs.kHighsInf
        starts, idx, val = [], [], []
        for expr, _, _ in rows:
            starts.append(len(idx))
            idx += list(expr)
            val += [float(c) for c in expr.values()]
        lo = np.array([inf * -1 if r[1] == -INF else float(r[1]) for r in rows])
        hi = np.array([inf if r[2] == INF else float(r[2]) for r in rows])
        h.addRows(len(rows), lo, hi, len(idx), np.array(starts, dtype=np.int32), np.array(idx, dtype=np.int32),
                  np.array(val))

    def _mip(self):  # type: ignore[no-untyped-def]
        if self.mip is None:
            np = self.np
            self.mip = _highs()
            self.mip.setOptionValue("mip_rel_gap", 0.0)
            self.mip.setOptionValue("mip_abs_gap", 0.5)  # objectives are whole: within 1/2 is the optimum
            self.mip.setOptionValue("time_limit", 5.0)
            self.mip.addVars(self.nvars, np.zeros(self.nvars), np.full(self.nvars, self.hs.kHighsInf))
            self._add_rows(self.mip, self.all_rows)
            self.mip.changeColsIntegrality(self.nvars, np.arange(self.nvars, dtype=np.int32),
                                           np.array([self.hs.HighsVarType.kInteger] * self.nvars))
            for target, (lo, hi) in self.current.items():
                self.set_target_bounds(target, lo, hi)
        return self.mip

    def set_target_bounds(self, target: int, lo: float, hi: float) -> None:
        inf = self.hs.kHighsInf
        for h in (self.lp, self.mip):
            if h is not None:
                h.changeRowBounds(self.first_target_row + target, -inf if lo == -INF else lo, inf if hi == INF else hi)
        self.current[target] = (lo, hi)

    def _objective(self, h, expr: Expr, maximise: bool) -> None:  # type: ignore[no-untyped-def]
        np = self.np
        h.changeColsCost(self.nvars, np.arange(self.nvars, dtype=np.int32), np.zeros(self.nvars))
        h.changeColsCost(len(expr), np.array(list(expr), dtype=np.int32), np.array([float(c) for c in expr.values()]))
        h.changeObjectiveSense(self.hs.ObjSense.kMaximize if maximise else self.hs.ObjSense.kMinimize)

    def relaxed(self, expr: Expr, maximise: bool, binding: bool = False) -> _Bound:
        """The largest (or smallest) value of ``expr`` in the linear relaxation: a bound on the
        attacker's, and the attacker's own when the solution found is whole. ``binding``: also
        say which constraints bind it."""
        hs, np = self.hs, self.np
        self._objective(self.lp, expr, maximise)
        self.lp.run()
        self.solves += 1
        status = self.lp.getModelStatus()
        if status not in (hs.HighsModelStatus.kOptimal, hs.HighsModelStatus.kUnbounded, hs.HighsModelStatus.kInfeasible):
            # the warm start lost its way (numerical trouble): solve again from nothing, by dual simplex
            self.lp.clearSolver()
            self.lp.setOptionValue("simplex_strategy", 1)
            self.lp.run()
            self.lp.setOptionValue("simplex_strategy", 4)
            self.solves += 1
            status = self.lp.getModelStatus()
        if status == hs.HighsModelStatus.kUnbounded:
            return _Bound(INF if maximise else -INF, True, None, [])
        if status != hs.HighsModelStatus.kOptimal:
            return _Bound(None, True, None, [])
        sol = self.lp.getSolution()
        rows: list[int] = []
        if binding:
            duals = np.asarray(sol.row_dual[:self.first_target_row])
            rows = np.flatnonzero(np.abs(duals) > 1e-9).tolist()
        value = self.lp.getInfo().objective_function_value
        x = np.asarray(sol.col_value)
        point = np.rint(x)
        if np.all(np.abs(x - point) < 1e-7):
            return _Bound(round(value), True, point.astype(np.int64).tolist(), rows)
        whole = math.floor(value + 1e-7) if maximise else math.ceil(value - 1e-7)
        return _Bound(whole, False, None, rows)

    def exact(self, expr: Expr, maximise: bool) -> _Bound:
        """The attacker's largest (or smallest) value of ``expr``, as an integer programme. If the
        solver stops early, the best whole solution it found: a value the attacker cannot rule out,
        which errs on the safe side (the interval is at least that wide, and may be wider)."""
        hs = self.hs
        mip = self._mip()
        self._objective(mip, expr, maximise)
        mip.run()
        self.solves += 1
        status = mip.getModelStatus()
        info = mip.getInfo()
        if status == hs.HighsModelStatus.kInfeasible:
            return _Bound(None, True, None, [])
        if status == hs.HighsModelStatus.kUnbounded:
            return _Bound(INF if maximise else -INF, True, None, [])
        if status == hs.HighsModelStatus.kOptimal or info.primal_solution_status == 2:
            point = [round(x) for x in mip.getSolution().col_value]
            return _Bound(round(info.objective_function_value), status == hs.HighsModelStatus.kOptimal, point, [])
        return _Bound(None, False, None, [])


@dataclass
class _Bound:
    value: float | None  # None: no value (infeasible); +-INF: unbounded
    exact: bool  # the attacker's own extreme (else a bound on it from the relaxation)
    point: list[int] | None  # a whole solution reaching ``value``, if one was found
    binding: list[int]


class _Pool:
    """Whole solutions found so far in a part: each is a set of values the attacker cannot rule out."""

    def __init__(self, nvars: int) -> None:
        import numpy as np

        self.np = np
        self.points: list[list[int]] = []
        self._matrix = np.zeros((0, nvars), dtype=np.int64)

    def add(self, point: list[int] | None) -> None:
        if point is not None:
            self.points.append(point)

    def values(self, expr: Expr) -> list[int]:
        """The value of ``expr`` at every solution."""
        np = self.np
        if len(self._matrix) < len(self.points):  # add the new solutions only
            new = np.array(self.points[len(self._matrix):], dtype=np.int64)
            self._matrix = np.vstack([self._matrix, new])
        if not len(self._matrix):
            return []
        idx = np.fromiter(expr, dtype=np.int64, count=len(expr))
        coef = np.fromiter(expr.values(), dtype=np.int64, count=len(expr))
        return (self._matrix[:, idx] @ coef).tolist()


def _interval(part: _Part, expr: Expr, const: int, width: int, place: Place, rows: list[_Row], pool: _Pool) -> Finding:
    """The attacker's interval for one cell. Whole solutions already found (``pool``, to which this
    adds) may show values far enough apart; otherwise the linear relaxation decides when it is
    narrow (the attacker's interval is no wider) or when its solutions are whole, and the integer
    programme is solved only when neither settles it. The interval reported is made of values the
    attacker cannot rule out, each the value of a whole solution (an end is the attacker's
    extreme where it was solved for; the true value is never used)."""
    known = pool.values(expr)
    if known and max(known) - min(known) >= width:
        return Finding(place, min(known) + const, max(known) + const)
    hi, lo = part.relaxed(expr, True), part.relaxed(expr, False)
    hi = hi if hi.value is not None else part.exact(expr, True)  # (the truth is a solution: a solver's
    lo = lo if lo.value is not None else part.exact(expr, False)  # trouble, tried again another way)
    if lo.value is None or hi.value is None:  # still no answer: count the cell as unprotected, to be safe
        return Finding(place, 0, 0)
    pool.add(lo.point)
    pool.add(hi.point)
    if hi.value - lo.value < width:  # too narrow: which published figures make it so
        bound = part.relaxed(expr, True, binding=True).binding + part.relaxed(expr, False, binding=True).binding
        binding = sorted({rows[k].place for k in bound if rows[k].place is not None})
        return Finding(place, int(lo.value + const), None if hi.value == INF else int(hi.value + const),
                       binding=binding)
    seen = pool.values(expr) if not (hi.exact and lo.exact) else []
    top = hi.value if hi.exact else max(seen, default=-INF)
    bottom = lo.value if lo.exact else min(seen, default=INF)
    for maximise in (True, False):
        if top - bottom >= width or (hi if maximise else lo).exact:
            continue
        found = part.exact(expr, maximise)
        pool.add(found.point)
        if found.value is not None:
            top, bottom = (max(top, found.value), bottom) if maximise else (top, min(bottom, found.value))
    if top < bottom:  # no whole solution found at all (the solver stopped early): count it as unprotected
        return Finding(place, 0, 0)
    binding = []
    if top - bottom < width:  # narrow for whole numbers only: what binds the relaxation is still what narrows it
        bound = part.relaxed(expr, True, binding=True).binding + part.relaxed(expr, False, binding=True).binding
        binding = sorted({rows[k].place for k in bound if rows[k].place is not None})
    return Finding(place, int(bottom + const), None if top == INF else int(top + const), binding=binding)


def _several_under_rule(part: _Part, grid: list[tuple[int, Expr, int]], target: int, truth: int,
                        pool: _Pool, cfg: Disclosure, finding: Finding, rows: list[_Row]) -> bool:
    """Can a cell take more than one value for an attacker who knows that one of the council's
    suppressed cells of this count (``grid``: target number, expression, constant) is small?

    First from the whole solutions already found: one where some cell of the grid is small and
    this one differs from the truth is enough. Otherwise each cell in turn is taken to be the
    small one (this one first) and the cell's extremes solved; its values are their union."""
    _, expr, const = next(g for g in grid if g[0] == target)
    cells = [[v + c for v in pool.values(e)] for _, e, c in grid]
    mine = [v + const for v in pool.values(expr)]
    for k, value in enumerate(mine):
        if value != truth and any(cfg.suppress_min <= cell[k] <= cfg.suppress_max for cell in cells):
            return True
    values: set[float] = set()
    for u, _e, uconst in sorted(grid, key=lambda g: g[0] != target):
        part.set_target_bounds(u, cfg.suppress_min - uconst, cfg.suppress_max - uconst)
        try:
            for maximise in (False, True):
                b = part.relaxed(expr, maximise, binding=True)
                if b.value is not None and not b.exact:
                    b = part.exact(expr, maximise)
                pool.add(b.point)
                finding.binding = sorted(set(finding.binding) | {rows[k].place for k in b.binding
                                                                 if rows[k].place is not None})
                if b.value is not None:
                    values.add(b.value + const)
        finally:
            part.set_target_bounds(u, -INF, INF)
        if len(values) > 1:
            return True
    return False


def _components(nvars: int, rows: list[_Row]) -> list[int]:
    parent = list(range(nvars))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in rows:
        vs = list(r.expr)
        ra = find(vs[0])
        for v in vs[1:]:
            rb = find(v)
            if rb != ra:
                parent[rb] = ra
    return [find(v) for v in range(nvars)]


def audit(rows: Sequence[dict[str, str]], months: dict[int, dict[str, dict[str, str]]], councils: Sequence[Council],
          agg: Aggregator, cfg: Disclosure, proven: Mapping[Place, Finding] | None = None) -> Audit:
    """The attacker's interval for every suppressed council count of a run's published figures.

    ``proven``: cells already shown to be protected by an audit of the same figures with fewer of
    them suppressed. Suppressing more only takes constraints away (the attacker's set of
    solutions only grows), so they stay protected and are not solved again; their intervals, made
    of values the attacker cannot rule out, still hold."""
    proven = {p: f for p, f in (proven or {}).items() if f.protected(cfg.width)}
    import time

    began = time.perf_counter()
    findings: list[Finding] = []
    solves = 0
    for year in sorted({c.time_period for c in councils}):
        b = _Builder(rows, months.get(year, {}), [c for c in councils if c.time_period == year], agg, cfg, year)
        model = b.build()
        nvars = len(model.keys)
        comp = _components(nvars, model.rows)
        findings += [Finding(p, t.const, t.const) for p, t, _ in b.targets if not t.expr]  # worked out exactly
        for root in sorted({comp[next(iter(t.expr))] for _, t, _ in b.targets if t.expr}):
            local = {v: k for k, v in enumerate(v for v in range(nvars) if comp[v] == root)}
            rows_here = [_Row({local[v]: c for v, c in r.expr.items()}, r.lo, r.hi, r.place)
                         for r in model.rows if comp[next(iter(r.expr))] == root]
            targets = [(p, t, truth) for p, t, truth in b.targets if t.expr and comp[next(iter(t.expr))] == root]
            findings += [proven[p] for p, _, _ in targets if p in proven]
            if all(p in proven for p, _, _ in targets):
                continue
            exprs = [{local[v]: c for v, c in t.expr.items()} for _, t, _ in targets]
            part = _Part(len(local), rows_here, exprs)
            position = {p: n for n, (p, _, _) in enumerate(targets)}
            found: dict[Place, Finding] = {}
            pool = _Pool(len(local))
            for n, (place, t, _) in enumerate(targets):
                if place in proven:
                    continue
                found[place] = _interval(part, exprs[n], t.const, cfg.width, place, rows_here, pool)
                findings.append(found[place])
            for grid in b.grids:
                cells = [(p, t) for p, t in grid if p in position]
                here = [(position[p], exprs[position[p]], t.const) for p, t in cells]
                for p, _t in cells:
                    n = position[p]
                    if p in proven or found[p].width < cfg.width:  # unprotected already: the rule can only narrow it further
                        continue
                    if not _several_under_rule(part, here, n, targets[n][2], pool, cfg, found[p], rows_here):
                        found[p].single_under_rule = True
            solves += part.solves
    findings.sort(key=lambda f: f.place)
    return Audit(findings, cfg.width, solves, time.perf_counter() - began)

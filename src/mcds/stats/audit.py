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
- the monthly counts are rounded and add up to the England count;
- a region's or England's count by one breakdown level (the breakdowns file) is the sum of its
  councils' counts in that level, rounded as published; each council's counts in the levels of an
  exclusive breakdown add up to its count of all children, and in the levels of one whose levels
  overlap, each is at most that count, and with the level of children in none of them, at least it.

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

from mcds.stats.attack_model import INF, LOCAL_AUTHORITY, NATIONAL, REGIONAL, Builder, Expr, Place, Row
from mcds.stats.compute import Aggregator, Council
from mcds.stats.config import Disclosure

__all__ = ["LOCAL_AUTHORITY", "NATIONAL", "REGIONAL", "Audit", "Finding", "Place", "Protection", "audit"]

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

    def __init__(self, nvars: int, rows: list[Row], targets: list[Expr]) -> None:
        import highspy
        import numpy as np

        self.hs, self.np = highspy, np
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


    def reach(self, expr: Expr, enough: float, maximise: bool) -> list[int] | None:
        """A whole solution where ``expr`` is at least (or at most) ``enough``, if the integer programme
        finds one: the attacker cannot rule it out, which is all a wide interval needs; finding one is
        far cheaper than proving the extreme. None when there is none (or the solver stopped early)."""
        hs, np = self.hs, self.np
        mip = self._mip()
        mip.changeColsCost(self.nvars, np.arange(self.nvars, dtype=np.int32), np.zeros(self.nvars))
        inf = hs.kHighsInf
        lower, upper = (enough, inf) if maximise else (-inf, enough)
        mip.addRow(lower, upper, len(expr), np.array(list(expr), dtype=np.int32),
                   np.array([float(c) for c in expr.values()]))
        try:
            mip.run()
            self.solves += 1
            info = mip.getInfo()
            if mip.getModelStatus() == hs.HighsModelStatus.kOptimal or info.primal_solution_status == 2:
                return [round(x) for x in mip.getSolution().col_value]
            return None
        finally:
            mip.deleteRows(1, np.array([mip.getNumRow() - 1], dtype=np.int32))


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


def _interval(part: _Part, expr: Expr, const: int, width: int, place: Place, rows: list[Row], pool: _Pool) -> Finding:
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
        other = bottom if maximise else top
        if abs(other) != INF:  # a whole solution far enough from the other end settles it
            point = part.reach(expr, other + width if maximise else other - width, maximise)
            if point is not None:
                pool.add(point)
                value = sum(c * point[v] for v, c in expr.items())
                top, bottom = (max(top, value), bottom) if maximise else (top, min(bottom, value))
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
                        pool: _Pool, cfg: Disclosure, finding: Finding, rows: list[Row]) -> bool:
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


def _components(nvars: int, rows: list[Row]) -> list[int]:
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
          agg: Aggregator, cfg: Disclosure, proven: Mapping[Place, Finding] | None = None,
          breakdowns: Sequence[dict[str, str]] = ()) -> Audit:
    """The attacker's interval for every suppressed council count of a run's published figures.

    ``proven``: cells already shown to be protected by an audit of the same figures with fewer of
    them suppressed. Suppressing more only takes constraints away (the attacker's set of
    solutions only grows), so they stay protected and are not solved again; their intervals, made
    of values the attacker cannot rule out, still hold. ``breakdowns``: the rows of the breakdowns
    file (:mod:`mcds.stats.breakdowns`), which the attacker reads too."""
    proven = {p: f for p, f in (proven or {}).items() if f.protected(cfg.width)}
    import time

    began = time.perf_counter()
    findings: list[Finding] = []
    solves = 0
    for year in sorted({c.time_period for c in councils}):
        b = Builder(rows, months.get(year, {}), [c for c in councils if c.time_period == year], agg, cfg, year,
                    breakdowns)
        model = b.build()
        nvars = len(model.keys)
        comp = _components(nvars, model.rows)
        findings += [Finding(p, t.const, t.const) for p, t, _ in b.targets if not t.expr]  # worked out exactly
        for root in sorted({comp[next(iter(t.expr))] for _, t, _ in b.targets if t.expr}):
            local = {v: k for k, v in enumerate(v for v in range(nvars) if comp[v] == root)}
            rows_here = [Row({local[v]: c for v, c in r.expr.items()}, r.lo, r.hi, r.place)
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

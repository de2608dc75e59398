"""Compute the standard's indicators, unrounded, from submissions in the typed shape.

Each indicator's portable SQL (``standard/<version>/indicators/<id>.sql``) runs inside the
connection of each submission, joined to the filters of ``statistics.json``; what comes back
is small: per council and per combination of filter values, the number of rows, or for a
median the number of rows of each value. Aggregates over any set of councils and filter
levels are sums of these, so a council's figures do not depend on which other councils are
in the run, on row order, or on how a council's children are split across files.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import duckdb

from mcds import standard as std
from mcds.errors import InputError
from mcds.stats.config import Indicator, Publication, indicators, publication
from mcds.stats.load import Package
from mcds.stats.versions import Raised, raise_to
from mcds.validation.group import Group, unprefixed

__all__ = ["NO", "TOTAL", "YES", "Aggregator", "Council", "Part", "Stat", "combine", "compute", "group_parts",
           "in_selection", "part", "selections"]

TOTAL, YES, NO = "T", "Y", "N"
Selection = tuple[str, ...]  # one of TOTAL, YES, NO per filter
Base = tuple[bool, ...]  # one boolean per filter: the group a child is in


@dataclass
class Council:
    """What the statistics need of one council in one reporting year (from one or more packages)."""

    time_period: int
    old_la_code: str
    new_la_code: str
    name: str
    region_code: str
    region_name: str
    period_start: dt.date
    period_end: dt.date
    not_collected: set[str] = field(default_factory=set)
    # indicator id -> base group -> Counter{value: rows} (value None for counts)
    rows: dict[str, dict[Base, Counter]] = field(default_factory=dict)
    # indicator id -> Counter{first day of month: rows}, for indicators whose SQL gives an event_date
    months: dict[str, Counter] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    # (source, version) of each package of an older version, with what that version cannot hold
    older: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    # count indicator id -> Counter{(breakdown id, level number): rows}
    breakdowns: dict[str, Counter] = field(default_factory=dict)

    def collects(self, needs: Iterable[str]) -> bool:
        """Does the council's source hold every table or field in ``needs``?"""
        for need in needs:
            table = need.split(".", 1)[0]
            if need in self.not_collected or table in self.not_collected:
                return False
        return True

    def add(self, other: Council) -> None:
        self.not_collected |= other.not_collected
        self.sources += other.sources
        self.older += other.older
        for ind, groups in other.rows.items():
            mine = self.rows.setdefault(ind, {})
            for base, counter in groups.items():
                mine.setdefault(base, Counter()).update(counter)
        for ind, counter in other.months.items():
            self.months.setdefault(ind, Counter()).update(counter)
        for ind, counter in other.breakdowns.items():
            self.breakdowns.setdefault(ind, Counter()).update(counter)


@dataclass(frozen=True)
class Stat:
    """An unrounded statistic: a value, or not collected (``x``), or not applicable (``z``).

    ``bases`` are the counts it rests on (for disclosure control); ``units`` is how many rows
    a median or a percentage computed by its own SQL is over."""

    kind: str  # "value", "x" or "z"
    value: Fraction | int | None = None
    bases: tuple[int, ...] = ()
    units: int = 0


X = Stat("x")
_EMPTY: Counter = Counter()  # never changed: the sum of no rows
_NONE: dict = {}  # never changed: no selections


def _columns(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM (\n{sql}\n) AS q").fetchall()}


Rows = dict[str, dict[Base, Counter]]  # indicator id -> base group -> Counter{value: rows}
Months = dict[str, Counter]  # indicator id -> Counter{first day of month: rows}
Breakdowns = dict[str, Counter]  # count indicator id -> Counter{(breakdown id, level number): rows}
Found = tuple[Rows, Months, Breakdowns]


class _Query:
    """The one query run in a connection, built once per run: the rows of every indicator's SQL,
    joined once to the filter groups and breakdown levels of their children and counted, by filter
    group and, for each breakdown, by its levels alone (grouping sets: one pass over the rows).
    ``by``: a column of ``children`` numbering the submissions the connection holds (a group of
    them), or None.

    A child's level of an exclusive breakdown is the first whose SQL is true, else the last (its
    otherwise level); of one whose levels overlap, the levels whose SQL is true, as the bits of an
    integer (none: the otherwise level)."""

    def __init__(self, inds: Sequence[Indicator], pub: Publication, con: duckdb.DuckDBPyConnection,
                 by: str | None = None) -> None:
        self.inds = [i for i in inds if i.sql]
        self.nfilters = len(pub.filters)
        self.breakdowns = pub.breakdowns
        self.by = by
        groups = [f"coalesce(({f.yes}), false) AS f{n}" for n, f in enumerate(pub.filters)]
        for n, b in enumerate(pub.breakdowns):
            named = [lv for lv in b.levels if not lv.otherwise]
            if b.exclusive:
                cases = " ".join(f"WHEN coalesce(({lv.when}), false) THEN {k}" for k, lv in enumerate(named))
                groups.append(f"CASE {cases} ELSE {len(named)} END AS b{n}")
            else:
                bits = " + ".join(f"CASE WHEN coalesce(({lv.when}), false) THEN {1 << k} ELSE 0 END"
                                  for k, lv in enumerate(named))
                groups.append(f"({bits}) AS b{n}")
        fcols = [f"g.f{n}" for n in range(self.nfilters)]
        bcols = [f"g.b{n}" for n in range(len(pub.breakdowns))]
        branches = []
        self.monthly: set[str] = set()
        for k, ind in enumerate(self.inds):
            cols = _columns(con, ind.sql)
            if "child_id" not in cols:
                msg = f"{ind.sql_path} must return a child_id column"
                raise ValueError(msg)
            value = "CAST(q.value AS DOUBLE)" if "value" in cols else "CAST(NULL AS DOUBLE)"
            month = "CAST(date_trunc('month', q.event_date) AS DATE)" if "event_date" in cols else "CAST(NULL AS DATE)"
            if "event_date" in cols:
                self.monthly.add(ind.id)
            branches.append(f"SELECT {k} AS i, q.child_id, {value} AS v, {month} AS m FROM (\n{ind.sql}\n) AS q")
        pkg = f"g.{by}" if by else "NULL"
        main = ["_pkg", "i", *(f"f{n}" for n in range(self.nfilters)), "v", "m"]
        with_b = ", ".join([f"{pkg} AS _pkg", "r.i", *fcols, "r.v", "r.m", *bcols, "count(*) AS n"])
        spec = pub.breakdowns_published
        # the breakdowns are counted for the count indicators the breakdowns file publishes only, from
        # the rows counted once by child group (filters and breakdown levels): one pass over the rows
        broken = sorted(k for k, i in enumerate(self.inds) if spec is not None and i.is_count
                        and i.id in spec.indicators)
        every = (1 << len(bcols)) - 1  # GROUPING() of the filter groups' set: no breakdown grouped
        nulls = ", ".join(["NULL"] * len(bcols))
        selects = [f"SELECT {', '.join(main)}, {nulls + ', ' if bcols else ''}sum(n)::BIGINT AS n"
                   f"{f', {every} AS _set' if bcols else ''} FROM _agg GROUP BY {', '.join(main)}"]
        if broken:
            for n in range(len(bcols)):
                cols = ", ".join(f"b{j}" if j == n else "NULL" for j in range(len(bcols)))
                head = ", ".join(["_pkg", "i", *(["NULL"] * (self.nfilters + 2))])
                selects.append(f"SELECT {head}, {cols}, sum(n)::BIGINT, {every ^ (1 << (len(bcols) - 1 - n))} "
                               f"FROM _agg WHERE i IN ({', '.join(map(str, broken))}) GROUP BY _pkg, i, b{n}")
        self.sql = (f"WITH _groups AS (SELECT child_id, {f'{by}, ' if by else ''}{', '.join(groups)} FROM children),\n"
                    f"_rows AS (\n" + "\nUNION ALL\n".join(branches) + "\n),\n"
                    f"_agg AS MATERIALIZED (SELECT {with_b} FROM _rows AS r JOIN _groups AS g ON g.child_id = r.child_id "
                    f"GROUP BY ALL)\n" + "\nUNION ALL\n".join(selects))

    def run(self, con: duckdb.DuckDBPyConnection) -> dict[int | None, Found]:
        """Each submission's rows, months and breakdowns (one, keyed None, without ``by``)."""
        out: dict[int | None, Found] = {}
        nf, nb = self.nfilters, len(self.breakdowns)
        every = (1 << nb) - 1  # the grouping-set bits of the filter groups' set: no breakdown grouped
        for r in con.execute(self.sql).fetchall():
            if r[0] not in out:
                out[r[0]] = self.empty()
            rows, months, breakdowns = out[r[0]]
            ind = self.inds[r[1]]
            v, m, n = r[2 + nf], r[3 + nf], r[-2 if nb else -1]
            if nb and r[-1] != every:
                if ind.is_count:
                    k = nb - (every ^ r[-1]).bit_length()  # the breakdown grouped: its bit (from the left) is 0
                    self._add_levels(breakdowns.setdefault(ind.id, Counter()), k, r[4 + nf + k], n)
                continue
            base = tuple(bool(b) for b in r[2:2 + nf])
            value = None if v is None else (int(v) if float(v).is_integer() else Fraction(v))
            rows[ind.id].setdefault(base, Counter())[value] += n
            if m is not None:
                months[ind.id][m] += n
        return out

    def _add_levels(self, counter: Counter, k: int, level: int, n: int) -> None:
        b = self.breakdowns[k]
        if b.exclusive:
            counter[b.id, level] += n
            return
        other = len(b.levels) - 1
        if not level:
            counter[b.id, other] += n
        for bit in range(other):
            if level >> bit & 1:
                counter[b.id, bit] += n

    def empty(self) -> Found:
        return {i.id: {} for i in self.inds}, {i: Counter() for i in self.monthly}, {}


@dataclass
class Part:
    """What one package contributes: its council's data and the hashes of its children's
    identifiers (to check that packages of one council hold different children)."""

    council: Council
    children: frozenset[int]


_queries: dict[tuple[str | None, str | None], _Query] = {}


def _query(version: str | None, con: duckdb.DuckDBPyConnection, by: str | None = None) -> _Query:
    query = _queries.get((version, by))
    if query is None:  # built once per process: the SQL is the same for every package
        query = _queries[(version, by)] = _Query(list(indicators(version).values()), publication(version), con, by)
    return query


def _council(path: Path, old: str, new: str, start: dt.date, end: dt.date, not_collected: Iterable[str],
             found: Found, version: str | None, raised: Raised | None = None) -> Council:
    code = std.load(version).codelist("council").by_code.get(new)
    if code is None or code.extra.get("old_la_code") != old:
        raise InputError(path, f"council {old} {new} is not in the council codelist")
    own = set(not_collected)
    if raised is not None:
        not_collected = raised.not_collected(own)
    older = [(str(path), raised.source, frozenset(set(not_collected) - own))] if raised is not None else []
    return Council(end.year, old, new, code.title, code.extra["region_code"], code.extra["region_name"], start, end,
                   set(not_collected), found[0], found[1], [str(path)], older, found[2])


def part(pkg: Package, version: str | None = None) -> Part:
    """Run the catalogue's SQL in one package; a package of an older version is first brought up to
    ``version`` (:func:`mcds.stats.versions.raise_to`)."""
    raised = raise_to(pkg.con, pkg.path, pkg.version, version)
    query = _query(version, pkg.con)
    found = query.run(pkg.con).get(None) or query.empty()
    c = _council(pkg.path, pkg.old_la_code, pkg.new_la_code, pkg.period_start, pkg.period_end, pkg.not_collected,
                 found, version, raised)
    children = frozenset(r[0] for r in pkg.con.execute("SELECT DISTINCT hash(child_id) FROM children").fetchall())
    return Part(c, children)


def group_parts(group: Group, version: str | None = None) -> list[Part | InputError]:
    """Run the catalogue's SQL once in a checked :class:`~mcds.validation.group.Group`: the part of
    each member, in order (or the error that stops it). Members of an older version are first
    brought up to ``version`` together (:func:`mcds.stats.versions.raise_to`)."""
    if not group.members or group.standard is None:
        return []
    con = group.con
    try:
        raised = raise_to(con, group.members[0].path, group.standard.version, version, group=True)
    except InputError as exc:
        return [InputError(m.path, exc.reason) for m in group.members]
    query = _query(version, con, "_pkg")
    found = query.run(con)
    children: dict[int, set[int]] = {m.number: set() for m in group.members}
    for n, h in con.execute(f"SELECT DISTINCT _pkg, hash({unprefixed('child_id')}) FROM children").fetchall():
        children[n].add(h)
    out: list[Part | InputError] = []
    names = [f.name for f in group.standard.metadata_fields] if group.standard else []
    for m, row in zip(group.members, group.members_metadata(), strict=True):
        meta = dict(zip(names, row, strict=False))
        not_collected = {item.strip() for item in meta.get("not_collected") or () if item.strip()}
        try:
            c = _council(m.path, meta["old_la_code"], meta["new_la_code"], meta["period_start"], meta["period_end"],
                         not_collected, found.get(m.number) or query.empty(), version, raised)
        except InputError as exc:
            out.append(exc)
            continue
        out.append(Part(c, frozenset(children[m.number])))
    return out


def combine(parts: Sequence[Part]) -> list[Council]:
    """The councils of the parts, in a fixed order; parts of the same council and year are added
    together, and must hold different children and the same reporting period."""
    out: dict[tuple[int, str], Council] = {}
    seen: dict[tuple[int, str], frozenset[int]] = {}
    parts_first: dict[tuple[int, str], Council] = {}
    for p in parts:
        c = p.council
        key = (c.time_period, c.new_la_code)
        if key not in out:
            out[key] = parts_first[key] = c
            seen[key] = p.children
            continue
        first = out[key]
        if first is parts_first.get(key):  # never change the caller's parts: add into a copy
            first = out[key] = copy.deepcopy(first)
        if (first.period_start, first.period_end) != (c.period_start, c.period_end):
            raise InputError(c.sources[0], f"council {c.old_la_code} has packages for different reporting periods "
                                           f"ending in {c.time_period}")
        if seen[key] & p.children:
            raise InputError(c.sources[0], f"this package and another one for council {c.old_la_code} hold the same "
                                           "child; packages of one council must hold different children")
        seen[key] |= p.children
        first.add(c)
    return [out[k] for k in sorted(out)]


@functools.cache
def selections(nfilters: int) -> tuple[Selection, ...]:
    """Every combination of filter levels, Total first: (T,T), (T,Y), (T,N), (Y,T), ..."""
    return tuple(itertools.product((TOTAL, YES, NO), repeat=nfilters))


def in_selection(base: Base | Selection, sel: Selection) -> bool:
    """Is the group ``base`` (booleans, or Yes/No levels) within the selection ``sel``?"""
    return all(s == TOTAL or (s == YES) == (b is True or b == YES) for s, b in zip(sel, base, strict=True))


class Aggregator:
    """Unrounded statistics for any set of councils and any selection of filter levels.

    It remembers each council's sums for every indicator and selection (worked out in one pass
    over the council's groups), which a region and England use again, and every statistic asked
    for (disclosure control asks again each round): make a new one after changing a council."""

    def __init__(self, version: str | None = None) -> None:
        self.inds = indicators(version)
        self.pub = publication(version)
        self._sums: dict[int, tuple[Council, dict[str, dict[Selection, Counter]]]] = {}
        self._stats: dict[tuple[tuple[int, ...], str, Selection], tuple[tuple[Council, ...], Stat]] = {}
        self._counts: dict[int, tuple[Council, dict[str, dict[Selection, tuple[int, int]]]]] = {}
        self._area: dict[tuple[int, ...], tuple[tuple[Council, ...], dict[str, dict[Selection, tuple[int, int]]]]] = {}
        self._within: dict[Base, tuple[Selection, ...]] = {}
        self._needs: dict[tuple[str, Selection], tuple[str, ...]] = {}
        self._covered: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[tuple[Council, ...], list[Council]]] = {}

    def needs(self, ind: Indicator, sel: Selection) -> tuple[str, ...]:
        """The tables and fields a statistic of ``ind`` at ``sel`` needs: the indicator's, and the
        fields of each filter not at its Total."""
        key = (ind.id, sel)
        found = self._needs.get(key)
        if found is None:
            extra = [src for f, s in zip(self.pub.filters, sel, strict=True) if s != TOTAL for src in f.sources]
            found = self._needs[key] = (*ind.sources, *extra)
        return found

    def _selections_of(self, base: Base) -> tuple[Selection, ...]:
        """Every selection the group ``base`` is within (each filter at Total or at the group's level)."""
        found = self._within.get(base)
        if found is None:
            found = self._within[base] = tuple(itertools.product(*((TOTAL, YES if b else NO) for b in base)))
        return found

    def sums(self, c: Council) -> dict[str, dict[Selection, Counter]]:
        """The council's rows of every indicator at every selection: {indicator id: {selection: Counter}}."""
        found = self._sums.get(id(c))
        if found is None or found[0] is not c:
            sums: dict[str, dict[Selection, Counter]] = {}
            for ind, groups in c.rows.items():
                per: dict[Selection, Counter] = {}
                for base, counter in groups.items():
                    for sel in self._selections_of(base):
                        total = per.get(sel)
                        if total is None:
                            per[sel] = Counter(counter)
                        else:
                            total.update(counter)
                sums[ind] = per
            found = self._sums[id(c)] = (c, sums)  # the council kept, so that its id is not reused
        return found[1]

    def _council_sum(self, ind: Indicator, c: Council, sel: Selection) -> Counter:
        return self.sums(c).get(ind.id, {}).get(sel) or _EMPTY

    def _count(self, ind: str, councils: Sequence[Council], sel: Selection, true: bool = False) -> int:
        """How many rows of ``ind`` the councils have at ``sel`` (``true``: only rows whose value is true)."""
        counts = self.counts(councils[0]) if len(councils) == 1 else self._area_counts(councils) if councils else _NONE
        return counts.get(ind, _NONE).get(sel, (0, 0))[1 if true else 0]

    def _area_counts(self, area: Sequence[Council]) -> dict[str, dict[Selection, tuple[int, int]]]:
        """:meth:`counts` added up over the councils of ``area`` (remembered per area)."""
        key = tuple(map(id, area))
        found = self._area.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], area, strict=True)):
            total: dict[str, dict[Selection, list[int]]] = {}
            for c in area:
                for ind, per in self.counts(c).items():
                    mine = total.setdefault(ind, {})
                    for sel, (n, k) in per.items():
                        pair = mine.get(sel)
                        if pair is None:
                            mine[sel] = [n, k]
                        else:
                            pair[0] += n
                            pair[1] += k
            counts = {ind: {sel: (n, k) for sel, (n, k) in per.items()} for ind, per in total.items()}
            found = self._area[key] = (tuple(area), counts)
        return found[1]

    def counts(self, c: Council) -> dict[str, dict[Selection, tuple[int, int]]]:
        """The council's number of rows, and of rows whose value is true, of every indicator at every selection."""
        found = self._counts.get(id(c))
        if found is None or found[0] is not c:
            counts = {ind: {sel: (sum(rows.values()), sum(n for v, n in rows.items() if v)) for sel, rows in per.items()}
                      for ind, per in self.sums(c).items()}
            found = self._counts[id(c)] = (c, counts)
        return found[1]

    def _sum(self, ind: Indicator, councils: Sequence[Council], sel: Selection) -> Counter:
        if len(councils) == 1:
            return self._council_sum(ind, councils[0], sel)
        total: Counter = Counter()
        for c in councils:
            total.update(self._council_sum(ind, c, sel))
        return total

    def stat(self, ind: Indicator, area: Sequence[Council], sel: Selection) -> Stat:
        """The unrounded statistic of ``area`` (remembered: disclosure control asks again each round)."""
        ids = tuple(map(id, area))
        key = (ids, ind.id, sel)
        found = self._stats.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], area, strict=True)):
            found = self._stats[key] = (tuple(area), self._stat(ind, area, sel, ids))  # the councils kept: ids not reused
        return found[1]

    def council_stats(self, c: Council) -> dict[tuple[Selection, str], Stat]:
        """Every statistic of one council: {(selection, indicator id): Stat}."""
        return {(sel, i): self.stat(ind, [c], sel) for i, ind in self.inds.items()
                for sel in selections(len(self.pub.filters))}

    def remember(self, c: Council, stats: Mapping[tuple[Selection, str], Stat]) -> None:
        """Take a council's statistics as another Aggregator of the same version worked them out
        (:meth:`council_stats`, in a worker process), instead of working them out again."""
        ids = (id(c),)
        for (sel, i), st in stats.items():
            self._stats[ids, i, sel] = ((c,), st)

    def covered(self, area: Sequence[Council], needs: tuple[str, ...], ids: tuple[int, ...] | None = None) -> list[Council]:
        """The councils of ``area`` that collect everything in ``needs`` (remembered per area)."""
        key = (tuple(map(id, area)) if ids is None else ids, needs)
        found = self._covered.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], area, strict=True)):
            found = self._covered[key] = (tuple(area), [c for c in area if c.collects(needs)])
        return found[1]

    def _stat(self, ind: Indicator, area: Sequence[Council], sel: Selection, ids: tuple[int, ...]) -> Stat:
        needs = self.needs(ind, sel)
        covered = self.covered(area, needs, ids)
        if ind.is_count:
            # a count is complete or not published: councils lacking the source would make it too small
            if not area or len(covered) < len(area):
                return X
            n = self._count(ind.id, area, sel)
            return Stat("value", n, (n,), n)
        if not covered:
            return X
        if ind.from_ratio:
            num = self._count(ind.numerator, covered, sel)
            den = self._count(ind.denominator, covered, sel)
            if den == 0:
                return Stat("z", bases=(num, den))
            scale = 100 if ind.unit == "percent" else 1
            return Stat("value", Fraction(scale * num, den), (num, den), den)
        if ind.unit == "percent":
            n = self._count(ind.id, covered, sel)
            k = self._count(ind.id, covered, sel, true=True)
            if n == 0:
                return Stat("z", bases=(k, n))
            return Stat("value", Fraction(100 * k, n), (k, n), n)
        if ind.unit == "days":
            rows = self._sum(ind, covered, sel)
            n = sum(rows.values())
            if n == 0:
                return Stat("z", bases=(n,))
            return Stat("value", median(rows), (n,), n)
        msg = f"indicator {ind.id}: a {ind.unit} needs a numerator and denominator or its own SQL"
        raise ValueError(msg)

    def months(self, ind: Indicator, area: Sequence[Council]) -> Counter:
        total: Counter = Counter()
        for c in area:
            total.update(c.months.get(ind.id, Counter()))
        return total


def median(rows: Counter) -> Fraction:
    """The median of a multiset given as {value: how many}; the mean of the middle two when even."""
    n = sum(rows.values())
    wanted = sorted({(n - 1) // 2, n // 2})
    found: list[Fraction] = []
    seen = 0
    for value in sorted(rows):
        count = rows[value]
        while wanted and wanted[0] < seen + count:
            found.append(Fraction(value))
            wanted.pop(0)
        seen += count
    if len(found) == 1:
        return found[0]
    return (found[0] + found[1]) / 2


def compute(packages: Sequence[Package], version: str | None = None) -> list[Council]:
    """The councils' data from packages already in the typed shape."""
    return combine([part(p, version) for p in packages])

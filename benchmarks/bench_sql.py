"""Benchmark of the SQL of standard 1.1's indicators and blocking rules (not a test): each query's
time before and after a rewrite for speed, on the same data in the same run, and a check that the
rewritten query returns exactly the rows the original does.

    python benchmarks/bench_sql.py                 # one group of 38 packages, 5 runs of each query
    python benchmarks/bench_sql.py --check-only    # the equivalence check alone
    python benchmarks/bench_sql.py --all --base HEAD~1   # every query whose file changed since a commit

The data are the packages of ``bench_stats.py`` (``benchmarks/data/stats/la_*``; run it once to
generate them), loaded as ``mcds stats`` loads a group: a :class:`~mcds.validation.group.Group` of
one DuckDB thread, checked, then brought up to 1.1 (:func:`mcds.stats.versions.raise_to`). Each
indicator is timed as ``mcds stats`` runs it (:class:`mcds.stats.compute._Query`, joined to the
filter groups and counted), alone and all in one query; each blocking rule that reads tables as a
group runs it, ``SELECT EXISTS (...)`` (on this valid data it finds nothing, so it runs to the end).

The old SQL of a query is its file at ``--base`` (git), the new one the file in the working tree. By
default only the files listed in ``REWRITTEN`` are compared; every other query is timed once and shown
for both. Times are wall seconds, the least of ``--repeat`` runs, old and new taken in turn.

Equivalence: each rewritten query must return the same columns and the same multiset of rows
(``EXCEPT ALL`` both ways) as the old one, on the benchmark data and on two copies of it. The
benchmark's packages are valid and hold no times (1.0 has none), so on them most rules find nothing
and the SQL that reads times goes untried: the *varied* copy gives two episodes and interviews in
three times, moves some dates by days or weeks, leaves some ended episodes open and ends some
placements; the *faulty* copy (for the rules only, which also run on submissions that are not valid;
the indicators only ever run on valid ones) also repeats some rows under the same key with other
dates and blanks some keys. The script exits 1 if any query differs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from mcds.rules import rule_types
from mcds.stats.compute import _Query
from mcds.stats.config import Indicator, indicators, publication
from mcds.stats.versions import raise_to
from mcds.validation.group import SCHEMA, Group, _plan

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data" / "stats"
VERSION = "1.1"
BASE = "debd857"  # the last commit before 1.1's indicators and rules were rewritten for speed (issue 12)
REWRITTEN = (  # files of standard/1.1 rewritten since BASE for speed alone: the same rows, less time
    "indicators/return_interview_offered_percent.sql",
    "indicators/missing_returned_interview_offered_percent.sql",
    "rules/interview-before-episode-end.sql",
    "rules/episode-not-looked-after.sql",
    "rules/episode-ends-after-care-ended.sql",
)
VARIED, FAULTY = "bench_varied", "bench_faulty"  # the schemas of the two copies


def old_text(base: str, path: str) -> str | None:
    """The file ``standard/1.1/<path>`` as it was at commit ``base`` (None if it did not exist)."""
    done = subprocess.run(["git", "show", f"{base}:standard/{VERSION}/{path}"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip().rstrip(";") if done.returncode == 0 else None


def load(n: int) -> Group:
    folders = sorted(DATA.glob("la_*"))[:n]
    if len(folders) < n:
        sys.exit(f"{DATA} holds {len(folders)} packages, not {n}: run benchmarks/bench_stats.py first")
    start = time.perf_counter()
    group = Group(also=[i.sql for i in indicators(VERSION).values() if i.sql], threads=1)
    for f in folders:
        if not group.add(f):
            sys.exit(f"{f} did not join the group")
    if not group.check():
        sys.exit("the group is not valid")
    source = group.standard.version  # type: ignore[union-attr]
    raise_to(group.con, group.members[0].path, source, VERSION, group=True)
    episodes = group.con.execute("SELECT count(*) FROM missing_episodes").fetchone()[0]  # type: ignore[index]
    print(f"{n} packages, {episodes:,} episodes, standard {source} brought up to {VERSION} in "
          f"{time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.1f}\n")
    return group


# ---------------------------------------------------------------- the copies for the equivalence check

def _some(key: str, salt: int, one_in: int, then: str, otherwise: str) -> str:
    """SQL: ``then`` on about one row in ``one_in`` (chosen by a hash of the row's ``key``), else ``otherwise``."""
    return f"CASE WHEN hash({key}, {salt}) % {one_in} = 0 THEN {then} ELSE {otherwise} END"


def _days(key: str, salt: int, spread: int) -> str:
    """SQL: a number of days from -spread to spread, from a hash of the row's ``key``."""
    return f"(CAST(hash({key}, {salt}) % {2 * spread + 1} AS INTEGER) - {spread})"


def _time(key: str, salt: int) -> str:
    """SQL: a time of day on about two rows in three, else blank."""
    return _some(key, salt, 3, "NULL", f"TIME '00:00' + to_minutes(CAST(hash({key}, {salt + 1}) % 1440 AS BIGINT))")


CHANGES = {  # the varied copy: table -> column -> SQL of its new value
    "missing_episodes": {
        "start_time": _time("episode_id", 1),
        "end_time": _time("episode_id", 3),
        "start_date": _some("episode_id", 5, 10, f"start_date + {_days('episode_id', 6, 30)}", "start_date"),
        "end_date": _some("episode_id", 7, 50, "NULL",
                          _some("episode_id", 8, 10, f"end_date + {_days('episode_id', 9, 30)}", "end_date")),
    },
    "placements": {
        "start_date": _some("placement_id", 11, 5, f"start_date + {_days('placement_id', 12, 60)}", "start_date"),
        "end_date": _some("placement_id", 13, 3, "start_date + CAST(hash(placement_id, 14) % 400 AS INTEGER)",
                          "end_date"),
    },
    "return_interviews": {
        "completed_time": _time("interview_id", 21),
        "offered_date": _some("interview_id", 23, 30, "NULL", _some(
            "interview_id", 24, 10, f"offered_date + {_days('interview_id', 25, 5)}", "offered_date")),
        "completed_date": _some("interview_id", 26, 30, "NULL", _some(
            "interview_id", 27, 10, f"completed_date + {_days('interview_id', 28, 5)}", "completed_date")),
    },
}
KEYS = {  # the faulty copy: table -> the two key fields blanked on about one row in 200 each
    "missing_episodes": ("episode_id", "child_id"), "placements": ("placement_id", "child_id"),
    "return_interviews": ("interview_id", "child_id"), "interview_episodes": ("interview_id", "episode_id"),
}


def add_copies(con: duckdb.DuckDBPyConnection) -> None:
    """The schemas ``VARIED`` and ``FAULTY`` (see the module's description)."""
    tables = [t for (t,) in con.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE schema_name = '{SCHEMA}' AND database_name = current_database()"
    ).fetchall()]
    con.execute(f"CREATE SCHEMA {VARIED}")
    con.execute(f"CREATE SCHEMA {FAULTY}")
    for table in tables:
        change = CHANGES.get(table)
        replace = f" REPLACE ({', '.join(f'{v} AS {c}' for c, v in change.items())})" if change else ""
        con.execute(f"CREATE TABLE {VARIED}.{table} AS SELECT *{replace} FROM {SCHEMA}.{table}")
        faulty = f"SELECT * FROM {VARIED}.{table}"
        if table in KEYS:
            first, second = KEYS[table]
            blank = f"{_some(first, 31, 200, 'NULL', first)} AS {first}, {_some(first, 32, 200, 'NULL', second)} AS {second}"
            dates = [c for c, kind, *_ in con.execute(f"DESCRIBE {VARIED}.{table}").fetchall() if kind == "DATE"]
            moved = f" REPLACE ({', '.join(f'{c} + {_days(first, 34, 3)} AS {c}' for c in dates)})" if dates else ""
            faulty = (f"SELECT * REPLACE ({blank}) FROM {VARIED}.{table} "
                      f"UNION ALL SELECT *{moved} FROM {VARIED}.{table} WHERE hash({first}, 33) % 100 = 0")
        con.execute(f"CREATE TABLE {FAULTY}.{table} AS {faulty}")


def differences(con: duckdb.DuckDBPyConnection, old: str, new: str) -> tuple[int, str | None]:
    """The rows ``old`` returns, and None if ``new`` returns the same columns and the same multiset of rows."""
    a = [r[:2] for r in con.execute(f"DESCRIBE SELECT * FROM (\n{old}\n) AS q").fetchall()]
    b = [r[:2] for r in con.execute(f"DESCRIBE SELECT * FROM (\n{new}\n) AS q").fetchall()]
    if a != b:
        return 0, f"columns {a} became {b}"

    def count(sql: str) -> int:
        return con.execute(f"SELECT count(*) FROM ({sql}) AS q").fetchone()[0]  # type: ignore[index]

    n = count(f"\n{old}\n")
    lost, gained = count(f"(\n{old}\n) EXCEPT ALL (\n{new}\n)"), count(f"(\n{new}\n) EXCEPT ALL (\n{old}\n)")
    return n, f"{lost} of {n:,} rows lost, {gained} gained" if lost or gained else None


# ---------------------------------------------------------------- timing

@dataclasses.dataclass
class Case:
    """One query: its old and new text, and how to run a text as ``mcds stats`` runs it."""

    name: str
    old: str
    new: str
    prepare: Callable[[str], Callable[[], object]]  # a text -> a function running it
    rule: bool = False
    old_s: float = float("inf")
    new_s: float = float("inf")

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def time_case(c: Case, repeat: int) -> None:
    old, new = c.prepare(c.old), c.prepare(c.new)
    new()  # warm up: the first use of a table or a function costs more
    for _ in range(repeat):
        c.new_s = min(c.new_s, _seconds(new))
        c.old_s = min(c.old_s, _seconds(old)) if c.changed else c.new_s


def show(title: str, cases: list[Case], total: Case | None = None) -> None:
    width = max(len(title), *(len(c.name) for c in cases))
    print(f"{title:{width}s}    old s    new s  new/old")
    for c in sorted(cases, key=lambda c: -c.old_s):
        print(f"{c.name:{width}s}  {c.old_s:7.3f}  {c.new_s:7.3f}  {c.new_s / c.old_s:7.2f}"
              f"{'' if c.changed else '  (same SQL)'}")
    old, new = sum(c.old_s for c in cases), sum(c.new_s for c in cases)
    print(f"{'sum':{width}s}  {old:7.3f}  {new:7.3f}  {new / old:7.2f}")
    if total:
        print(f"{total.name:{width}s}  {total.old_s:7.3f}  {total.new_s:7.3f}  {total.new_s / total.old_s:7.2f}")
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default=BASE, help=f"the commit whose SQL is the old one (default {BASE})")
    ap.add_argument("--all", action="store_true", help="compare every query whose file changed since --base, "
                                                       "not only those in REWRITTEN")
    ap.add_argument("--packages", type=int, default=38, help="packages in the group (default 38)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query, the least kept (default 5)")
    ap.add_argument("--check-only", action="store_true", help="check the equivalence, time nothing")
    args = ap.parse_args()

    group = load(args.packages)
    con = group.con
    pub = publication(VERSION)

    def old_of(path: str, new: str) -> str:
        old = old_text(args.base, path) if args.all or path in REWRITTEN else None
        return new if old is None else old

    inds = [i for i in indicators(VERSION).values() if i.sql]

    def indicator(ind: Indicator) -> Callable[[str], Callable[[], object]]:
        def prepare(sql: str) -> Callable[[], object]:
            query = _Query([dataclasses.replace(ind, sql=sql)], pub, con, "_pkg")
            return lambda: query.run(con)
        return prepare

    def rule(sql: str) -> Callable[[], object]:
        return lambda: con.execute(f"SELECT EXISTS (\n{sql}\n)").fetchone()

    ind_cases = [Case(i.id, old_of(i.sql_path, i.sql), i.sql, indicator(i)) for i in inds]
    data_rules = set(_plan(VERSION, ()).data_rules)  # the blocking rules that read tables, as the group has them
    rule_cases = [Case(k.code, old_of(k.rule, sql), sql, rule, rule=True) for k in rule_types(VERSION)
                  if (sql := (k.sql(VERSION) or "").strip().rstrip(";")) in data_rules]

    add_copies(con)
    failed = []
    print("Equivalence: rows the old query returns on the benchmark data, the varied copy, the faulty copy")
    for c in ind_cases + rule_cases:
        if not c.changed:
            continue
        counts, bad = [], []
        for schema in (SCHEMA, VARIED, FAULTY) if c.rule else (SCHEMA, VARIED):
            con.execute(f"SET search_path = '{schema},main'")
            n, why = differences(con, c.old, c.new)
            counts.append(f"{n:,}")
            if why:
                bad.append(f"{schema}: {why}")
        print(f"  {c.name}: {', '.join(counts)}: {'DIFFERENT (' + '; '.join(bad) + ')' if bad else 'the same rows'}")
        failed += bad
    con.execute(f"SET search_path = '{SCHEMA},main'")
    print()
    if args.check_only:
        group.close()
        return 1 if failed else 0

    for c in ind_cases:
        time_case(c, args.repeat)

    def everything(texts: list[str]) -> Callable[[], object]:
        query = _Query([dataclasses.replace(i, sql=t) for i, t in zip(inds, texts, strict=True)], pub, con, "_pkg")
        return lambda: query.run(con)

    texts = {"old": [c.old for c in ind_cases], "new": [c.new for c in ind_cases]}
    total = Case("all in one query", "old", "new" if texts["old"] != texts["new"] else "old",
                 lambda which: everything(texts[which]))
    time_case(total, args.repeat)
    show("indicator (mcds.stats.compute._Query)", ind_cases, total)

    for c in rule_cases:
        time_case(c, args.repeat)
    show("blocking rule (SELECT EXISTS)", rule_cases)
    group.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of ``mcds stats`` (not a test): 150 council packages holding 2,000,000 missing
episodes in all, generated with a fixed seed under ``benchmarks/data/`` (gitignored), then
``mcds stats`` run on them once, printing wall time and peak memory.

    python benchmarks/bench_stats.py            # generate once, then time mcds stats
    python benchmarks/bench_stats.py --regenerate

The data is synthetic and keeps to the standard's rules (the run validates every package).
Target: under 10 seconds wall on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mcds import standard as std
from mcds.submission import Submission, write_csv_package

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "stats"
OUT = HERE / "out" / "stats"
SEED = 20261125
VERSION = "1.0"  # the packages follow 1.0: a run brings them up to the current version, as councils' would be
COUNCILS = 150
EPISODES = 2_000_000
CHILDREN_PER_COUNCIL = 3000
MISSING_SHARE = 0.33
PERIOD = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def councils_in_operation(n: int) -> list[tuple[str, str]]:
    out = []
    for c in std.load(VERSION).codelist("council").codes:
        start, end = c.extra.get("valid_from") or "0000", c.extra.get("valid_to") or "9999"
        if start <= PERIOD[0].isoformat() and end >= PERIOD[1].isoformat():
            out.append((c.extra["old_la_code"], c.code))
    return sorted(out)[:n]


def _iso(d: dt.date | None) -> str:
    return "" if d is None else d.isoformat()


def make_council(folder: Path, old: str, new: str, episodes: int, rng: random.Random) -> None:
    meta = {"standard_version": VERSION, "old_la_code": old, "new_la_code": new,
            "period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat(),
            "software": "mcds benchmark generator", "created": "2025-05-01T09:00:00Z", "pseudonymised": "true"}
    write_csv_package(Submission(meta), folder)  # datapackage.json and empty tables; rows written below
    s = std.load(VERSION)
    cols = {t.name: t.field_names for t in s.tables.values()}
    rows: dict[str, list[list[str]]] = {t: [] for t in cols}
    n = CHILDREN_PER_COUNCIL
    missing = rng.sample(range(n), int(n * MISSING_SHARE))
    weights = [rng.paretovariate(1.6) for _ in missing]
    per_child = dict.fromkeys(missing, 1)
    for child in rng.choices(missing, weights, k=episodes - len(missing)):
        per_child[child] += 1
    ep_no = iv_no = 0
    for k in range(n):
        cid = f"{old}c{k:05d}"
        uasc = rng.random() < 0.15
        born = dt.date(rng.randint(2007, 2010) if uasc else rng.randint(2008, 2023), rng.randint(1, 12), 1)
        if born >= dt.date(2007, 6, 1) or not uasc:
            pass
        if uasc and born < dt.date(2007, 6, 1):
            born = dt.date(2007, 6, 1)
        concern = rng.choices(["none_known", "suspected", "identified"], [88, 8, 4])[0]
        referral = _iso(dt.date(2024, 4, 1) + dt.timedelta(days=rng.randint(0, 360))) \
            if concern != "none_known" and rng.random() < 0.5 else ""
        rows["children"].append([cid, born.strftime("%Y-%m"), rng.choice("MF"), "WBRI", "", "true" if uasc else "false",
                                 "2023-06-01" if uasc else "", "", concern, referral, "", "", "", "", "", "", "", "", ""])
        rows["placements"].append([f"{cid}p", cid, "2024-01-01", "", "C2", "U1", "", "true", ""])
        count = min(per_child.get(k, 0), 300)
        if not count:
            continue
        starts = sorted(rng.sample(range(365), count))
        for j, start in enumerate(starts):
            begin = PERIOD[0] + dt.timedelta(days=start)
            nxt = PERIOD[0] + dt.timedelta(days=starts[j + 1]) if j + 1 < count else None
            end: dt.date | None = begin + dt.timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 3, 5, 9)))
            if nxt is not None and end > nxt:
                end = nxt
            if nxt is None and rng.random() < 0.03:
                end = None
            ep_no += 1
            eid = f"e{ep_no}"
            kind = rng.choices(["missing", "away", "not_distinguished"], [60, 30, 10])[0]
            rows["missing_episodes"].append([eid, cid, f"{cid}p", kind, _iso(begin), "", _iso(end), "", "", "",
                                             "returned" if end else "still_missing", ""])
            if end is not None and rng.random() < 0.75:
                iv_no += 1
                iid = f"r{iv_no}"
                offered = end + dt.timedelta(days=rng.randint(0, 2))
                rows["return_interviews"].append([iid, cid, _iso(offered), "true",
                                                  _iso(offered + dt.timedelta(days=rng.randint(0, 5))), "true"])
                rows["interview_episodes"].append([iid, eid])
    for table, data in rows.items():
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols[table])
            w.writerows(data)


def generate(regenerate: bool) -> list[Path]:
    stamp = DATA / "parameters.json"
    params = {"seed": SEED, "councils": COUNCILS, "episodes": EPISODES, "children": CHILDREN_PER_COUNCIL,
              "generator": 1}
    councils = councils_in_operation(COUNCILS)
    folders = [DATA / f"la_{old}" for old, _ in councils]
    if not regenerate and stamp.is_file() and json.loads(stamp.read_text()) == params:
        return folders
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    rng = random.Random(SEED)
    base, extra = divmod(EPISODES, COUNCILS)
    t = time.perf_counter()
    for i, ((old, new), folder) in enumerate(zip(councils, folders, strict=True)):
        make_council(folder, old, new, base + (1 if i < extra else 0), rng)
    stamp.write_text(json.dumps(params))
    print(f"generated {COUNCILS} packages, {EPISODES:,} episodes in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return folders


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB. It follows each
    process's list of children rather than reading every process on the machine, so that measuring
    takes little from the run measured (about 0.1 ms a look)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total / 1024


def time_cli(folders: list[Path]) -> tuple[float, float, subprocess.CompletedProcess[str] | None, int]:
    mcds = Path(sys.executable).with_name("mcds")
    shutil.rmtree(OUT, ignore_errors=True)
    t = time.perf_counter()
    proc = subprocess.Popen([str(mcds), "stats", *map(str, folders), "--out", str(OUT)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - t
    err = proc.stderr.read() if proc.stderr else ""
    return wall, peak, (err if proc.returncode else None), proc.returncode  # type: ignore[return-value]


def breakdown(folders: list[Path]) -> None:
    """Where the time goes, in one process, as one group (mcds.validation.group): taking each
    package in (its descriptor, headers and metadata; no data read yet), then reading every
    package's files and checking their cells, keys and rules at once, computing the indicators, then
    combining, disclosure control and writing."""
    from mcds.stats import combine, write
    from mcds.stats.compute import Aggregator, group_parts
    from mcds.stats.config import disclosure_settings, indicators
    from mcds.stats.protect import protect
    from mcds.validation.group import Group

    t = time.perf_counter()
    group = Group(also=[i.sql for i in indicators().values() if i.sql])
    joined = sum(group.add(folder) for folder in folders)
    t1 = time.perf_counter()
    valid = group.check()
    t2 = time.perf_counter()
    parts = group_parts(group)
    group.close()
    t3 = time.perf_counter()
    cfg = disclosure_settings()
    result = protect(combine(parts), cfg, Aggregator())  # type: ignore[arg-type]
    write(result, OUT.with_name("stats-breakdown"), cfg)
    t4 = time.perf_counter()
    print(f"  one process, one group ({joined} joined, valid {valid}): taking each package in "
          f"{t1 - t:.2f} s, reading and checking the cells, keys and rules of all {t2 - t1:.2f} s, "
          f"indicators {t3 - t2:.2f} s, combining, disclosure control and writing {t4 - t3:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--regenerate", action="store_true", help="generate the packages again")
    ap.add_argument("--breakdown", action="store_true", help="also time each phase in one process")
    args = ap.parse_args()
    folders = generate(args.regenerate)
    load = os.getloadavg()[0]
    wall, peak, err, code = time_cli(folders)
    if code:
        print(err[-3000:] if err else "", file=sys.stderr)
        return code
    rows = len((OUT / "missing_from_care.csv").read_text(encoding="utf-8").splitlines()) - 1
    print(f"mcds stats: {len(folders)} packages, {EPISODES:,} missing episodes -> {rows} rows: "
          f"wall {wall:.2f} s, peak memory {peak:.0f} MB (all processes; {os.cpu_count()} cores, "
          f"load average {load:.1f} at start)")
    if args.breakdown:
        breakdown(folders)
    return 0


if __name__ == "__main__":
    sys.exit(main())

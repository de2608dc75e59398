"""Benchmark: `mcds validate` against `frictionless validate` on a national-scale CSV package.

    python benchmarks/bench_validate.py [--episodes 1000000] [--subset 100000] [--regenerate] [--frictionless-full]
    python benchmarks/bench_validate.py --faulty [--repeat 3]

With ``--faulty`` it writes a copy of the full package whose missing episodes' start dates are all
written ``dd/mm/yyyy`` (as Excel re-saves a CSV), and times `mcds validate --format json` on the clean
package and on the faulty copy side by side: wall time, peak memory, issues listed and counted, the
size of the JSON report, and the ratio faulty / clean, the best of ``--repeat`` runs of each, alternating.

Generates with a fixed seed (under benchmarks/data/, gitignored) a package of 1,000,000 missing
episodes with their children, placements, return interviews and interview links, with a small
share of injected faults of known kinds and rows; then times, each in its own subprocess,
`mcds validate --format json` (every check: structure, cells, keys, rules) and `frictionless
validate` (its structural checks), printing wall time, peak memory (the child's maximum resident
set), issues found, whether every injected fault was found, and the ratio.

Frictionless reads row by row in Python and takes many minutes on the full package, so it is
timed on a subset: the first --subset episodes' children with every row that belongs to them (a
self-contained package written alongside), and its time is scaled by the ratio of rows. The output
says so. mcds is timed on both, so the ratio on the subset is measured, not scaled.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
SEED = 20261125
BIN = Path(sys.executable).parent

sys.path.insert(0, str(ROOT / "src"))

from mcds.generate import dumps  # noqa: E402
from mcds.submission import Submission, descriptor  # noqa: E402

PERIOD_START, PERIOD_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
TABLES = ("children", "placements", "missing_episodes", "return_interviews", "interview_episodes")
FAULT_KINDS = {
    # kind: (expected code, table, field)
    "bad-date": ("type-error", "missing_episodes", "start_date"),
    "bad-code": ("codelist-value", "missing_episodes", "episode_type"),
    "bad-boolean": ("type-error", "missing_episodes", "reported_to_police"),
    "missing-required": ("required-missing", "children", "sex"),
    "duplicate-key": ("primary-key-duplicate", "missing_episodes", "episode_id"),
    "broken-reference": ("foreign-key-missing", "interview_episodes", "episode_id"),
    "ends-before-start": ("episode-ends-before-start", "missing_episodes", "end_date"),
    "unknown-child": ("foreign-key-missing", "missing_episodes", "child_id"),
}
FAULTS_PER_KIND = 25


class Writer:
    """Writes the full package and, for the first children, the subset package."""

    def __init__(self, full: Path, subset: Path) -> None:
        self.files, self.writers, self.rows, self.order = {}, {}, {}, {}
        for folder in (full, subset):
            folder.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            for key, folder in (("full", full), ("subset", subset)):
                fh = open(folder / f"{t}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
                self.files[(key, t)] = fh
                self.writers[(key, t)] = csv.writer(fh, lineterminator="\n")
                self.rows[(key, t)] = 1

    def header(self, t: str, names: list[str], written: list[str]) -> None:
        """The current version's header; rows are given in the order of ``written`` (version 1.0's fields),
        and fields ``written`` does not have are left empty."""
        at = {n: i for i, n in enumerate(written)}
        self.order[t] = [at.get(n) for n in names]
        for key in ("full", "subset"):
            self.writers[(key, t)].writerow(names)

    def row(self, t: str, cells: list[object], in_subset: bool) -> tuple[int, int | None]:
        """Write a row; return its row number in the full file and in the subset file."""
        cells = ["" if i is None else cells[i] for i in self.order[t]]
        self.writers[("full", t)].writerow(cells)
        self.rows[("full", t)] += 1
        sub = None
        if in_subset:
            self.writers[("subset", t)].writerow(cells)
            self.rows[("subset", t)] += 1
            sub = self.rows[("subset", t)]
        return self.rows[("full", t)], sub

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def generate(folder: Path, episodes: int, subset_episodes: int) -> dict:
    from mcds import standard as std

    s = std.load()
    written = std.load("1.0")  # the rows below are written in version 1.0's field order
    rng = random.Random(SEED)
    full, subset = folder / "full", folder / "subset"
    for f in (full, subset):
        shutil.rmtree(f, ignore_errors=True)
    w = Writer(full, subset)
    for t in TABLES:
        w.header(t, list(s.tables[t].field_names), list(written.tables[t].field_names))
    for t in set(s.tables) - set(TABLES):  # tables the generator does not fill: their header only
        for f in (full, subset):
            (f / f"{t}.csv").write_text(",".join(s.tables[t].field_names) + "\n", encoding="utf-8")
    day = [PERIOD_START + dt.timedelta(days=i) for i in range(-4000, 800)]
    iso = {d: d.isoformat() for d in day}
    n_children = max(1, episodes * 3 // 10)
    # choose which episodes get a fault (never two on one episode), spread across the file and
    # across the subset, so both runs meet every kind
    kinds = sorted(FAULT_KINDS)
    pool = rng.sample(range(10, episodes - 10), FAULTS_PER_KIND * len(kinds) * 3)
    sub_pool = rng.sample(range(10, max(11, subset_episodes - 10)), min(subset_episodes // 20, 4 * len(kinds)))
    chosen = sorted(set(pool[: FAULTS_PER_KIND * len(kinds)] + sub_pool))
    chosen = [c for i, c in enumerate(chosen) if i == 0 or c - chosen[i - 1] > 2]
    fault_at = {e: kinds[i % len(kinds)] for i, e in enumerate(chosen)}
    injected: dict[str, list] = {"full": [], "subset": []}

    def note(kind: str, rows: tuple[int, int | None]) -> None:
        code, table, field = FAULT_KINDS[kind]
        injected["full"].append([code, table, rows[0], field])
        if rows[1] is not None:
            injected["subset"].append([code, table, rows[1], field])

    ep = pid = iid = 0
    per_child = [0] * n_children
    for _ in range(episodes):  # spread the episodes over the children: a few children go missing very often
        n = min(n_children - 1, int(rng.paretovariate(1.2)) - 1) if rng.random() < 0.3 else rng.randrange(n_children)
        while per_child[n] >= 50:  # at most 50 a year each, so that every episode falls in the period
            n = rng.randrange(n_children)
        per_child[n] += 1
    prev_episode_id = None
    for n in range(n_children):
        cid = f"C{n:07d}"
        in_sub = ep < subset_episodes
        uasc = rng.random() < 0.2
        age = rng.randint(12, 16) if uasc else rng.randint(2, 16)
        birth = PERIOD_START.replace(year=PERIOD_START.year - age - 1, month=rng.randint(1, 12))
        concern = "none_known" if rng.random() < 0.9 else rng.choice(["suspected", "identified"])
        sex = rng.choice("MF")
        child_fault = None
        if per_child[n] and fault_at.get(ep) == "missing-required":
            child_fault, sex = "missing-required", ""
        rows = w.row("children", [cid, birth.strftime("%Y-%m"), sex, rng.choice(["WBRI", "WOTH", "BAFR", "AOTH", "MWBC"]),
                                  rng.choice(["GBR", "AFG", "ERI", "VNM", "ALB"]), "true" if uasc else "false",
                                  iso[day[3990]] if uasc else "", "", concern] + [""] * 10, in_sub)
        if child_fault:
            note(child_fault, rows)
        care_start = day[rng.randint(1000, 3999)]
        cut = day[4000 + rng.randint(30, 300)]
        pid += 1
        p1 = f"P{pid}"
        w.row("placements", [p1, cid, iso[care_start], iso[cut], "C2", "U6", "PR1", "true", "X1"], in_sub)
        pid += 1
        p2 = f"P{pid}"
        w.row("placements", [p2, cid, iso[cut], "", "C2", rng.choice(["U4", "K2", "U6"]), "PR4", "false", ""], in_sub)
        cursor = 4000 + rng.randint(0, 20)
        for _ in range(per_child[n]):
            ep += 1
            eid = f"E{ep}"
            length = rng.choice([0, 0, 1, 1, 2, 3])
            start, end = day[min(cursor, len(day) - 10)], day[min(cursor + length, len(day) - 10)]
            cursor += length + rng.randint(0, 3)
            kind = fault_at.get(ep - 1)
            cells = [eid, cid, p1 if start < cut else p2, rng.choice(["missing", "away"]), iso[start], "", iso[end], "",
                     rng.choice(["true", "false"]), rng.choice(["low", "medium", "high"]), "returned", "in_council_area"]
            if kind == "bad-date":
                cells[4] = start.strftime("%d/%m/%Y")
            elif kind == "bad-code":
                cells[3] = "Missing"
            elif kind == "bad-boolean":
                cells[8] = "Y"
            elif kind == "duplicate-key" and prev_episode_id:
                cells[0] = prev_episode_id
            elif kind == "ends-before-start":
                cells[6] = iso[start - dt.timedelta(days=1)]
            elif kind == "unknown-child":
                cells[1] = "X" + cid
            rows = w.row("missing_episodes", cells, in_sub)
            if kind in ("bad-date", "bad-code", "bad-boolean", "ends-before-start", "unknown-child") or \
                    (kind == "duplicate-key" and prev_episode_id):
                note(kind, rows)
            prev_episode_id = cells[0]
            if rng.random() < 0.7 and kind not in ("duplicate-key", "ends-before-start", "bad-date"):
                iid += 1
                rid = f"R{iid}"
                offered = end + dt.timedelta(days=rng.choice([0, 1]))
                w.row("return_interviews", [rid, cells[1], iso[offered], "true", iso[offered + dt.timedelta(days=1)],
                                            "true"], in_sub)
                rows = w.row("interview_episodes", [rid, "E_missing" if kind == "broken-reference" else eid], in_sub)
                if kind == "broken-reference":
                    note(kind, rows)
    w.close()
    for _key, f in (("full", full), ("subset", subset)):
        sub = Submission({"standard_version": s.version, "old_la_code": "886", "new_la_code": "E10000016",
                          "period_start": PERIOD_START.isoformat(), "period_end": PERIOD_END.isoformat(),
                          "software": "mcds benchmark generator", "created": "2025-05-01T09:00:00Z", "pseudonymised": "true"})
        (f / "datapackage.json").write_text(dumps(descriptor(sub)), encoding="utf-8")
    rows = {key: {t: w.rows[(key, t)] - 1 for t in TABLES} for key in ("full", "subset")}
    manifest = {"seed": SEED, "episodes": episodes, "subset_episodes": subset_episodes, "rows": rows, "injected": injected}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def run(cmd: list[str], out: Path) -> tuple[float, float, int, float]:
    """Run a command with stdout to ``out``; return wall seconds, peak RSS (MB) of the child, exit code and
    CPU seconds (user + system, every thread)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = r0.ru_maxrss
    t = time.perf_counter()
    with open(out, "w", encoding="utf-8") as fh:
        p = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = r1.ru_maxrss
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    if p.returncode not in (0, 1):
        print(f"  {cmd[0]} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    # ru_maxrss is the largest child so far: run the lighter command first (mcds), or read it as an upper bound
    return wall, max(peak, before) / 1024, p.returncode, cpu


def mcds_found(out: Path, injected: list[list]) -> tuple[int, int, list]:
    report = json.loads(out.read_text(encoding="utf-8"))
    got = {(i["code"], i["table"], i["row"], i["field"]) for i in report["issues"]}
    missed = [i for i in injected if tuple(i) not in got]
    return len(report["issues"]), len(injected) - len(missed), missed


def frictionless_errors(out: Path) -> int:
    try:
        report = json.loads(out.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return -1
    return sum(len(t.get("errors", [])) for t in report.get("tasks", []))


FAULTY_TABLE, FAULTY_FIELD = "missing_episodes", "start_date"


def write_faulty(full: Path, faulty: Path) -> int:
    """A copy of ``full`` with every start date of the missing episodes written dd/mm/yyyy; the rows changed."""
    shutil.rmtree(faulty, ignore_errors=True)
    shutil.copytree(full, faulty)
    src = full / f"{FAULTY_TABLE}.csv"
    n = 0
    with open(src, newline="", encoding="utf-8") as fin, \
            open(faulty / src.name, "w", newline="", encoding="utf-8") as fout:
        r, w = csv.reader(fin), csv.writer(fout, lineterminator="\n")
        header = next(r)
        w.writerow(header)
        at = header.index(FAULTY_FIELD)
        for row in r:
            if row[at].count("-") == 2:  # (a few are already injected faults)
                y, m, d = row[at].split("-")
                row[at] = f"{d}/{m}/{y}"
                n += 1
            w.writerow(row)
    return n


def report_figures(out: Path) -> tuple[int, int, int]:
    """Issues listed, issues counted and column faults in a JSON report."""
    report = json.loads(out.read_text(encoding="utf-8"))
    faults = sum(i["code"] == "column-fault" for i in report["issues"])
    return len(report["issues"]), sum(report["counts"].values()), faults


def faulty_run(folder: Path, out: Path, mcds: str, repeat: int) -> None:
    """The clean package and its faulty copy, alternately, ``repeat`` times each: the best wall time of each,
    with its CPU time, and the largest peak memory of any run (GNU time's maximum resident set)."""
    faulty = folder / "faulty"
    marker = faulty / ".made"
    if not marker.exists() or marker.stat().st_mtime < (folder / "manifest.json").stat().st_mtime:
        t = time.perf_counter()
        n = write_faulty(folder / "full", faulty)
        marker.write_text(str(n), encoding="utf-8")
        print(f"Faulty copy: {n:,} start dates of {FAULTY_TABLE} written dd/mm/yyyy ({time.perf_counter() - t:.1f} s)")
    runs: dict[str, list[tuple[float, float, float]]] = {"full": [], "faulty": []}
    figures = {}
    for _ in range(repeat):
        for key in ("full", "faulty"):
            target = out / f"mcds-{key}.json"
            wall, _, code, cpu = run(["/usr/bin/time", "-f", "%M", "-o", str(out / "rss.txt"), mcds, "validate",
                                      str(folder / key), "--format", "json"], target)
            peak = int((out / "rss.txt").read_text().split()[-1]) / 1024  # this run's own peak, from GNU time
            runs[key].append((wall, cpu, peak))
            figures[key] = (code, *report_figures(target), target.stat().st_size / 1e6)
    best = {}
    for key, label in (("full", "clean"), ("faulty", "faulty")):
        wall, cpu, _ = min(runs[key])
        peak = max(r[2] for r in runs[key])
        best[key] = wall
        code, listed, counted, faults, size = figures[key]
        print(f"mcds validate ({label}): best of {repeat} {wall:.2f} s wall ({cpu:.2f} s CPU; every run: "
              f"{', '.join(f'{r[0]:.1f}' for r in runs[key])} s), {peak:.0f} MB peak at most, exit {code}, "
              f"{listed:,} issues listed, {counted:,} counted ({faults} column faults), JSON {size:.2f} MB")
    print(f"Ratio faulty / clean: {best['faulty'] / best['full']:.2f}x wall time (target: at most 3x, and under "
          "1.5 GB peak)")
    print(f"Machine load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--episodes", type=int, default=1_000_000)
    ap.add_argument("--subset", type=int, default=100_000, help="episodes in the subset frictionless is timed on")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--frictionless-full", action="store_true",
                    help="also time frictionless on the full package (about two minutes for 1,000,000 episodes)")
    ap.add_argument("--faulty", action="store_true",
                    help="time a copy whose start dates are all dd/mm/yyyy against the clean package")
    ap.add_argument("--repeat", type=int, default=3, help="with --faulty: runs of each, the best time reported")
    args = ap.parse_args()
    folder = DATA / f"national-{args.episodes}"
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() and not args.regenerate else None
    if not manifest or manifest.get("subset_episodes") != args.subset or manifest.get("seed") != SEED:
        t = time.perf_counter()
        print(f"Generating {args.episodes:,} episodes (seed {SEED}) in {folder} ...", flush=True)
        manifest = generate(folder, args.episodes, args.subset)
        print(f"  generated in {time.perf_counter() - t:.1f} s")
    rows = manifest["rows"]
    total = {k: sum(v.values()) for k, v in rows.items()}
    size = sum(f.stat().st_size for f in (folder / "full").glob("*.csv")) / 1e6
    print(f"Package: {', '.join(f'{t} {n:,}' for t, n in rows['full'].items())} rows ({total['full']:,} in all, "
          f"{size:.0f} MB); {len(manifest['injected']['full'])} injected faults of {len(FAULT_KINDS)} kinds")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    mcds = str(BIN / "mcds")
    fl = str(BIN / "frictionless")
    if args.faulty:
        faulty_run(folder, out, mcds, args.repeat)
        return

    results = {}
    for key in ("full", "subset"):
        wall, peak, code, cpu = run([mcds, "validate", str(folder / key), "--format", "json"], out / f"mcds-{key}.json")
        n, found, missed = mcds_found(out / f"mcds-{key}.json", manifest["injected"][key])
        results[("mcds", key)] = wall
        print(f"mcds validate ({key}, {total[key]:,} rows): {wall:.2f} s wall ({cpu:.2f} s CPU), {peak:.0f} MB peak, "
              f"exit {code}, "
              f"{n:,} issues; injected faults found: {found}/{len(manifest['injected'][key])}"
              + (f"; MISSED {missed[:5]}" if missed else ""))
    wall, peak, code, cpu = run([fl, "validate", str(folder / "subset" / "datapackage.json"), "--json"],
                                out / "frictionless-subset.json")
    results[("frictionless", "subset")] = wall
    print(f"frictionless validate (subset, {total['subset']:,} rows): {wall:.2f} s wall ({cpu:.2f} s CPU), "
          f"at most {peak:.0f} MB peak, "
          f"exit {code}, {frictionless_errors(out / 'frictionless-subset.json'):,} errors")
    if args.frictionless_full:
        wall, peak, code, cpu = run([fl, "validate", str(folder / "full" / "datapackage.json"), "--json"],
                                    out / "frictionless-full.json")
        print(f"frictionless validate (full, {total['full']:,} rows, the same files as mcds): {wall:.2f} s wall "
              f"({cpu:.2f} s CPU), exit {code}, {frictionless_errors(out / 'frictionless-full.json'):,} errors")
        full_label, full_time = "both measured on the same files", wall
    else:
        scale = total["full"] / total["subset"]
        full_time = wall * scale
        full_label = "frictionless scaled"
        print(f"frictionless on the full package: NOT RUN (use --frictionless-full); estimated {full_time:.0f} s by "
              f"scaling the subset time by {scale:.1f} (the ratio of rows)")
    print(f"Speed-up on the subset (both measured): {results[('frictionless', 'subset')] / results[('mcds', 'subset')]:.1f}x")
    print(f"Speed-up on the full package ({full_label}): {full_time / results[('mcds', 'full')]:.1f}x")
    print("Targets: mcds under 5 s and 1.5 GB on 1,000,000 episodes; at least 30x faster; every injected fault found.")
    print(f"Machine load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")



if __name__ == "__main__":
    main()

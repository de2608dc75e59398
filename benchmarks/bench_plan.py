"""Benchmark: the validation plan's runner (mcds.plan.run) against `mcds validate` and against DuckDB
just reading the same files into tables.

    python benchmarks/bench_plan.py [PACKAGE ...] [--repeat 3]

By default it times the national package of benchmarks/bench_validate.py (benchmarks/data/national-*/full
and its faulty copy, when made: run that script first) and the 1.1 conformance suite's valid base. Each
measure runs in its own subprocess, ``--repeat`` times, best time kept (the machine is shared):

- **read**: DuckDB reading every CSV file of the package into a table, every column VARCHAR (what the CSV
  reader does before any check: the floor any validator on DuckDB stands on);
- **plan**: ``run_plan(package, max_issues=1000)``, its report written as the CLI writes JSON;
- **validate**: ``mcds validate PACKAGE --format json`` (the CLI, which lists 1,000 issues of each code).

It prints the wall times, the ratios plan / read, validate / read and plan / validate, and whether the plan's
report equals the CLI's JSON (it must).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent

READ = """
import duckdb, json, sys
from pathlib import Path
folder = Path(sys.argv[1])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
for r in json.loads((folder / "datapackage.json").read_text())["resources"]:
    p = folder / r["path"]
    if p.exists():
        con.execute(f"CREATE TABLE \\"{r['name']}\\" AS SELECT * FROM read_csv(?, header=true, all_varchar=true)", [str(p)])
"""

PLAN = """
import sys
from mcds.plan.run import run_plan
from mcds.render import json_text
report = run_plan(sys.argv[1], max_issues=1000)
open(sys.argv[2], "w", encoding="utf-8").write(json_text(report))
"""


def timed(cmd: list[str], repeat: int, out: Path | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        if out is None:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        else:
            with open(out, "wb") as fh:
                r = subprocess.run(cmd, stdout=fh, check=False)
            if r.returncode not in (0, 1):
                raise SystemExit(f"{cmd} exited {r.returncode}")
        best = min(best, time.perf_counter() - t)
    return best


def rows(folder: Path) -> int:
    return sum(max(0, sum(1 for _ in open(p, encoding="utf-8")) - 1) for p in folder.glob("*.csv"))


def bench(folder: Path, repeat: int, out: Path) -> None:
    py = sys.executable
    out.mkdir(parents=True, exist_ok=True)
    name = f"{folder.parent.name}-{folder.name}"
    plan_json, cli_json = out / f"plan-{name}.json", out / f"cli-{name}.json"
    read = timed([py, "-c", READ, str(folder)], repeat)
    plan = timed([py, "-c", PLAN, str(folder), str(plan_json)], repeat)
    cli = timed([str(BIN / "mcds"), "validate", str(folder), "--format", "json"], repeat, cli_json)
    same = json.loads(plan_json.read_text(encoding="utf-8")) == json.loads(cli_json.read_text(encoding="utf-8"))
    print(f"{folder} ({rows(folder):,} rows): read {read:.2f} s, plan {plan:.2f} s, mcds validate {cli:.2f} s")
    print(f"  ratios: plan / read {plan / read:.2f}x, validate / read {cli / read:.2f}x, plan / validate {plan / cli:.2f}x;"
          f" reports equal: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("packages", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    packages = args.packages
    if not packages:
        packages = [ROOT / "standard" / "1.1" / "conformance" / "valid-base" / "input"]
        for d in sorted((HERE / "data").glob("national-*")):
            packages += [p for p in (d / "full", d / "faulty") if (p / "datapackage.json").exists()]
    for folder in packages:
        bench(folder, args.repeat, HERE / "out" / "plan")


if __name__ == "__main__":
    main()

"""Benchmark: the page check/ (the validator in the browser, DuckDB-WASM) beside `mcds validate` on the same files.

    python benchmarks/bench_check_page.py [--rows 100000] [--national] [--site DIR] [--runs 3]

Generates with bench_validate's generator (fixed seed, under benchmarks/data/, gitignored) a CSV package of
about --rows rows in all (children, placements, missing episodes, return interviews and their links, with a
few injected faults), builds the documentation site (or uses --site, a site already built), serves it on
127.0.0.1 and opens check/ in Debian's chromium (headless, Playwright). For each run, in a fresh tab:

- engine start: from opening the page to DuckDB-WASM ready (the worker and WebAssembly fetched from the
  site and compiled);
- validation: from choosing the package's files to the report shown (reading the files, every check);
- total: the two together, the time a person waits on a first visit (target: under 5 s for 100,000 rows);

then `mcds validate --format json` on the same folder (wall time of the whole command, Python start
included), and checks that the two reports are equal (source aside). ``--national`` also runs the
1,000,000-episode national package of bench_validate (3.3 million rows), once, and prints the tab's
JavaScript heap as the page reports it (performance.memory), to show that it completes.

Prints one line per measurement and the best of --runs; nothing is written outside benchmarks/.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
CHROMIUM = "/usr/bin/chromium"
BIN = Path(sys.executable).parent
EPISODE_ROWS = 3.26  # rows of all tables per missing episode in bench_validate's generator

sys.path.insert(0, str(HERE))

from bench_validate import SEED, generate  # noqa: E402


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                                                ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:
        pass


def package(rows: int) -> Path:
    episodes = max(1000, int(rows / EPISODE_ROWS))
    folder = DATA / f"check-page-{episodes}"
    manifest = folder / "manifest.json"
    if not manifest.exists() or json.loads(manifest.read_text()).get("seed") != SEED:
        print(f"generating {episodes:,} episodes into {folder} ...", flush=True)
        generate(folder, episodes, min(episodes, 1000))
    return folder / "full"


def build_site(out: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return out


def cli(folder: Path) -> tuple[float, dict]:
    t = time.perf_counter()
    r = subprocess.run([str(BIN / "mcds"), "validate", str(folder), "--format", "json"], capture_output=True,
                       text=True, check=False)
    return time.perf_counter() - t, json.loads(r.stdout)


def browser_run(p, base: str, folder: Path) -> tuple[float, float, dict, int | None]:  # type: ignore[no-untyped-def]
    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--enable-precise-memory-info"])
    try:
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(base + "check/")
        page.wait_for_selector("#mcds-check[data-engine]", state="attached", timeout=300_000)
        page.wait_for_load_state("networkidle")
        engine = time.perf_counter() - t0
        files = sorted(str(f) for f in folder.iterdir() if f.is_file() and f.name != "manifest.json")
        t1 = time.perf_counter()
        page.set_input_files("#mcds-files", files)
        page.wait_for_selector("#mcds-check[data-state=done], #mcds-check[data-state=failed]", state="attached",
                               timeout=3_600_000)
        validation = time.perf_counter() - t1
        state = page.evaluate("document.getElementById('mcds-check').dataset.state")
        if state != "done":
            raise SystemExit(f"the page failed: {page.inner_text('#mcds-status')}")
        report = page.evaluate("window.mcdsReport")
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : null")
        return engine, validation, report, heap
    finally:
        browser.close()


def rows_of(folder: Path) -> int:
    return sum(max(0, sum(1 for _ in open(f, "rb")) - 1) for f in folder.glob("*.csv"))


def same(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the package, all tables together")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--site", type=Path, help="a site already built (default: build one under benchmarks/out/)")
    ap.add_argument("--national", action="store_true", help="also the 1,000,000-episode national package")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    site = args.site or build_site(HERE / "out" / "check-page-site")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    folders = [package(args.rows)]
    if args.national:
        national = DATA / "national-1000000" / "full"
        if not national.exists():
            raise SystemExit("no national package: run benchmarks/bench_validate.py first")
        folders.append(national)
    with sync_playwright() as p:
        for n, folder in enumerate(folders):
            rows = rows_of(folder)
            runs = args.runs if n == 0 else 1
            best = None
            for _ in range(runs):
                engine, validation, report, heap = browser_run(p, base, folder)
                total = engine + validation
                memory = f"; JS heap {heap / 2**20:.0f} MiB" if heap else ""
                print(f"browser, {rows:,} rows: engine start {engine:.2f} s + validation {validation:.2f} s = "
                      f"{total:.2f} s; {len(report['issues']):,} issues{memory}", flush=True)
                best = min(best or (total, engine, validation), (total, engine, validation))
            cli_best = None
            for _ in range(runs):
                wall, cli_report = cli(folder)
                cli_best = min(cli_best or wall, wall)
                print(f"mcds validate, {rows:,} rows: {wall:.2f} s", flush=True)
            print(f"== {rows:,} rows: browser best {best[0]:.2f} s (engine {best[1]:.2f} s, validation {best[2]:.2f} s); "
                  f"CLI best {cli_best:.2f} s; reports equal: {same(report, cli_report)}", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()

"""The independent attacker of ``tests/test_disclosure_attack.py`` (its own model of what is
published, solved with SciPy's integer programming, sharing nothing with ``mcds.stats.audit``) run
over everything ``mcds stats`` publishes for the benchmark's 150 councils (``bench_stats.py``'s data).
Not a test: it takes minutes. It prints how many suppressed council counts there are, how many an
attacker can narrow below the protection width, and how many the suppression rule leaves a single
value.

    python benchmarks/attack_stats.py [--limit N] [--no-rule]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def main() -> int:
    from bench_stats import generate  # the same packages as the benchmark

    from mcds.stats import published, write
    from test_disclosure_attack import WIDTH, Attacker

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="attack only the first N suppressed cells")
    ap.add_argument("--no-rule", action="store_true", help="skip the attacker who knows the suppression rule")
    args = ap.parse_args()
    folders = generate(False)
    t = time.perf_counter()
    result = published(folders)
    out = write(result, HERE / "out" / "attack")
    print(f"published in {time.perf_counter() - t:.1f} s", flush=True)
    year = max(result.months) if result.months else None
    t = time.perf_counter()
    attacker = Attacker(out.data, result.months.get(year, {}) if year else {}, breakdowns=out.breakdowns)
    cells = attacker.suppressed()
    if args.limit:
        cells = cells[: args.limit]
    narrow, single, inconsistent = [], [], 0
    for k, (c, ind, sel) in enumerate(cells, 1):
        found = attacker.interval(c, ind, sel)
        if found is None:
            inconsistent += 1
        elif found[1] - found[0] < WIDTH:
            narrow.append((c, ind, sel, found))
        if not args.no_rule and len(attacker.values_under_rule(c, ind, sel)) < 2:
            single.append((c, ind, sel))
        if k % 50 == 0:
            print(f"  {k} of {len(cells)} cells attacked, {time.perf_counter() - t:.0f} s", flush=True)
    print(f"{len(attacker.suppressed())} suppressed council counts; attacked {len(cells)} in "
          f"{time.perf_counter() - t:.0f} s ({len(attacker.var)} unknowns, {len(attacker.rows)} constraints): "
          f"{len(narrow)} narrower than {WIDTH}, "
          f"{'not tried' if args.no_rule else len(single)} left one value by the rule, "
          f"{inconsistent} with no solution")
    for row in narrow[:20] + single[:20]:
        print("  ", row)
    return 1 if narrow or single or inconsistent else 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate the hostile corpus: broken and malicious inputs, each with the outcome it must have.

    python scripts/make_hostile_corpus.py            # writes tests/hostile/ (the small cases)
    python scripts/make_hostile_corpus.py --all DIR  # every case, the huge ones too, into DIR

Each case is a folder holding its input files and is run through the real CLI by
``tests/test_hostile.py``, once per command that takes that kind of input. ``tests/hostile/cases.json``
lists, for each case and command, the arguments and the expected outcome: the exit code (2 for
input that cannot be used; 1 or 0 where the data was readable and the problems are issues in the
report), fragments the output must contain (the file's name, the place, the issue code) and
fragments it must not. Every run must also finish within its time bound, print no traceback and
write nothing when it exits 2.

The huge cases (ZIP bombs that are large even compressed, a line of 100 MB, a million styled rows,
symbolic links) are marked ``generated`` and are built at test time in a temporary folder instead
of being committed. Placeholders in arguments: ``{case}`` the case's folder, ``{out}`` a path in a
fresh temporary folder, ``{fixtures}`` the repository's fixtures folder.
"""


from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the hostile_corpus package beside this script

from hostile_corpus.common import CASES, KEY, OUT, ROOT, Case, Expect, build, manifest

__all__ = ["CASES", "KEY", "Case", "Expect", "build", "main", "manifest"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", metavar="DIR", type=Path, help="build every case, the huge ones too, into DIR")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    target = args.all or OUT
    if target == OUT and OUT.exists():
        shutil.rmtree(OUT)
    target.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        if c.generated and args.all is None:
            continue
        build(c.id, target)
    (target / "cases.json").write_text(json.dumps(manifest(CASES), indent=1) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"{len(CASES)} cases ({sum(c.generated for c in CASES)} built at test time), "
          f"{sum(len(c.runs) for c in CASES)} runs; {size / 1024**2:.1f} MB written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

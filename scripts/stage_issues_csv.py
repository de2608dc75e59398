"""Stage only the validator's rows of standard/1.0/issues.csv (others edit the file at the same time).

    python scripts/stage_issues_csv.py CODE [CODE ...]

Takes the committed file, replaces or appends the rows of the given codes with the working tree's,
and stages the result without touching the working tree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REL = "standard/1.0/issues.csv"


def main(codes: list[str]) -> None:
    head = subprocess.run(["git", "show", f"HEAD:{REL}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    work = (ROOT / REL).read_text(encoding="utf-8")
    mine = {line.split(",", 1)[0]: line for line in work.splitlines() if line.split(",", 1)[0] in codes}
    out, done = [], set()
    for line in head.splitlines():
        code = line.split(",", 1)[0]
        if code in mine:
            out.append(mine[code])
            done.add(code)
        else:
            out.append(line)
    out += [mine[c] for c in mine if c not in done]
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=ROOT, input="\n".join(out) + "\n",
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "update-index", "--cacheinfo", f"100644,{blob},{REL}"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])

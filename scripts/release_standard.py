"""Release a draft version of the standard: record its date and digest, and date its changelog entry.

    python scripts/release_standard.py 1.0 [--date 2026-11-25]

It refuses a version that is not a draft, or whose changelog has no ``## <version> (draft)`` entry.
From then on the version's folder is frozen: ``tests/test_standard.py`` fails if any file in it
changes (see ``standard/VERSIONING.md``); changes go into a new version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def release(standard: Path, version: str, date: str) -> str:
    """Release ``version`` of the standard in the folder ``standard``; returns its digest."""
    from mcds.standard import folder_digest

    index_path = standard / "versions.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    info = index["versions"].get(version)
    if info is None or not (standard / version).is_dir():
        raise SystemExit(f"no version {version} of the standard in {standard}")
    if info["status"] != "draft":
        raise SystemExit(f"version {version} is {info['status']}, not a draft: a released version never changes")
    changelog = standard / "CHANGELOG.md"
    heading = f"## {version} (draft)"
    text = changelog.read_text(encoding="utf-8")
    if heading not in text.splitlines():
        raise SystemExit(f"{changelog} has no '{heading}' entry: write what the version holds first")
    digest = folder_digest(standard / version)
    index["versions"][version] = {**info, "status": "released", "released": date, "sha256": digest}
    index_path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog.write_text(text.replace(heading, f"## {version} ({date})", 1), encoding="utf-8")
    return digest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("version")
    ap.add_argument("--date", default=dt.datetime.now(dt.UTC).date().isoformat(), help="release date (YYYY-MM-DD)")
    ap.add_argument("--standard", type=Path, default=ROOT / "standard", help=argparse.SUPPRESS)
    args = ap.parse_args()
    dt.date.fromisoformat(args.date)
    digest = release(args.standard, args.version, args.date)
    print(f"released {args.version} on {args.date}: sha256 {digest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate the derived files of a version of the standard from its sources.

Sources (hand-edited): ``standard.json``, ``metadata.json``, ``schemas/*.json`` and
``codelists/*.csv``. Derived (generated, committed, never hand-edited): ``datapackage.json``
and ``submission.schema.json``, see :mod:`mcds.derive` for how; and each version's validation plan,
``src/mcds/plan/plans/<version>.json`` (:mod:`mcds.plan.compile`).

Run ``python -m mcds.generate`` after editing a source; ``--check`` exits 1 if a committed
derived file differs from a fresh generation (CI runs it through the test suite).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mcds import standard as std
from mcds.derive import datapackage, dumps, generated_files, json_schema, table_schema

__all__ = ["datapackage", "dumps", "generated_files", "json_schema", "main", "table_schema"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mcds.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed derived file is out of date")
    parser.add_argument("--version", action="append", help="version(s) to generate (default: all)")
    args = parser.parse_args(argv)
    root = std.standard_root()
    if not isinstance(root, Path):
        parser.error("run this from a checkout of the repository, not an installed wheel")
    stale = []
    for version in args.version or std.supported_versions():
        for rel, text in generated_files(version).items():
            path = root / version / rel
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            stale.append(str(path))
            if not args.check:
                path.write_text(text, encoding="utf-8")
    stale += _plans(root, args.version or std.supported_versions(), write=not args.check)
    if args.check and stale:
        sys.stderr.write("out of date (run python -m mcds.generate): " + ", ".join(stale) + "\n")
        return 1
    return 0


def _plans(root: Path, versions: list[str] | tuple[str, ...], *, write: bool) -> list[str]:
    """The validation plans (:mod:`mcds.plan`) of ``versions`` out of date, written unless ``write`` is false.
    They live in the package beside the checkout's ``standard/`` (``src/mcds/plan/plans``); a standard
    folder elsewhere (a copy under test) has none."""
    folder = root.parent / "src" / "mcds" / "plan" / "plans"
    if not folder.is_dir():
        return []
    from mcds.plan.compile import plan_text

    stale = []
    for version in versions:
        path = folder / f"{version}.json"
        text = plan_text(version)
        if (path.read_text(encoding="utf-8") if path.exists() else None) != text:
            stale.append(str(path))
            if write:
                path.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())

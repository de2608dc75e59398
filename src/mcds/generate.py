"""Generate the derived files of a version of the standard from its sources.

Sources (hand-edited): ``standard.json``, ``metadata.json``, ``schemas/*.json`` and
``codelists/*.csv``. Derived (generated, committed, never hand-edited): ``datapackage.json``
and ``submission.schema.json``; see :mod:`mcds.derive` for how.

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
    if args.check and stale:
        sys.stderr.write("out of date (run python -m mcds.generate): " + ", ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

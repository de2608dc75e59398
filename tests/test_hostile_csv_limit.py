"""The CSV cell limit holds even after another library (frictionless) raised Python's process-wide one."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from click.testing import CliRunner

from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_cell_limit_is_ours_whatever_was_set_before(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for f in (ROOT / "fixtures" / "valid" / "kent").iterdir():
        (pkg / f.name).write_bytes(f.read_bytes())
    with open(pkg / "children.csv", "ab") as fh:
        fh.write(b"A" * 300_000 + b",x\n")
    old = csv.field_size_limit(sys.maxsize)
    try:
        for args in (["validate", str(pkg)], ["convert", "package", str(pkg), "--to", "json", "--out", str(tmp_path / "o.json")]):
            r = CliRunner().invoke(main, args)
            assert r.exit_code == 2, r.output[-500:]
            assert "field larger than field limit" in r.output and "children.csv" in r.output
    finally:
        csv.field_size_limit(old)

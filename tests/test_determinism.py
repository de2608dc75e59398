"""Same input, same output, byte for byte, for every writer; and no cell any writer produces for a
spreadsheet can run as a formula, while the standard's own values (negative numbers) stay numbers."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
FX = ROOT / "fixtures"
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z

RUNS = {
    "convert-package-csv": ["convert", "package", str(KENT), "--to", "csv", "--out", "{out}/pkg"],
    "convert-package-xlsx": ["convert", "package", str(KENT), "--to", "xlsx", "--out", "{out}/sub.xlsx"],
    "convert-package-json": ["convert", "package", str(KENT), "--to", "json", "--out", "{out}/sub.json"],
    "convert-ssda903": ["convert", "ssda903", str(FX / "ssda903" / "csv-2025-26"), "--la", "886", "--year", "2026",
                        "--out", "{out}/pkg", "--report", "{out}/report.json"],
    "convert-ssda903-xlsx": ["convert", "ssda903", str(FX / "ssda903" / "xml-2024-25"), "--la", "886", "--year", "2025",
                             "--out", "{out}/sub.xlsx"],
    "convert-annex-a": ["convert", "annex-a", str(FX / "annex_a" / "kent-2024-25.xlsx"), "--la", "886", "--year", "2025",
                        "--out", "{out}/pkg"],
    "convert-mapped": ["convert", "mapped", str(FX / "mapped" / "liquidlogic"), "--mapping",
                       str(FX / "mapped" / "liquidlogic" / "mapping.yaml"), "--out", "{out}/pkg"],
    "validate-annotate": ["validate", str(KENT), "--annotate", "{out}/annotated.xlsx", "--format", "csv"],
    "stats": ["stats", str(KENT), str(FX / "valid" / "croydon"), "--out", "{out}/stats"],
    "template": ["template", "{out}/template.xlsx"],
    "pseudonymise": ["pseudonymise", str(KENT), "{out}/pseudo.xlsx", "--key-env", "MCDS_TEST_KEY"],
}


def _run(args: list[str], out: Path) -> tuple[bytes, dict[str, bytes]]:
    r = CliRunner().invoke(main, [a.format(out=out) for a in args],
                           env={"SOURCE_DATE_EPOCH": EPOCH, "MCDS_TEST_KEY": "Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve-test-key"})
    assert r.exit_code in (0, 1), r.output
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return r.stdout.replace(str(out), "OUT").encode(), files


@pytest.mark.parametrize("name", sorted(RUNS))
def test_same_input_same_bytes(tmp_path: Path, name: str) -> None:
    printed1, files1 = _run(RUNS[name], tmp_path / "a")
    printed2, files2 = _run(RUNS[name], tmp_path / "b")
    assert files1 and files1.keys() == files2.keys()
    for f in files1:
        assert files1[f] == files2[f], f"{name}: {f} differs between two runs"
    assert printed1 == printed2


def test_created_is_settable_and_carried_over(tmp_path: Path) -> None:
    _, files = _run(RUNS["convert-ssda903"], tmp_path / "a")
    assert b'"created": "2025-01-01T00:00:00Z"' in files["pkg/datapackage.json"]
    _, files = _run(RUNS["convert-package-json"], tmp_path / "b")
    assert b'"created": "2025-05-01T09:00:00Z"' in files["sub.json"]  # Kent's own, carried over


# ---------------------------------------------------------------- formula injection

HOSTILE = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")", "=cmd|'/c calc'!A1"]


def _hostile_package(folder: Path) -> Path:
    """Kent with formula-like text in the first rows of free-text and code cells."""
    shutil.copytree(KENT, folder)
    path = folder / "placements.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("placement_type")
    for n, h in enumerate(HOSTILE, start=1):
        rows[n][col] = h
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return folder


def _cells_xlsx(path: Path) -> list[tuple[str, str | None]]:
    """(value, formula text) of every cell of every sheet, read from the XML itself."""
    import re

    out = []
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = re.findall(r"<t[^>]*>(.*?)</t>", z.read("xl/sharedStrings.xml").decode(), re.S)
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode()
                out += [("FORMULA", f) for f in re.findall(r"<f>(.*?)</f>", xml, re.S)]
                out += [(t, None) for t in re.findall(r"<t[^>]*>(.*?)</t>", xml, re.S)]
        out += [(t, None) for t in shared]
    return out


def _unsafe(text: str) -> bool:
    import re

    return bool(text) and text[0] in "=+-@\t\r" and not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text)


def test_no_writer_lets_a_cell_run_as_a_formula(tmp_path: Path) -> None:
    pkg = _hostile_package(tmp_path / "pkg")
    out = tmp_path / "out"
    runner = CliRunner()
    for args in (["convert", "package", str(pkg), "--to", "xlsx", "--out", str(out / "sub.xlsx")],
                 ["convert", "package", str(pkg), "--to", "csv", "--out", str(out / "csvpkg")],
                 ["validate", str(pkg), "--annotate", str(out / "annotated.xlsx")],
                 ["template", str(out / "template.xlsx")]):
        r = runner.invoke(main, args)
        assert r.exit_code in (0, 1), r.output
    r = runner.invoke(main, ["validate", str(pkg), "--format", "csv"])
    (out / "report.csv").write_text(r.stdout, encoding="utf-8")
    for xlsx in out.glob("*.xlsx"):
        cells = _cells_xlsx(xlsx)
        formulas = [v for v, f in cells if v == "FORMULA"]
        if xlsx.name == "template.xlsx":
            continue  # the template's only formulas are its own drop-down ranges (data validation, not cells)
        assert formulas == [], (xlsx.name, formulas)
        import html

        texts = [html.unescape(v) for v, _ in cells]
        assert not [t for t in texts if _unsafe(t)], xlsx.name
        assert any(t == "'=1+1" for t in texts), xlsx.name  # the hostile text is there, made harmless
    for f in [*out.glob("csvpkg/*.csv"), out / "report.csv"]:
        with open(f, newline="", encoding="utf-8") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert not [c for c in cells if _unsafe(c)], (f.name, [c for c in cells if _unsafe(c)][:3])
    assert "'=1+1" in (out / "csvpkg" / "placements.csv").read_text(encoding="utf-8")


def test_stats_files_hold_no_formula(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["stats", str(KENT), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    for f in tmp_path.glob("*.csv"):
        with open(f, newline="", encoding="utf-8") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert not [c for c in cells if _unsafe(c)], f.name


def test_negative_numbers_stay_numbers() -> None:
    from mcds.forms import excel_safe

    for number in ("-3", "-0.5", "+7", "-1e3", "-.5"):
        assert excel_safe(number) == number
    for text in HOSTILE:
        assert excel_safe(text) != text and excel_safe(text).startswith("'")
    buf = io.StringIO()
    csv.writer(buf).writerow([excel_safe("-3")])
    assert buf.getvalue().strip() == "-3"

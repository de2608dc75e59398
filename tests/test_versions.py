"""Two versions side by side: the validator takes a 1.0 submission (against 1.0, with a note that
the current version is available) and a current one; a version it does not know is refused; every
converter and ``mcds template`` write the current version, with every one of its tables and columns."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds import standard as std
from mcds.cli import main
from mcds.convert.annex_a import convert_annex_a
from mcds.convert.mapped import convert_mapped
from mcds.convert.ssda903 import convert_ssda903
from mcds.submission import write_csv_package
from mcds.validate import validate

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
OLD = sorted([*(p for p in (FIX / "1.0").iterdir() if p.is_dir()), *(FIX / "1.0").glob("*.json")])
CURRENT = std.current_version()
NOTE = f"Version {CURRENT} of the standard is available"


def _run(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_frozen_fixtures_are_1_0() -> None:
    assert {p.name for p in OLD} == {f"{c}{s}" for c in ("kent", "croydon", "manchester") for s in ("", ".json")}
    for p in OLD:
        meta = json.loads((p / "datapackage.json" if p.is_dir() else p).read_text())
        assert (meta.get("mcds") or meta.get("metadata"))["standard_version"] == "1.0"


@pytest.mark.parametrize("path", OLD, ids=lambda p: p.name)
def test_a_1_0_submission_validates_against_1_0_with_a_note(path: Path) -> None:
    assert CURRENT != "1.0"
    report = validate(path)
    assert report.standard_version == "1.0"
    assert report.valid, [i.line() for i in report if i.blocking][:5]
    assert any(n.startswith(NOTE) and "version 1.0" in n and "mcds upgrade" in n for n in report.notes)
    r = _run("validate", path)
    assert r.exit_code == 0 and NOTE in r.output


@pytest.mark.parametrize("council", ["kent", "croydon", "manchester"])
def test_a_1_0_submission_upgrades_to_a_valid_current_one_without_a_note(council: str, tmp_path: Path) -> None:
    out = tmp_path / council
    r = _run("upgrade", FIX / "1.0" / council, "--out", out)
    assert r.exit_code == 0, r.output
    report = validate(out)
    assert report.standard_version == CURRENT
    assert report.valid, [i.line() for i in report if i.blocking][:5]
    assert not any(n.startswith(NOTE) for n in report.notes)


@pytest.mark.parametrize("version", ["0.9", "2.0", "1.10"])
def test_a_version_the_toolkit_does_not_know_is_refused(version: str, tmp_path: Path) -> None:
    doc = json.loads((FIX / "1.0" / "kent.json").read_text())
    doc["metadata"]["standard_version"] = version
    (tmp_path / "in.json").write_text(json.dumps(doc))
    r = _run("validate", tmp_path / "in.json")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert all(v in r.output for v in std.supported_versions())


def test_the_standard_version_option_validates_1_0_data_against_the_current_version() -> None:
    report = validate(FIX / "1.0" / "kent", standard_version=CURRENT)
    assert report.standard_version == CURRENT
    assert any("validated against version" in n and "as asked" in n for n in report.notes)


# ---------------------------------------------------------------- what the toolkit writes


CONVERSIONS = {
    "ssda903-csv": lambda: convert_ssda903([FIX / "ssda903" / "csv-2025-26"], "E08000003", 2026),
    "ssda903-xml": lambda: convert_ssda903([FIX / "ssda903" / "xml-2024-25" / "SSDA903_202425.xml"], "352", 2025),
    "ssda903-cin": lambda: convert_ssda903([FIX / "ssda903" / "csv-2024-25-messy"], "886", 2025,
                                           cin=FIX / "cin" / "kent-2024-25.xml"),
    "annex-a": lambda: convert_annex_a(FIX / "annex_a" / "kent-2024-25.xlsx", "886", 2025),
    "mapped-liquidlogic": lambda: convert_mapped([FIX / "mapped" / "liquidlogic"],
                                                 FIX / "mapped" / "liquidlogic" / "mapping.yaml"),
    "mapped-mosaic": lambda: convert_mapped([FIX / "mapped" / "mosaic" / "mosaic_export.xlsx"],
                                            FIX / "mapped" / "mosaic" / "mapping.yaml"),
}


def _assert_current_package(folder: Path) -> None:
    """``folder`` is a CSV package of the current version with every table and column, in order."""
    s = std.load(CURRENT)
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["mcds"]["standard_version"] == CURRENT and desc["version"] == CURRENT
    assert [r["name"] for r in desc["resources"]] == list(s.tables)
    for res in desc["resources"]:
        t = s.tables[res["name"]]
        assert [f["name"] for f in res["schema"]["fields"]] == list(t.field_names)
        with open(folder / res["path"], newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(t.field_names), t.name


@pytest.mark.parametrize("case", sorted(CONVERSIONS))
def test_every_converter_writes_the_current_version_with_every_table_and_column(case: str, tmp_path: Path) -> None:
    sub, _ = CONVERSIONS[case]()
    assert sub.version == CURRENT
    write_csv_package(sub, tmp_path / "out")
    _assert_current_package(tmp_path / "out")


def test_convert_package_of_1_0_data_keeps_its_version(tmp_path: Path) -> None:
    """Changing form is not upgrading: a 1.0 package converted to a workbook is still 1.0."""
    r = _run("convert", "package", FIX / "1.0" / "kent", "--to", "json", "--out", tmp_path / "k.json")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "k.json").read_text())["metadata"]["standard_version"] == "1.0"


def test_the_template_is_the_current_version_with_a_sheet_per_table(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from mcds.forms import sheet_name

    out = tmp_path / "template.xlsx"
    r = _run("template", out)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    s = std.load(CURRENT)
    assert wb.sheetnames == ["Metadata", *(sheet_name(t) for t in s.tables.values()), "Codelists"]
    for t in s.tables.values():
        assert [c.value for c in wb[sheet_name(t)][1]] == [f.title for f in t.fields], t.name
    meta = {row[0].value: row[1].value for row in wb["Metadata"].iter_rows(min_row=2)}
    assert meta["standard_version"] == CURRENT
    # filled in with a current submission, the template reads back as one
    shutil.copy(out, tmp_path / "copy.xlsx")
    report = validate(tmp_path / "copy.xlsx")
    assert report.standard_version == CURRENT
    assert "table-missing" not in {i.code for i in report}

"""The annotated copy of a workbook is a working copy (issue 16): the council's workbook with the
problems marked, an Issues sheet with how to fix each and a link to its cell, and a copy that
validates exactly as the original did."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import mcds
from mcds.annotate import annotate
from mcds.submission import read_csv_package
from mcds.validate import load
from mcds.workbook import write_template

ROOT = Path(__file__).resolve().parent.parent
KEY = ("code", "severity", "sheet", "row", "column", "field")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template filled in with Kent's data by hand, with three faults and one value read as meant."""
    folder = tmp_path_factory.mktemp("book")
    write_template(folder / "template.xlsx")
    wb = openpyxl.load_workbook(folder / "template.xlsx")
    sub = read_csv_package(ROOT / "fixtures" / "valid" / "kent")
    s = mcds.load_standard()
    for r in wb["Metadata"].iter_rows(min_row=2):
        v = sub.metadata.get(r[0].value)
        r[1].value = dt.date.fromisoformat(v) if v and r[0].value in ("period_start", "period_end") else v
    for t in s.tables.values():
        ws = wb[t.title]
        for row in sub.rows(t.name):
            ws.append([dt.date.fromisoformat(v) if (v := row.get(f.name)) and f.type == "date" else v for f in t.fields])
    ws = wb["Missing episodes"]
    ws["D2"] = "vanished"          # codelist-value
    ws["E3"] = "03/04/2025"        # value-ambiguous
    ws["L4"] = "Medium"            # value-read-as
    wb["Children"]["C2"] = None    # required-missing
    wb.save(folder / "faulty.xlsx")
    return folder / "faulty.xlsx"


@pytest.fixture(scope="module")
def copy(faulty: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "annotated.xlsx"
    annotate(load(faulty, keep_raw=True), out)
    return out


def test_the_copy_validates_exactly_as_the_original(faulty: Path, copy: Path) -> None:
    original = mcds.validate(faulty)
    again = mcds.validate(copy)
    assert {("codelist-value", "Missing episodes", 2, "D"), ("value-ambiguous", "Missing episodes", 3, "E"),
            ("value-read-as", "Missing episodes", 4, "L"), ("required-missing", "Children", 2, "C")} <= \
        set(original.project("code", "sheet", "row", "column"))
    assert sorted(again.project(*KEY), key=repr) == sorted(original.project(*KEY), key=repr)
    assert not any(c == "table-unknown" for c, in again.project("code"))  # not its own Issues sheet


def test_the_copy_keeps_what_the_template_has(faulty: Path, copy: Path) -> None:
    before, after = openpyxl.load_workbook(faulty), openpyxl.load_workbook(copy)
    assert after["Codelists"].sheet_state == "hidden"
    for name in before.sheetnames:
        b, a = before[name], after[name]
        assert [str(d.sqref) for d in a.data_validations.dataValidation] == \
            [str(d.sqref) for d in b.data_validations.dataValidation]
        assert {k: (d.width, d.number_format) for k, d in a.column_dimensions.items()} == \
            {k: (d.width, d.number_format) for k, d in b.column_dimensions.items()}
    ws = after["Missing episodes"]
    assert isinstance(ws["E2"].value, dt.datetime) and ws["E2"].number_format == "yyyy-mm-dd"  # dates stay dates
    assert ws["A1"].comment is not None and "episode_id" in ws["A1"].comment.text  # the template's notes


def test_offending_cells_are_marked_and_the_issues_sheet_links_to_them(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    ws = wb["Missing episodes"]
    for ref, code in (("D2", "codelist-value"), ("E3", "value-ambiguous"), ("L4", "value-read-as")):
        assert ws[ref].fill.fgColor.rgb.endswith(("FFC7CE", "FFF2CC")) and f"[{code}]" in ws[ref].comment.text
    assert wb["Children"]["C2"].comment is not None and "[required-missing]" in wb["Children"]["C2"].comment.text
    issues = wb["Issues"]
    header = [c.value for c in issues[1]]
    assert "how to fix" in header and "go to" in header
    rows = [dict(zip(header, (c for c in r), strict=True)) for r in issues.iter_rows(min_row=2)]
    ambiguous = next(r for r in rows if r["code"].value == "value-ambiguous")
    assert ambiguous["go to"].hyperlink.location == "'Missing episodes'!E3" or \
        ambiguous["go to"].hyperlink.target == "#'Missing episodes'!E3"
    assert "YYYY-MM-DD" in ambiguous["how to fix"].value

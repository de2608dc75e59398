from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import mcds
from mcds import standard as std
from mcds.cli import main
from mcds.submission import read_csv_package
from mcds.workbook import read_workbook, write_template

ROOT = Path(__file__).resolve().parent.parent
S = std.load()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("t") / "template.xlsx")


def test_one_sheet_per_table_with_titles_and_notes(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Metadata", *(t.title for t in S.tables.values()), "Codelists"]
    assert wb["Codelists"].sheet_state == "hidden"
    for t in S.tables.values():
        ws = wb[t.title]
        assert [c.value for c in ws[1]] == [f.title for f in t.fields]
        for f, c in zip(t.fields, ws[1], strict=True):
            assert f.description in c.comment.text
        assert ws.freeze_panes == "A2"
    assert [r[0].value for r in wb["Metadata"].iter_rows(min_row=2)] == [f.name for f in S.metadata_fields]


def test_drop_downs_come_from_the_codelists(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    lists = wb["Codelists"]
    columns = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1) if lists.cell(r, c).value]
               for c in range(1, lists.max_column + 1)}
    ws = wb["Missing episodes"]
    letter = {f.name: openpyxl.utils.get_column_letter(i + 1) for i, f in enumerate(S.tables["missing_episodes"].fields)}
    by_area = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    dv = by_area[f"{letter['episode_type']}2:{letter['episode_type']}1048576"]
    col = dv.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    header = lists[f"{col}1"].value
    # each code with its title (what the reader accepts: tests/test_excel_values.py), and a code typed alone is let stay
    assert columns[header] == [f"{c.code} {c.title}" for c in S.codelist("missing_episode_type").codes]
    assert dv.errorStyle == "warning" and dv.showErrorMessage
    assert by_area[f"{letter['reported_to_police']}2:{letter['reported_to_police']}1048576"].formula1 == '"true,false"'
    # Long lists (councils, countries) are on the Codelists sheet, never inline (Excel's 255-character limit).
    assert all(len(d.formula1 or "") < 255 for s in wb for d in s.data_validations.dataValidation)
    assert "council (old_la_code)" in columns and len(columns["country"]) > 200
    assert ws.column_dimensions[letter["start_date"]].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions[letter["start_time"]].number_format == "hh:mm:ss"
    assert ws.column_dimensions[letter["episode_id"]].number_format == "@"


def _fill(template: Path, fixture: Path, out: Path) -> None:
    """Fill the template as a person would: dates typed as dates, everything else as text."""
    sub = read_csv_package(fixture)
    wb = openpyxl.load_workbook(template)
    meta = wb["Metadata"]
    for r in meta.iter_rows(min_row=2):
        v = sub.metadata.get(r[0].value)
        if r[0].value in ("period_start", "period_end") and v:
            v = dt.date.fromisoformat(v)
        r[1].value = v
    for t in S.tables.values():
        ws = wb[t.title]
        for row in sub.rows(t.name):
            cells = []
            for f in t.fields:
                v = row.get(f.name)
                cells.append(dt.date.fromisoformat(v) if v and f.type == "date" else v)
            ws.append(cells)
    wb.save(out)


@pytest.mark.parametrize("fixture", ["kent", "croydon"])
def test_filled_template_passes_mcds_validate(template: Path, tmp_path: Path, fixture: str) -> None:
    _fill(template, ROOT / "fixtures" / "valid" / fixture, tmp_path / "filled.xlsx")
    report = mcds.validate(tmp_path / "filled.xlsx")
    assert report.valid, report.project("code", "table", "row", "field")[:10]
    assert not [i for i in report.issues if i.severity != mcds.Severity.WARNING]
    original = read_csv_package(ROOT / "fixtures" / "valid" / fixture)
    assert read_workbook(tmp_path / "filled.xlsx").tables == original.tables


def test_empty_template_is_reported_not_crashed(template: Path) -> None:
    report = mcds.validate(template)
    assert not report.valid
    # created is filled in by the tool from the time the workbook was saved, never typed by hand
    assert {code for code, in report.project("code")} == {"metadata-missing", "value-filled"}
    assert ("value-filled", "created") in report.project("code", "field")
    assert ("metadata-missing", "created") not in report.project("code", "field")


def test_what_the_drop_downs_write_is_read_as_the_code(template: Path, tmp_path: Path) -> None:
    """A person fills the template by choosing from its drop-downs: each code with its title."""
    from mcds.validate import load

    _fill(template, ROOT / "fixtures" / "valid" / "kent", tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "filled.xlsx")
    lists = wb["Codelists"]
    for t in S.tables.values():
        ws = wb[t.title]
        for col, f in enumerate(t.fields, start=1):
            if f.codelist and not f.is_list and f.codelist_key == "code":
                titles = {c.code: c.title for c in S.codelist(f.codelist).codes}
                for r in range(2, ws.max_row + 1):
                    v = ws.cell(r, col).value
                    if v in titles:
                        ws.cell(r, col).value = f"{v} {titles[v]}"
    assert lists.sheet_state == "hidden"
    wb.save(tmp_path / "chosen.xlsx")
    before, after = load(tmp_path / "filled.xlsx"), load(tmp_path / "chosen.xlsx")
    assert before.report.project("code", "sheet", "row", "field") == after.report.project("code", "sheet", "row", "field")
    for t in S.tables:
        query = f"SELECT * FROM {t} ORDER BY ALL"
        assert before.con.execute(query).fetchall() == after.con.execute(query).fetchall()


def test_cli_template(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["template", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "t.xlsx").is_file()
    r = CliRunner().invoke(main, ["template", str(tmp_path / "t.csv")])
    assert r.exit_code == 2

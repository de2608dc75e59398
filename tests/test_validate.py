"""The validator's API and input handling: forms detected by content, versions, unsafe packages,
explanations, and the rows reported in each form."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

import mcds
from mcds.errors import InputError
from mcds.submission import read_csv_package, write_json
from mcds.validate import load
from mcds.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "standard" / "1.0" / "conformance"
BASE = SUITE / "valid-base" / "input"


def copy_base(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(BASE, folder)
    return folder


def set_cell(folder: Path, table: str, row: int, field: str, value: str) -> None:
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(field)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_valid_fixtures_are_valid(valid_package: Path) -> None:
    report = mcds.validate(valid_package)
    assert report.valid, [i.message for i in report.issues if i.blocking][:5]
    assert mcds.is_valid(valid_package)
    assert mcds.validate(valid_package.with_suffix(".json")).valid


def test_the_same_issues_in_every_form(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    # not a date read any way (a workbook reads 10/08/2025 as meant: value-ambiguous, tests/test_excel_values.py)
    set_cell(folder, "missing_episodes", 3, "start_date", "2025-13-45")
    set_cell(folder, "children", 2, "sex", "X")
    sub = read_csv_package(folder)
    write_json(sub, tmp_path / "sub.json")
    write_workbook(sub, tmp_path / "sub.xlsx")
    with zipfile.ZipFile(tmp_path / "sub.zip", "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"pkg/{p.name}")
    expected = [("type-error", "missing_episodes", 3, "start_date"), ("codelist-value", "children", 2, "sex")]
    for path in (folder, folder / "datapackage.json", tmp_path / "sub.json", tmp_path / "sub.xlsx", tmp_path / "sub.zip"):
        got = mcds.validate(path).project("code", "table", "row", "field")
        assert sorted(got) == sorted(expected), path.name


def test_locations_name_the_users_file(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    set_cell(folder, "missing_episodes", 3, "start_date", "10/08/2025")
    sub = read_csv_package(folder)
    write_workbook(sub, tmp_path / "sub.xlsx")
    (issue,) = mcds.validate(folder).issues
    assert (issue.location.file, issue.location.column, issue.value) == ("missing_episodes.csv", "E", "10/08/2025")
    (issue,) = mcds.validate(tmp_path / "sub.xlsx").issues
    assert (issue.location.file, issue.location.sheet, issue.location.column) == ("sub.xlsx", "Missing episodes", "E")


def test_iter_issues_streams_the_same_issues(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    set_cell(folder, "children", 2, "sex", "X")
    assert [i.code for i in mcds.iter_issues(folder)] == ["codelist-value"]
    assert not mcds.is_valid(folder)


def test_load_returns_the_typed_shape(tmp_path: Path) -> None:
    loaded = load(BASE)
    con = loaded.con
    assert loaded.report.valid
    assert con.execute("SELECT count(*), min(_row), max(_row) FROM missing_episodes").fetchone() == (3, 2, 4)
    start, uasc = con.execute("SELECT e.start_date, c.uasc FROM missing_episodes e JOIN children c USING (child_id) "
                              "WHERE episode_id = 'E3'").fetchone()
    assert str(start) == "2025-09-01" and uasc is True
    assert con.execute("SELECT old_la_code, pseudonymised FROM metadata").fetchone() == ("886", True)
    assert mcds.validate.load is load


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    path = folder / "missing_episodes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, "")
    lines[4] = lines[4].replace("2025-09-01", "2025-9-1")
    path.write_text("\n".join(lines), encoding="utf-8")
    got = mcds.validate(folder).project("code", "row", "field")
    assert sorted(got) == [("row-blank", 3, None), ("type-error", 5, "start_date")]


def test_windows_1252_file_with_crlf_and_bom(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    path = folder / "children.csv"
    text = path.read_text(encoding="utf-8").replace("C1,2009-05,M", "C1,2009-05,é")
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    assert mcds.validate(folder).project("code", "row", "field", "value") == [("codelist-value", 2, "sex", "é")]
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("é", "M").encode("utf-8"))
    assert mcds.validate(folder).valid


def test_ragged_rows(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    path = folder / "placements.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] += ",extra"
    lines[2] = lines[2].rsplit(",", 2)[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    got = mcds.validate(folder).project("code", "table", "row")
    assert sorted(got) == [("row-extra-cells", "placements", 2), ("row-missing-cells", "placements", 3)]


def test_quoted_cells_with_commas_and_newlines(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    set_cell(folder, "children", 2, "sex", '"M,\nF"')
    got = mcds.validate(folder).project("code", "row", "field")
    assert got == [("codelist-value", 2, "sex")]


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd", "https://example.org/x.csv", "sub/../../x.csv"])
def test_resources_outside_the_package_are_refused(tmp_path: Path, path: str) -> None:
    folder = copy_base(tmp_path)
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    d["resources"][0]["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputError, match="outside the package"):
        mcds.validate(folder)


def test_zip_members_outside_the_package_are_refused(tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in BASE.iterdir():
            zf.write(p, p.name)
        zf.writestr("../escaped.txt", "x")
    with pytest.raises(InputError, match="outside"):
        mcds.validate(z)
    assert not (tmp_path.parent / "escaped.txt").exists()


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "not a submission"), (b"[1, 2]", "not a submission"), (b"{not json", "not valid JSON"),
    (b"PK\x03\x04garbage", "damaged ZIP"), (b"code,title\n", "not a submission"),
])
def test_unreadable_input(tmp_path: Path, content: bytes, reason: str) -> None:
    p = tmp_path / "input.bin"
    p.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        mcds.validate(p)


def test_json_form_rows_are_record_positions(tmp_path: Path) -> None:
    doc = json.loads((SUITE / "valid-base-json" / "input" / "submission.json").read_text(encoding="utf-8"))
    doc["placements"][2]["legal_status"] = None
    doc["placements"][1].pop("legal_status")
    doc["children"][0]["favourite_colour"] = "blue"
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    got = mcds.validate(p).project("code", "table", "row", "field", "column")
    assert sorted(got, key=str) == sorted([("required-missing", "placements", 3, "legal_status", None),
                                           ("required-missing", "placements", 4, "legal_status", None),
                                           ("column-unknown", "children", None, None, None)], key=str)


def test_unsupported_version_in_the_data(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    d["mcds"]["standard_version"] = "9.0"
    (folder / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputError, match=r"9\.0"):
        mcds.validate(folder)
    report = mcds.validate(folder, standard_version="1.0")
    assert report.standard_version == "1.0" and any("9.0" in n for n in report.notes)


def test_older_supported_version_notes_an_upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    from mcds import standard as std

    monkeypatch.setattr(std, "current_version", lambda: "1.1")
    report = mcds.validate(BASE)
    assert report.standard_version == "1.0"
    assert any("1.1" in n and "available" in n for n in report.notes)


EXPLAIN = "code,table,row,id,explanation\nepisode-not-looked-after,missing_episodes,,E3,Arrived the same day.\n"


def test_explained_queries_do_not_make_data_invalid(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    set_cell(folder, "placements", 4, "start_date", "2025-09-02")
    assert not mcds.validate(folder).valid
    (tmp_path / "e.csv").write_text(EXPLAIN, encoding="utf-8")
    report = mcds.validate(folder, explanations=tmp_path / "e.csv")
    (issue,) = report.issues
    assert report.valid and issue.explanation == "Arrived the same day."
    (tmp_path / "e.yaml").write_text("- {code: episode-not-looked-after, table: missing_episodes, row: 4, "
                                     "explanation: Arrived the same day.}\n- {code: uasc-under-10, row: 9, explanation: x}\n",
                                     encoding="utf-8")
    report = mcds.validate(folder, explanations=tmp_path / "e.yaml")
    assert report.valid and any("matched no query" in n for n in report.notes)


def test_errors_cannot_be_explained(tmp_path: Path) -> None:
    folder = copy_base(tmp_path)
    set_cell(folder, "children", 2, "sex", "X")
    (tmp_path / "e.csv").write_text("code,table,row,explanation\ncodelist-value,children,2,We like X.\n", encoding="utf-8")
    report = mcds.validate(folder, explanations=tmp_path / "e.csv")
    assert not report.valid and report.issues[0].explanation is None


@pytest.mark.parametrize("text", ["code,explanation\nx,\n", "nothing,here\n1,2\n", "code,table,row,explanation\nx,t,two,y\n"])
def test_bad_explanations_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        mcds.validate(BASE, explanations=tmp_path / "e.csv")


def test_workbook_form_matches_titles_and_skips_hidden_sheets(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sub = read_csv_package(BASE)
    path = write_workbook(sub, tmp_path / "s.xlsx")
    wb = load_workbook(path)
    hidden = wb.create_sheet("Codelists")
    hidden["A1"] = "anything"
    hidden.sheet_state = "hidden"
    wb.create_sheet("Notes")["A1"] = "free text"
    ws = wb["Children"]
    ws["C1"] = "SEX"  # a field name in capitals
    ws["C2"] = "Q"
    meta = wb["Metadata"]
    for row in meta.iter_rows(min_row=2):
        if row[0].value == "software":
            row[1].value = None
            software_row = row[0].row
    wb.save(path)
    got = mcds.validate(path).project("code", "sheet", "row", "field", "column")
    assert sorted(got, key=str) == sorted([("codelist-value", "Children", 2, "sex", "C"),
                                           ("table-unknown", "Notes", None, None, None),
                                           ("metadata-missing", "Metadata", software_row, "software", "B")], key=str)

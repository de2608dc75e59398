"""What Excel stores is read as the person meant it (issue 16): certain readings are warnings with
the value used and the data stays valid; a date with two readings is an error naming both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mcds
from mcds import standard as std
from mcds.readers.as_meant import read_value
from mcds.submission import read_csv_package
from mcds.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
EXCEL_CODES = {"value-read-as", "value-ambiguous", "value-filled"}


@pytest.fixture(scope="module")
def kent_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kent") / "kent.xlsx"
    write_workbook(read_csv_package(ROOT / "fixtures" / "valid" / "kent"), out)
    return out


def _edit(book: Path, out: Path, cells: dict[tuple[str, str], object]) -> Path:
    wb = openpyxl.load_workbook(book)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref].value = value
    wb.save(out)
    return out


def _excel(report: mcds.Report) -> list[tuple[object, ...]]:
    return sorted(t for t in report.project("code", "sheet", "row", "column", "field", "value")
                  if t[0] in EXCEL_CODES)


def _codes_at(report: mcds.Report, sheet: str, row: int) -> set[str]:
    return {c for c, sh, r in report.project("code", "sheet", "row") if sh == sheet and r == row}


def test_certain_readings_are_warnings_and_the_data_stays_valid(kent_book: Path, tmp_path: Path) -> None:
    book = _edit(kent_book, tmp_path / "typed.xlsx", {
        ("Children", "B2"): dt.date(2024, 1, 15),        # a real date in a year-and-month field
        ("Children", "C2"): " m ",                       # a code in another case, with stray spaces
        ("Children", "F2"): "No",                        # Yes/No in a yes/no field
        ("Children", "R2"): "None known",                # a code by its title
        ("Missing episodes", "F2"): "4:15",              # a time without seconds
        ("Missing episodes", "L2"): "Medium",            # a code in another case
        ("Placements", "C2"): "27/01/2024",              # the only date it can be (day 27 of month 1)
        ("Placements", "D2"): "2024-03-14 00:00:00",     # a date and a midnight time, as text
        ("Children", "E2"): "AFG Afghanistan",          # what the template's drop-down writes: silent
    })
    report = mcds.validate(book)
    assert report.valid, [i.line() for i in report.issues if i.blocking]
    assert _excel(report) == sorted([
        ("value-read-as", "Children", 2, "B", "birth_year_month", "2024-01-15"),
        ("value-read-as", "Children", 2, "C", "sex", " m "),
        ("value-read-as", "Children", 2, "F", "uasc", "No"),
        ("value-read-as", "Children", 2, "R", "trafficking_concern", "None known"),
        ("value-read-as", "Missing episodes", 2, "F", "start_time", "4:15"),
        ("value-read-as", "Placements", 2, "C", "start_date", "27/01/2024"),
        ("value-read-as", "Missing episodes", 2, "L", "highest_police_risk_level", "Medium"),
        ("value-read-as", "Placements", 2, "D", "end_date", "2024-03-14 00:00:00"),
    ])
    used = {i.location.field: i.message for i in report.issues if i.code == "value-read-as"}
    assert "'2024-01'" in used["birth_year_month"] and "'false'" in used["uasc"] and "'M'" in used["sex"]
    assert "'medium'" in used["highest_police_risk_level"] and "'04:15:00'" in used["start_time"]
    assert "'2024-01-27'" in used["start_date"] and "'2024-03-14'" in used["end_date"]
    assert "'none_known'" in used["trafficking_concern"]
    # nothing else changed: the same issues as the untouched workbook, besides the warnings
    before = mcds.validate(kent_book)
    assert sorted(t for t in report.project("code", "sheet", "row", "field") if t[0] not in EXCEL_CODES) == \
        sorted(before.project("code", "sheet", "row", "field"))


def test_the_values_used_reach_the_typed_tables(kent_book: Path, tmp_path: Path) -> None:
    from mcds.validate import load

    book = _edit(kent_book, tmp_path / "typed.xlsx", {("Missing episodes", "L2"): "HIGH",
                                                     ("Missing episodes", "I2"): "yes"})
    loaded = load(book)
    row = loaded.con.execute("SELECT highest_police_risk_level, reported_to_police FROM missing_episodes "
                             "WHERE episode_id = 'E1'").fetchone()
    assert row == ("high", True)


def test_a_date_with_two_readings_is_one_error_naming_both(kent_book: Path, tmp_path: Path) -> None:
    book = _edit(kent_book, tmp_path / "ambiguous.xlsx", {("Missing episodes", "G2"): "03/04/2025"})
    report = mcds.validate(book)
    assert not report.valid
    assert _excel(report) == [("value-ambiguous", "Missing episodes", 2, "G", "end_date", "03/04/2025")]
    assert "type-error" not in _codes_at(report, "Missing episodes", 2)  # the one finding, not two
    message = next(i.message for i in report.issues if i.code == "value-ambiguous")
    assert "2025-04-03" in message and "2025-03-04" in message


def test_values_that_cannot_be_read_stay_errors(kent_book: Path, tmp_path: Path) -> None:
    book = _edit(kent_book, tmp_path / "bad.xlsx", {("Missing episodes", "L2"): "Severe",
                                                   ("Missing episodes", "I2"): "maybe",
                                                   ("Missing episodes", "E2"): "31/02/2024"})
    got = {(c, f) for c, sh, r, f in mcds.validate(book).project("code", "sheet", "row", "field")
           if sh == "Missing episodes" and r == 2}
    assert {("codelist-value", "highest_police_risk_level"), ("type-error", "reported_to_police"),
            ("type-error", "start_date")} <= got
    assert not {c for c, _ in got} & EXCEL_CODES


def _set_modified(src: Path, out: Path, when: str) -> None:
    """The workbook as Excel leaves it when saved at ``when`` (openpyxl writes its own time on save)."""
    import re
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            zout.writestr(item, data)


def test_created_is_filled_in_from_the_time_the_workbook_was_saved(kent_book: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(kent_book)
    ws = wb["Metadata"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "created")
    ws.cell(row, 2).value = None
    wb.save(tmp_path / "saved.xlsx")
    _set_modified(tmp_path / "saved.xlsx", tmp_path / "no-created.xlsx", "2026-05-01T09:30:00Z")
    report = mcds.validate(tmp_path / "no-created.xlsx")
    assert report.valid
    assert _excel(report) == [("value-filled", "Metadata", row, "B", "created", "2026-05-01T09:30:00Z")]


def test_the_csv_form_is_not_reinterpreted(tmp_path: Path) -> None:
    import shutil

    pkg = tmp_path / "kent"
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", pkg)
    path = pkg / "missing_episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",away,", ",Away,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    got = mcds.validate(pkg).project("code", "row", "field")
    assert ("codelist-value", 2, "episode_type") in got and not {c for c, _, _ in got} & EXCEL_CODES


S = std.load()
DATE = S.tables["missing_episodes"].field("start_date")
YM = S.tables["children"].field("birth_year_month")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dd_mm_yyyy_reads_as_its_date_or_names_both_readings(d: dt.date) -> None:
    r = read_value(S, DATE, f"{d.day:02d}/{d.month:02d}/{d.year}")
    assert r is not None
    if d.day <= 12 and d.day != d.month:
        assert r.value is None and d.isoformat() in r.readings and len(r.readings) == 2
    else:
        assert r.value == d.isoformat()
    ym = read_value(S, YM, d.isoformat())
    assert ym is not None and ym.value == d.isoformat()[:7]


@given(st.sampled_from([(f, c) for t in S.tables.values() for f in t.fields if f.codelist and not f.is_list
                        for c in S.codelist(f.codelist).codes if f.codelist_key == "code"]),
       st.sampled_from([str.upper, str.lower, str.title, lambda x: f"  {x} "]))
def test_a_code_in_another_case_or_with_spaces_is_the_code(pair: tuple[std.Field, std.Code], how) -> None:  # type: ignore[no-untyped-def]
    f, code = pair
    written = how(code.code)
    r = read_value(S, f, written)
    codes = S.codelist(f.codelist or "").values()
    if sum(c.casefold() == code.code.casefold() for c in codes) == 1:
        assert r is not None and r.value == code.code

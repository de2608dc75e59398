from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from mcds.submission import read_csv_package
from mcds.workbook import read_workbook, write_workbook

ROOT = Path(__file__).resolve().parent.parent


def test_written_workbook_layout(tmp_path: Path) -> None:
    sub = read_csv_package(ROOT / "fixtures" / "valid" / "croydon")
    write_workbook(sub, tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    assert wb.sheetnames == ["Metadata", "Children", "Placements", "Missing episodes", "Return interviews",
                             "Interview episodes", "NRM referrals"]  # the tables in the standard's order, by title
    assert [c.value for c in wb["Metadata"][1]] == ["Field", "Value"]
    ws = wb["Placements"]
    assert ws["C1"].value == "Start date"
    assert isinstance(ws["C2"].value, dt.datetime) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["H2"].value in ("true", "false", None)  # booleans stay text: nothing is reinterpreted


def test_reader_accepts_names_or_titles_any_case_and_reads_hidden_table_sheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "metadata"
    wb["metadata"].append(["Field", "Value"])
    wb["metadata"].append(["Council code (DfE)", "886"])
    wb["metadata"].append(["period_end", dt.date(2025, 3, 31)])
    ws = wb.create_sheet("missing_episodes")
    ws.append(["EPISODE_ID", "Child identifier", "Start date", "Colour"])
    ws.append(["E1", "C1", dt.date(2024, 5, 1), "red"])
    hidden = wb.create_sheet("Children")
    hidden.sheet_state = "hidden"
    hidden.append(["child_id"])
    hidden.append(["C9"])
    notes = wb.create_sheet("Codelists")  # hidden and not a table: not data
    notes.sheet_state = "hidden"
    notes.append(["sex"])
    notes.append(["M"])
    wb.save(tmp_path / "w.xlsx")
    sub = read_workbook(tmp_path / "w.xlsx")
    assert sub.metadata == {"old_la_code": "886", "period_end": "2025-03-31"}
    assert sub.rows("missing_episodes") == [{"episode_id": "E1", "child_id": "C1", "start_date": "2024-05-01"}]
    # A hidden sheet named for a table is still that table, as the validator reads it: nothing unseen.
    assert sub.rows("children") == [{"child_id": "C9"}]
    assert set(sub.tables) == {"missing_episodes", "children"}


def test_same_submission_same_bytes(tmp_path: Path) -> None:
    from mcds.workbook import write_template

    sub = read_csv_package(ROOT / "fixtures" / "valid" / "manchester")
    write_workbook(sub, tmp_path / "a.xlsx")
    write_workbook(sub, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    write_template(tmp_path / "t1.xlsx")
    write_template(tmp_path / "t2.xlsx")
    assert (tmp_path / "t1.xlsx").read_bytes() == (tmp_path / "t2.xlsx").read_bytes()

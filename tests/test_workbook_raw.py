from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from mcds.errors import InputError
from mcds.workbook import cell_text, read_workbook_raw


def test_rows_keep_excel_numbers_and_cells_read_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Missing episodes"
    ws["B3"], ws["C3"], ws["D3"] = "Episode identifier", "Start date", "Reported to the police"
    ws["B4"], ws["C4"], ws["D4"] = "E1", dt.date(2024, 5, 1), True
    ws["B6"], ws["C6"], ws["D6"] = 7, "=1+1", False  # formula without a cached value reads as empty
    ws["B9"] = None
    hidden = wb.create_sheet("Notes")
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "w.xlsx")
    sheets = read_workbook_raw(tmp_path / "w.xlsx")
    assert [(s.name, s.hidden) for s in sheets] == [("Missing episodes", False), ("Notes", True)]
    s = sheets[0]
    assert s.header_row == 3 and s.header == [None, "Episode identifier", "Start date", "Reported to the police"]
    assert s.rows == [(4, [None, "E1", "2024-05-01", "true"]), (5, [None, None, None, None]),
                      (6, [None, "7", None, "false"])]


@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("", None), ("  ", None), (3.0, "3"), (2.5, "2.5"), (True, "true"),
    (dt.datetime(2024, 1, 2), "2024-01-02"), (dt.datetime(2024, 1, 2, 10, 30), "2024-01-02T10:30:00"),
    (dt.time(9, 5), "09:05:00"), (dt.timedelta(hours=26, minutes=3), "26:03:00"), ("M", "M"),
])
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


def test_damaged_workbook_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as e:
        read_workbook_raw(bad)
    assert "bad.xlsx" in str(e.value)

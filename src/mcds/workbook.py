"""The workbook (XLSX) form of a submission.

Layout: see :mod:`mcds.forms`. Reading uses python-calamine (fast, and it never evaluates
formulas: a formula cell reads as its cached value, or empty if it has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from mcds.errors import InputError

__all__ = ["RawSheet", "cell_text", "read_workbook_raw"]


@dataclass
class RawSheet:
    """One worksheet as text, with Excel's own row numbers."""

    name: str
    hidden: bool
    header: list[str | None] = field(default_factory=list)
    header_row: int = 1
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)


def cell_text(value: object) -> str | None:
    """A cell as the text it stands for: dates ISO, booleans true/false, 3.0 as 3."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # durations: Excel times without a date
        secs = int(value.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    text = str(value)
    return text if text.strip() else None


def read_workbook_raw(path: Path) -> list[RawSheet]:
    """Every worksheet of an XLSX file, in workbook order.

    The header is the first row with any content; fully blank rows after the last row with
    content are dropped (they cost nothing), blank rows inside the data are kept as rows of
    ``None`` so they can be reported."""
    path = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        meta = {m.name: m for m in wb.sheets_metadata}
        sheets = []
        for name in wb.sheet_names:
            m = meta.get(name)
            sheet = RawSheet(name=name, hidden=bool(m and m.visible != SheetVisibleEnum.Visible))
            data = wb.get_sheet_by_name(name)
            first_col = data.start[1] if data.start else 0
            pending: list[tuple[int, list[str | None]]] = []
            for index, raw in enumerate(data.iter_rows()):
                cells = [None] * first_col + [cell_text(v) for v in raw]
                number = index + 1
                if not sheet.header and not any(c is not None for c in cells):
                    continue
                if not sheet.header:
                    sheet.header, sheet.header_row = _trim(cells), number
                    continue
                pending.append((number, cells))
                if any(c is not None for c in cells):
                    sheet.rows.extend(pending)
                    pending = []
            sheets.append(sheet)
        return sheets
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(path, f"not readable as an XLSX workbook ({type(exc).__name__}: {exc})") from None


def _trim(cells: list[str | None]) -> list[str | None]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells

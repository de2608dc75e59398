"""The workbook (XLSX) form of a submission: the raw reader, the reader into a Submission,
the writer, and the empty template for councils that record by hand.

Layout: see :mod:`mcds.forms`. Reading uses python-calamine (fast, and it never evaluates
formulas: a formula cell reads as its cached value, or empty if it has none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from mcds import standard as std
from mcds.errors import InputError
from mcds.forms import METADATA_HEADER, METADATA_SHEET, excel_safe, match_field, match_table, sheet_name
from mcds.safety import normalise_xlsx
from mcds.submission import Submission, atomic_path

__all__ = ["RawSheet", "cell_text", "read_workbook", "read_workbook_raw", "write_template", "write_workbook",
           "xlsx_text"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# what XML 1.0 cannot hold (C0 controls but tab and newline; lone surrogates), a carriage return
# (XML readers turn it into a newline), and text that already looks like an escape (_x0041_)
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")


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
    from mcds.safety import check_zip

    path = Path(path)
    # ZIP bombs and sheets whose used area no reader can hold are refused before calamine opens
    # the file (it allocates the whole rectangle from the first cell to the farthest).
    check_zip(path, scan_sheets=True)
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


# ---------------------------------------------------------------- the workbook form of a submission


def read_workbook(path: Path) -> Submission:
    """Read a submission in the workbook form (see :mod:`mcds.forms`; no checks: see ``mcds.validate``).

    Sheets and columns are matched by the standard's names or titles, in any letter case;
    hidden sheets (such as the template's codelists) and unknown columns are not data."""
    sheets = read_workbook_raw(path)
    meta: dict[str, str | None] = {}
    s = std.load()
    for sheet in sheets:
        if sheet.name.strip().casefold() == METADATA_SHEET.casefold():
            names = {f.name for f in s.metadata_fields}
            titles = {f.title.casefold(): f.name for f in s.metadata_fields}
            for _, cells in [(sheet.header_row, sheet.header), *sheet.rows]:
                key = (cells[0] or "").strip() if cells else ""
                name = key if key in names else titles.get(key.casefold())
                if name:
                    meta[name] = cells[1] if len(cells) > 1 else None
    from mcds.submission import check_version

    check_version(path, meta.get("standard_version"))
    sub = Submission(meta)
    s = sub.standard
    for sheet in sheets:
        # a hidden sheet named for a table is still that table (the validator reads it too: nothing is
        # dropped unseen); hidden sheets that are no table, such as the template's Codelists, are not data
        table_name = match_table(sheet.name, s)
        if table_name is None:
            continue
        table = s.tables[table_name]
        columns = [(i, match_field(h, table)) for i, h in enumerate(sheet.header) if h]
        columns = [(i, f) for i, f in columns if f]
        rows = sub.rows(table_name)
        for _, cells in sheet.rows:
            rows.append({f: (cells[i] if i < len(cells) else None) for i, f in columns})
    return sub


def _ooxml_escape(m: re.Match[str]) -> str:
    return f"_x{ord(m.group()):04X}_"


def xlsx_text(text: str | None) -> str | None:
    """A cell's text as a workbook can hold it: safe to open (:func:`mcds.forms.excel_safe`),
    and each character XML cannot hold written in the workbook format's own escape, ``_x000B_``
    (as Excel does). Readers of the format (Excel, python-calamine, so :func:`read_workbook`)
    turn the escapes back into the characters, so the cell reads back as it was written; an
    underscore that would start an escape is itself escaped (``_x005F_``)."""
    text = excel_safe(text)
    return _NOT_XML.sub(_ooxml_escape, text) if text and _NOT_XML.search(text) else text


def _cell_value(f: std.Field, text: str | None) -> object:
    """A cell to write: ISO dates of date fields as real dates (formatted), everything else as text."""
    if text is None:
        return None
    if f.type == "date" and _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return xlsx_text(text)


NUMBER_FORMATS = {"date": "yyyy-mm-dd", "time": "hh:mm:ss"}
TEXT_FORMAT = "@"


def write_workbook(sub: Submission, out: Path) -> Path:
    """Write the workbook form: a Metadata sheet, then one sheet per table (titles as headers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    s = sub.standard
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    ws = wb.create_sheet(METADATA_SHEET)
    ws.append([WriteOnlyCell(ws, value=h) for h in METADATA_HEADER])
    for f in s.metadata_fields:
        if sub.metadata.get(f.name) is not None:
            ws.append([f.name, xlsx_text(sub.metadata[f.name])])
    for t in s.tables.values():
        ws = wb.create_sheet(sheet_name(t))
        header = []
        for f in t.fields:
            c = WriteOnlyCell(ws, value=f.title)
            c.font = bold
            header.append(c)
        ws.append(header)
        date_fields = [f.type == "date" for f in t.fields]
        for row in sub.tables.get(t.name, []):
            out_row: list[object] = []
            for f, is_date in zip(t.fields, date_fields, strict=True):
                v = _cell_value(f, row.get(f.name))
                if is_date and isinstance(v, dt.date):
                    c = WriteOnlyCell(ws, value=v)
                    c.number_format = NUMBER_FORMATS["date"]
                    out_row.append(c)
                else:
                    out_row.append(v)
            ws.append(out_row)
    with atomic_path(Path(out)) as tmp:
        wb.save(tmp)
        normalise_xlsx(tmp, sub.metadata.get("created"))  # same submission, same bytes
    return Path(out)


def write_template(out: Path, version: str | None = None) -> Path:
    """An empty workbook for recording by hand: one sheet per table, field titles as headers,
    each field's description as a note, drop-down lists from the codelists (kept on a hidden
    Codelists sheet: long lists exceed Excel's 255-character limit for inline lists), date and
    time columns formatted, and a Metadata sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    s = std.load(version)
    wb = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    lists = wb.create_sheet("Codelists")
    ranges: dict[tuple[str, str], str] = {}

    def codelist_range(name: str, key: str) -> str:
        if (name, key) not in ranges:
            cl = s.codelist(name)
            # each code with its title, as the reader accepts it (mcds.readers.as_meant): AFG Afghanistan
            codes = [f"{c.code} {' '.join(c.title.split())}" for c in cl.codes] if key == "code" else cl.values(key)
            col = get_column_letter(len(ranges) + 1)
            lists[f"{col}1"] = name if key == "code" else f"{name} ({key})"
            for i, code in enumerate(codes, start=2):
                lists[f"{col}{i}"].value = code
                lists[f"{col}{i}"].number_format = TEXT_FORMAT
            ranges[(name, key)] = f"Codelists!${col}$2:${col}${len(codes) + 1}"
        return ranges[(name, key)]

    def note(f: std.Field) -> Comment:
        text = f"{f.name}: {f.description}"
        if f.required:
            text += "\nRequired."
        if f.codelist and f.is_list:
            text += f"\nCodes of the {f.codelist} codelist, separated by ';'."
        elif f.codelist:
            text += f"\nChoose a code of the {f.codelist} codelist (the list shows each code with its title)."
        if f.type == "boolean":
            text += "\ntrue or false."
        if f.type == "yearmonth":
            text += "\nYear and month as YYYY-MM (a date is read as its month)."
        if f.name == "created":
            text += "\nLeave it empty: mcds fills it in with the time the workbook was last saved."
        c = Comment(text, "MCDS")
        c.width, c.height = 320, 160
        return c

    def format_sheet(ws: Any, fields: tuple[std.Field, ...], first_row: int, column: int | None = None) -> None:
        """Drop-downs and number formats for fields laid out in columns (or one column of rows)."""
        for i, f in enumerate(fields):
            if column is None:
                letter = get_column_letter(i + 1)
                area = f"{letter}{first_row}:{letter}1048576"
            else:
                letter = get_column_letter(column)
                area = f"{letter}{first_row + i}"
            dv = None
            if f.codelist and not f.is_list:
                dv = DataValidation(type="list", formula1=codelist_range(f.codelist, f.codelist_key), allow_blank=True)
            elif f.type == "boolean":
                dv = DataValidation(type="list", formula1='"true,false"', allow_blank=True)
            if dv is not None:
                dv.error, dv.errorTitle = f"Choose a value from the list for {f.title}.", "Not in the list"
                dv.showErrorMessage = True
                dv.errorStyle = "warning"  # a code typed alone (AFG) is read too: Excel lets it stay
                ws.add_data_validation(dv)
                dv.add(area)
            if column is None:
                ws.column_dimensions[letter].number_format = NUMBER_FORMATS.get(f.type, TEXT_FORMAT)
                ws.column_dimensions[letter].width = max(14, min(40, len(f.title) + 4))

    meta = wb.active
    meta.title = METADATA_SHEET
    meta.append(list(METADATA_HEADER))
    prefill = {"standard_version": s.version, "software": "mcds template (filled in by hand)"}
    for f in s.metadata_fields:
        meta.append([f.name, prefill.get(f.name)])
        meta.cell(meta.max_row, 1).comment = note(f)
        fmt = NUMBER_FORMATS.get(f.type, TEXT_FORMAT)
        meta.cell(meta.max_row, 2).number_format = fmt
    for c in meta[1]:
        c.font, c.fill = bold, fill
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 24, 28
    format_sheet(meta, s.metadata_fields, 2, column=2)
    for t in s.tables.values():
        ws = wb.create_sheet(sheet_name(t))
        ws.append([f.title for f in t.fields])
        for f, c in zip(t.fields, ws[1], strict=True):
            c.font, c.fill, c.comment = bold, fill, note(f)
            c.number_format = TEXT_FORMAT
        ws.freeze_panes = "A2"
        format_sheet(ws, t.fields, 2)
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    lists.sheet_state = "hidden"
    with atomic_path(Path(out)) as tmp:
        wb.save(tmp)
        normalise_xlsx(tmp)  # same version of the standard, same bytes
    return Path(out)

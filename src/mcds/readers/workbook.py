"""The workbook (XLSX) form, read through :func:`mcds.workbook.read_workbook_raw`.

Sheets are matched to tables, and header cells to fields, by the table's or field's title or
name (:mod:`mcds.forms`); rows keep Excel's own numbers. The ``Metadata`` sheet holds one
``Field``/``Value`` row per metadata field.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from mcds import forms
from mcds.issues import column_letter
from mcds.readers.base import RawMetadata, RawSubmission, RawTable, load_rows
from mcds.workbook import read_workbook_raw

__all__ = ["read_workbook"]


def _norm(text: object) -> str:
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


def read_workbook(path: Path, con: duckdb.DuckDBPyConnection, *, prefix: str = "_raw") -> RawSubmission:
    path = Path(path)
    sheets = read_workbook_raw(path)
    file = path.name
    metadata = RawMetadata(values={}, present=False, file=file, sheet=forms.METADATA_SHEET)
    tables = []
    from mcds.annotate import ISSUES_SHEET, is_issues_sheet

    for n, sheet in enumerate(sheets, start=1):
        if _norm(sheet.name) == _norm(ISSUES_SHEET) and is_issues_sheet(list(sheet.header)):
            continue  # an annotated copy's list of issues: not data
        if _norm(sheet.name) == _norm(forms.METADATA_SHEET):
            metadata.present = True
            metadata.sheet = sheet.name
            header = [_norm(h) for h in sheet.header]
            key_col = header.index(_norm(forms.METADATA_HEADER[0])) if _norm(forms.METADATA_HEADER[0]) in header else 0
            val_col = header.index(_norm(forms.METADATA_HEADER[1])) if _norm(forms.METADATA_HEADER[1]) in header else 1
            metadata.column = column_letter(val_col + 1)
            for number, cells in sheet.rows:
                key = cells[key_col] if key_col < len(cells) else None
                if key is None:
                    continue
                metadata.values[key.strip()] = cells[val_col] if val_col < len(cells) else None
                metadata.rows[key.strip()] = number
            continue
        relation = f"{prefix}_{n}"
        width = len(sheet.header)
        load_rows(con, relation, width, sheet.rows)
        tables.append(RawTable(name=sheet.name, table=None, header=list(sheet.header), fields=[], relation=relation,
                               file=file, sheet=sheet.name, kind="sheet", header_row=sheet.header_row,
                               hidden=sheet.hidden))
    return RawSubmission(form="xlsx", source=str(path), metadata=metadata, tables=tables)

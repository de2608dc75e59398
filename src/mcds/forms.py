"""The layout of the standard's three forms, shared by every reader and writer.

- **CSV package**: a folder with ``datapackage.json`` (metadata in its ``mcds`` object) and one
  CSV file per table named ``<table>.csv``; UTF-8, header row of field names in the standard's
  order. Also accepted as a ``.zip`` of that folder.
- **JSON form**: one document, ``{"metadata": {...}, "<table>": [{...}, ...], ...}``, described
  by ``submission.schema.json``.
- **Workbook form** (XLSX): a ``Metadata`` sheet (columns ``Field`` and ``Value``, one row per
  metadata field, by name) and one sheet per table. Sheets are named by the table's title
  (``Missing episodes``) and row 1 holds the fields' titles (``Start date``); readers also
  accept the table's and fields' names, in any letter case.
"""

from __future__ import annotations

import re
import unicodedata

from mcds import standard as std

__all__ = ["METADATA_SHEET", "excel_safe", "match_field", "match_table", "sheet_name"]

METADATA_SHEET = "Metadata"
METADATA_HEADER = ("Field", "Value")


_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # and their full-width forms
_ALWAYS_GUARDED = ("\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _invisible(ch: str) -> bool:
    """A space, control or formatting character (or one that is not assigned): what a spreadsheet,
    or a tool that strips colour codes before it, may drop before it looks at the text."""
    return unicodedata.category(ch)[0] in "CZ"


def excel_safe(text: str | None) -> str | None:
    """A cell's text made safe to open in a spreadsheet (formula injection, CWE-1236).

    Prefixed with an apostrophe, so a spreadsheet shows it instead of running it: text beginning
    with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), tab or carriage return, and text
    beginning with any space, control or formatting character that holds one of those four
    anywhere (``\\x1b[m=HYPERLINK(...)``: what is dropped from the start and what a formula may
    follow are not worth guessing). Numbers such as ``-3`` are left alone. The standard's codes,
    dates and identifiers never begin with these characters, so valid data is never changed. Every
    writer of CSV and XLSX files uses this one function."""
    if not text or ("!" <= text[0] <= "~" and text[0] not in "=+-@"):  # the usual case: a visible ASCII start
        return text
    if text.startswith(_ALWAYS_GUARDED):
        return "'" + text
    if text[0] in _FORMULA_START:
        guarded = not _NUMBER.fullmatch(text)
    else:
        guarded = _invisible(text[0]) and not _FORMULA_START.isdisjoint(text) and not _NUMBER.fullmatch(text.strip())
    return "'" + text if guarded else text


def _norm(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text or "")).strip().casefold()


def sheet_name(table: std.Table) -> str:
    return table.title[:31]


def match_table(name: str, s: std.Standard) -> str | None:
    """The table a sheet or file name stands for (by name or title), or None."""
    key = _norm(name)
    for t in s.tables.values():
        if key in (_norm(t.name), _norm(t.title)):
            return t.name
    return None


def match_field(header: str, table: std.Table) -> str | None:
    """The field a header cell stands for (by name or title), or None."""
    key = _norm(header)
    for f in table.fields:
        if key in (_norm(f.name), _norm(f.title)):
            return f.name
    return None

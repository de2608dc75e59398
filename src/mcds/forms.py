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
_SKIPPED = frozenset(("Cc", "Cf", "Cs", "Zs", "Zl", "Zp"))  # controls, invisible formatting, spaces
# a terminal escape sequence (CSI such as ESC [ 31 m, OSC up to BEL or ST, or a two-character
# escape): a tool that strips colours from text takes it out whole
_ESCAPE_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                              r"|\x1b[ -~]")


def _seen(text: str) -> str:
    """The text from its first visible character: what a spreadsheet may look at once it (or a
    tool before it) has stripped leading spaces, control characters, invisible formatting
    characters and terminal escape sequences."""
    n = 0
    while n < len(text):
        if m := _ESCAPE_SEQUENCE.match(text, n):
            n = m.end()
        elif unicodedata.category(text[n]) in _SKIPPED:
            n += 1
        else:
            return text[n:]
    return ""


def excel_safe(text: str | None) -> str | None:
    """A cell's text made safe to open in a spreadsheet (formula injection, CWE-1236).

    Text whose first visible character is ``=``, ``+``, ``-``, ``@`` (or their full-width forms),
    after any leading spaces, control characters or invisible formatting characters, and text
    beginning with tab or carriage return, is prefixed with an apostrophe so a spreadsheet shows it
    instead of running it; numbers such as ``-3`` are left alone. The standard's codes, dates and
    identifiers never begin with these characters, so valid data is never changed. Every writer of
    CSV and XLSX files uses this one function."""
    if not text:
        return text
    seen = _seen(text)
    if text.startswith(_ALWAYS_GUARDED) or (seen[:1] in _FORMULA_START and not _NUMBER.fullmatch(seen)):
        return "'" + text
    return text


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

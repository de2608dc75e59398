"""The raw shape every reader produces (see :mod:`mcds.readers`)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from mcds.issues import column_letter

__all__ = ["RawMetadata", "RawSubmission", "RawTable", "load_rows"]


@dataclass
class RawTable:
    """One table as found in the submission, before any check."""

    name: str                      # as the user named it: resource name, sheet name or JSON key
    table: str | None              # the standard's table it stands for, or None if unknown
    header: list[str | None]       # the header cells as written
    fields: list[str | None]       # the standard's field each header cell stands for (None if none)
    relation: str | None = None    # the DuckDB table holding the cells (``_row``, ``c1`` ..)
    file: str | None = None
    sheet: str | None = None
    positional: bool = False       # columns are read by position (CSV form): their order matters
    has_columns: bool = True       # columns have letters (not in the JSON form)
    row_problems: list[tuple[str, int]] = field(default_factory=list)  # (code, row) found while parsing
    header_row: int = 1
    hidden: bool = False           # a hidden worksheet (workbook form)
    kind: str = "resource"         # resource (CSV form: exact names), sheet (workbook: names or titles), key (JSON)
    # (row, field) of cells whose failed check is already reported by a more precise issue (value-ambiguous,
    # mcds.readers.as_meant): their type error is not reported again
    superseded: set[tuple[int, str]] = field(default_factory=set)

    def column(self, index: int) -> str | None:
        """The column letter of the header cell at 0-based ``index``."""
        return column_letter(index + 1) if self.has_columns else None

    def column_of(self, field_name: str) -> str | None:
        try:
            return self.column(self.fields.index(field_name))
        except ValueError:
            return None

    def sql_column(self, field_name: str) -> str | None:
        """The raw column (``c3``) holding a field: its first occurrence in the header."""
        try:
            return f"c{self.fields.index(field_name) + 1}"
        except ValueError:
            return None


@dataclass
class RawMetadata:
    values: dict[str, str | None]
    present: bool = True
    file: str | None = None
    sheet: str | None = None
    rows: dict[str, int] = field(default_factory=dict)       # field -> row (workbook form)
    column: str | None = None                                  # the column holding values (workbook form)
    superseded: set[str] = field(default_factory=set)          # fields whose type error is reported otherwise


@dataclass
class RawSubmission:
    form: str                       # csv, zip, xlsx or json
    source: str
    metadata: RawMetadata
    tables: list[RawTable]
    notes: list[str] = field(default_factory=list)


def load_rows(con: duckdb.DuckDBPyConnection, relation: str, width: int, rows: Iterable[tuple[int, list[str | None]]]) -> None:
    """Load ``(row number, cells)`` pairs into ``relation`` in the raw shape, through a temporary CSV
    file (DuckDB reads CSV far faster than it takes rows one by one from Python)."""
    fd, tmp = tempfile.mkstemp(prefix="mcds-raw-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\r\n")  # so that a cell holding a CR or an LF is quoted
            w.writerow(["_row", *(f"c{i}" for i in range(1, width + 1))])
            for number, cells in rows:
                cells = list(cells[:width]) + [None] * (width - len(cells))
                w.writerow([number, *("" if c is None else c for c in cells)])
        columns = {"_row": "INTEGER", **{f"c{i}": "VARCHAR" for i in range(1, width + 1)}}
        con.execute(
            f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM read_csv(?, header=true, columns={columns!r}, "
            "auto_detect=false, delim=',', quote='\"', escape='\"', strict_mode=true)", [tmp])
    finally:
        os.unlink(tmp)

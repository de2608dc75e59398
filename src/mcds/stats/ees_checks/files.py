"""A data file and its metadata file, read as the screener reads them, and the file name checks.

The screener reads both files with DuckDB: the data file with every column as text, the metadata
file with DuckDB's guess of each column's type; in both an empty cell (quoted or not) is missing
(``None`` here). So does this module, with the same engine. Helpers mirror the screener's own
(``get_filters``, ``get_cols_meta``...), including what they do with a missing ``col_type``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mcds.issues import Location, column_letter
from mcds.stats.ees_checks.registry import Finding, check

Cell = str | None


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[tuple[Cell, ...]]
    raw: list[tuple[object, ...]] = field(default_factory=list)  # the metadata's typed values

    def __post_init__(self) -> None:
        self.index = {c: i for i, c in reversed(list(enumerate(self.header)))}
        self._cols: dict[int, list[Cell]] = {}

    def has(self, name: str | None) -> bool:
        return name in self.index

    def col(self, name: str) -> list[Cell]:
        """The column's cells (all missing if there is no such column, as R's ``meta$x`` is NULL);
        each column is gathered once (the checks read some columns many times), so never change it."""
        i = self.index.get(name)
        if i is None:
            return [None] * len(self.rows)
        if i not in self._cols:
            self._cols[i] = [r[i] for r in self.rows]
        return self._cols[i]

    def raw_col(self, name: str) -> list[object]:
        i = self.index.get(name)
        return [None] * len(self.raw) if i is None else [r[i] for r in self.raw]

    def at(self, r: int | None = None, name: str | None = None) -> Location:
        column = column_letter(self.index[name] + 1) if name in self.index else None
        return Location(file=self.name, row=None if r is None else r + 2, column=column, field=name)

    def first(self, name: str, wanted: Cell) -> Location:
        """Where the column first holds ``wanted``."""
        cells = self.col(name)
        return self.at(cells.index(wanted) if wanted in cells else None, name)

    def distinct(self, *names: str) -> list[tuple[Cell, ...]]:
        """The distinct combinations of the columns, in order of first appearance."""
        cols = [self.col(n) for n in names]
        return list(dict.fromkeys(zip(*cols, strict=True))) if cols else []


def _text(value: object) -> Cell:
    """A typed metadata value as R's ``as.character`` writes it (``1.0`` is ``"1"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def read_table(path: Path, *, all_text: bool) -> Table:
    """Read a CSV file as the screener does; raises ``duckdb.Error`` or ``OSError`` if it cannot."""
    con = duckdb.connect()
    try:
        options = ", all_varchar=true, quote='\"'" if all_text else ""
        result = con.execute(f"SELECT * FROM read_csv(?{options})", [str(path)])
        header = [d[0] for d in result.description]
        raw = result.fetchall()
    finally:
        con.close()
    if all_text:  # every cell is already text or missing: the rows as read, not copied
        return Table(path.name, header, raw)
    return Table(path.name, header, [tuple(_text(v) for v in r) for r in raw], raw)


@dataclass
class Pair:
    """The data file and metadata file screened together."""

    data_name: str
    meta_name: str
    data: Table = field(init=False)
    meta: Table = field(init=False)

    # ------------------------------------------------------------------ the screener's helpers

    def filters(self, *, groups: bool = False) -> list[Cell]:
        """``get_filters``: the col_name of every Filter row (and of a row with no col_type,
        as R's subsetting by a missing value gives a missing name), then the filter groups."""
        out = [n for n, t in zip(self.meta.col("col_name"), self.meta.col("col_type"), strict=True)
               if t is None or t == "Filter"]
        return out + self.filter_groups() if groups else out

    def filter_groups(self) -> list[str]:
        """``get_filter_groups``: the filter_grouping_column values that are not blank."""
        return [g for g in self.meta.col("filter_grouping_column") if g]

    def cols_meta(self, *, groups: bool = False, excl_indicators: bool = False) -> list[str]:
        """``get_cols_meta``: the col_names (and filter groups) named in the metadata, once each."""
        rows = list(zip(self.meta.col("col_name"), self.meta.col("filter_grouping_column"),
                        self.meta.col("col_type"), strict=True))
        if excl_indicators:
            rows = [r for r in rows if r[2] != "Indicator"]
        names = [r[0] for r in rows] + ([r[1] for r in rows] if groups else [])
        return list(dict.fromkeys(n for n in names if n))

    def meta_rows(self, kind: str) -> Iterator[int]:
        """The metadata rows whose col_type is ``kind`` (dplyr's filter drops a missing type)."""
        return (r for r, t in enumerate(self.meta.col("col_type")) if t == kind)

    def meta_at(self, r: int, name: str) -> Location:
        """A metadata cell, named by its row's col_name."""
        loc = self.meta.at(r, name)
        return Location(file=loc.file, row=loc.row, column=loc.column, field=self.meta.col("col_name")[r] or name)


# ---------------------------------------------------------------------- file name checks

def _sans_ext(name: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]+$", "", name)


def special_characters(name: str) -> list[str]:
    """The characters of a file name other than letters, digits, hyphens, underscores and spaces."""
    stem = re.sub(r"\.meta$", "", _sans_ext(name))
    return list(dict.fromkeys(ch for ch in stem if not (ch.isalnum() or ch in "-_" or ch.isspace())))


@check("ees-filename-spaces")
def filename_spaces(pair: Pair) -> Iterator[Finding]:
    for name in (pair.data_name, pair.meta_name):
        if " " in name:
            yield Finding(Location(file=name), name)


@check("ees-filename-special")
def filename_special(pair: Pair) -> Iterator[Finding]:
    for name in (pair.data_name, pair.meta_name):
        if chars := special_characters(name):
            yield Finding(Location(file=name), name, {"chars": " ".join(repr(c) for c in chars)})


@check("ees-filenames-match")
def filenames_match(pair: Pair) -> Iterator[Finding]:
    expected = pair.data_name.replace(".csv", ".meta.csv", 1)
    if pair.meta_name != expected:
        yield Finding(Location(file=pair.meta_name), pair.meta_name, {"expected": expected})

"""A file full of one fault is one finding, found fast: the cell checks' findings kept in DuckDB.

The cell checks (:func:`mcds.validation.cells.cell_checks`) of a table go into a table of their own,
``_cells_<table>`` (code, field, _row, value, param, form), instead of coming back to Python one by one.
From it:

- **column faults**: the findings of one cell check in one column that fail *the same way* become one
  ``column-fault`` finding with the exact count and the first rows. The same way means: the same code
  (one of the catalogue's cell checks that are errors), the same column, and values of the same *form*
  (every digit read as ``9``, every letter as ``a`` or ``A``: ``01/04/2024`` and ``31/12/2024`` are both
  ``99/99/9999``; an empty cell for ``required-missing``). A group becomes a column fault when it holds at
  least :data:`MIN_COLUMN` findings and more than half of the column's values (of its rows, for a
  required value missing): a column that fails that way everywhere, or in most rows. Other findings of
  the column are listed cell by cell, as before.
- **the rest**, counted exactly by code, and listed up to a limit per code (in row order);
- **the failed cells**, which the rules skip (:func:`rule_sql`): a rule that reads a field with cells that
  failed an error check runs twice, over the tables as they are (failed values read as empty) and without
  the records of the children those cells belong to, and reports only what it finds both ways.

Both are of versions whose catalogue has ``column-fault`` (:func:`applies`): version 1.0, released before
them, lists every cell and runs its rules on every row, as it always did.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.engine import quote
from mcds.issues import Severity
from mcds.validation.cells import CellFinding, _all_columns, _colnum, cell_checks

__all__ = ["FIRST_ROWS", "MIN_COLUMN", "CellResult", "ColumnFault", "applies", "cells_relation", "check_cells", "rule_sql",
           "subject_links", "summarised_codes"]

MIN_COLUMN = 20  # fewer findings than this are listed cell by cell, however many rows they make up
FIRST_ROWS = 10  # rows a column fault lists
_FORM = ("regexp_replace(regexp_replace(regexp_replace(coalesce(value, ''), '[0-9]', '9', 'g'), '[a-z]', 'a', 'g'), "
         "'[A-Z]', 'A', 'g')")


def applies(version: str) -> bool:
    """Whether version ``version`` of the standard has column faults and rules that skip failed cells."""
    return "column-fault" in catalogue(version)


def summarised_codes(version: str) -> frozenset[str]:
    """The codes a column fault can stand for: the catalogue's cell checks that are errors."""
    return frozenset(k.code for k in catalogue(version).values() if k.category == "cell" and k.severity is Severity.ERROR)


def cells_relation(table: str) -> str:
    return quote(f"_cells_{table}")


@dataclass(frozen=True)
class ColumnFault:
    code: str
    field: str
    count: int
    rows: tuple[int, ...]
    value: str | None
    form: str


@dataclass
class CellResult:
    """A table's cell findings: those listed, the column faults, and how many of each code are not listed."""

    listed: list[CellFinding] = field(default_factory=list)
    columns: list[ColumnFault] = field(default_factory=list)
    unlisted: Counter[str] = field(default_factory=Counter)


def check_cells(cur: duckdb.DuckDBPyConnection, s: std.Standard, table: std.Table, columns: dict[str, str | None],
                relation: str, *, absent_is_empty: bool, limit: int | None,
                superseded: set[tuple[int, str]] | frozenset[tuple[int, str]] = frozenset()) -> CellResult:
    """Run the cell checks of ``relation`` into ``_cells_<table>`` and read back what a report lists
    (see the module's description). ``superseded``: cells (row, field) reported otherwise."""
    out = CellResult()
    width_cols = sorted(_all_columns(cur, relation), key=_colnum)
    blank = []
    if width_cols:
        blank = [r for (r,) in cur.execute(f"SELECT _row FROM {relation} WHERE coalesce({', '.join(width_cols)}) IS NULL "
                                            "ORDER BY _row").fetchall()]
    out.listed = [CellFinding("row-blank", "", r, None) for r in blank]
    selects = cell_checks(s, table, columns, relation, width_cols if blank else [], absent_is_empty=absent_is_empty)
    rel = cells_relation(table.name)
    codes = summarised_codes(s.version)
    code_list = ", ".join(f"'{c}'" for c in sorted(codes))
    body = " UNION ALL ".join(selects) if selects else \
        ("SELECT NULL::VARCHAR AS code, NULL::VARCHAR AS field, NULL::INTEGER AS _row, NULL::VARCHAR AS value, "
         "NULL::VARCHAR AS param WHERE FALSE")
    cur.execute(f"CREATE OR REPLACE TABLE {rel} AS SELECT *, CASE WHEN code IN ({code_list}) THEN {_FORM} END AS form "
                f"FROM ({body}) c")
    if superseded:
        cur.execute("CREATE OR REPLACE TEMP TABLE _superseded (_row INTEGER, field VARCHAR)")
        cur.executemany("INSERT INTO _superseded VALUES (?, ?)", sorted(superseded))
        cur.execute(f"DELETE FROM {rel} c USING _superseded x WHERE c._row = x._row AND c.field = x.field")
    groups = cur.execute(f"SELECT code, field, form, count(*) FROM {rel} WHERE form IS NOT NULL GROUP BY ALL "
                         f"HAVING count(*) >= {MIN_COLUMN}").fetchall()
    faults = []
    if not applies(s.version):  # a version from before column faults: every cell listed
        groups = []
    for code, fname, form, n in groups:
        col = columns.get(fname)
        if col is None:
            continue
        whole = "count(*)" if code == "required-missing" else f"count({col})"
        (of,) = cur.execute(f"SELECT {whole} FROM {relation}").fetchone()  # type: ignore[misc]
        if 2 * n <= of:
            continue
        first = cur.execute(f"SELECT _row, value FROM {rel} WHERE code = ? AND field = ? AND form = ? ORDER BY _row "
                            f"LIMIT {FIRST_ROWS}", [code, fname, form]).fetchall()
        faults.append(ColumnFault(code, fname, n, tuple(r for r, _ in first), first[0][1], form))
    out.columns = sorted(faults, key=lambda f: (table.field_names.index(f.field), f.code))
    keep = "TRUE"
    if faults:
        keep = "NOT (" + " OR ".join(f"(code = '{f.code}' AND field = {_lit(f.field)} AND form = {_lit(f.form)})"
                                     for f in faults) + ")"
    counts = dict(cur.execute(f"SELECT code, count(*) FROM {rel} WHERE {keep} GROUP BY code").fetchall())
    # in the report's order (row, then column as the user's file has it), the first ``limit`` of each code
    at = " ".join(f"WHEN {_lit(f)} THEN {_colnum(c)}" for f, c in columns.items() if c)
    column = f"CASE field {at} ELSE 0 END" if at else "0"
    qualify = (f"QUALIFY row_number() OVER (PARTITION BY code ORDER BY _row, {column}) <= {int(limit)}"
               if limit is not None else "")
    rows = cur.execute(f"SELECT code, field, _row, value, param FROM {rel} WHERE {keep} {qualify} "
                       "ORDER BY _row, code, field").fetchall()
    out.listed += [CellFinding(code, fname, row, value, param) for code, fname, row, value, param in rows]
    listed = Counter(c.code for c in out.listed if c.code != "row-blank")
    out.unlisted = Counter({c: n - listed[c] for c, n in counts.items() if n > listed[c]})
    cur.execute(f"DELETE FROM {rel} WHERE code NOT IN ({code_list})")  # kept for the rules: the cells that failed
    return out


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_LEADING = re.compile(r"^(\s*--[^\n]*\n)*\s*", re.S)
_WITH = re.compile(r"^WITH(\s+RECURSIVE)?\s+", re.I)


def subject_links(s: std.Standard) -> dict[str, str]:
    """For each table, the field that names the record's subject (the child): the primary key of the table the
    most tables reference by a foreign key of one field (the children table), and in each table that references
    it, the referencing field. Read from the schemas' keys, not named here."""
    refs = Counter(fk["reference"].get("resource") for t in s.tables.values() for fk in t.foreign_keys
                   if len(fk["fields"]) == 1)
    if not refs:
        return {}
    root = refs.most_common(1)[0][0]
    if root not in s.tables or len(s.tables[root].primary_key) != 1:
        return {}
    links = {root: s.tables[root].primary_key[0]}
    for t in s.tables.values():
        for fk in t.foreign_keys:
            if fk["reference"].get("resource") == root and len(fk["fields"]) == 1 and t.name not in links:
                links[t.name] = fk["fields"][0]
    return links


def rule_sql(sql: str, s: std.Standard, failed: dict[str, set[str]], read: tuple[set[str], set[str]] | None) -> str | None:
    """``sql``, a rule, over its tables without the records that hang on a cell that failed its check; None
    if no cell the rule reads failed.

    A cell the rule reads failed when its table is one the rule reads and its field one the rule names
    (``read``: the rule's tables and column names, from DuckDB's parse; None: every table and field), and
    it failed a cell check (``failed``: the fields with failed cells, by table). The rule then leaves out
    every record of a child (:func:`subject_links`) one of whose records has such a cell, and, in a table
    that names no child, the rows that have one: each table the rule reads is replaced, for the statement,
    by a common table expression of the same name without them. The caller keeps what the rule finds both
    ways (:func:`mcds.rules.run_rule`): a finding that appears only when a failed value is read as empty
    (an episode whose placement's start date could not be read is on no day of a placement), or only when
    rows are left out, is a knock-on of the failure, not a fault of its own."""
    links = subject_links(s)
    reads = [t for t in s.tables if read is None or t in read[0]]
    bad_fields = {t: sorted(failed.get(t, set()) if read is None else failed.get(t, set()) & read[1]) for t in reads}
    bad_fields = {t: f for t, f in bad_fields.items() if f}
    if not bad_fields:
        return None

    def failed_rows(t: str) -> str:
        return f"SELECT _row FROM {cells_relation(t)} WHERE field IN ({', '.join(_lit(f) for f in bad_fields[t])})"

    subjects = [f"SELECT {quote(links[t])} AS _subject FROM main.{quote(t)} WHERE _row IN ({failed_rows(t)})"
                for t in bad_fields if t in links]
    ctes = []
    if subjects:
        ctes.append(f"_mcds_failed_subjects AS (SELECT DISTINCT _subject FROM ({' UNION ALL '.join(subjects)}) "
                    "WHERE _subject IS NOT NULL)")
    for t in reads:
        keep = []
        if t in bad_fields:
            keep.append(f"_row NOT IN ({failed_rows(t)})")
        if subjects and t in links:
            keep.append(f"NOT EXISTS (SELECT 1 FROM _mcds_failed_subjects b WHERE b._subject = x.{quote(links[t])})")
        if keep:
            ctes.append(f"{quote(t)} AS (SELECT * FROM main.{quote(t)} x WHERE {' AND '.join(keep)})")
    body = _LEADING.sub("", sql, count=1)
    m = _WITH.match(body)
    if m:
        return f"{m.group(0)}{', '.join(ctes)}, {body[m.end():]}"
    return f"WITH {', '.join(ctes)} {body}"

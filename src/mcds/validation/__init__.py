"""The validator's engine: read a submission in any form, check everything the standard defines,
and leave the submission in the typed DuckDB shape (:mod:`mcds.engine`).

Order of work: read the raw cells (:mod:`mcds.readers`); match tables and headers
(:mod:`.structure`); check metadata and cells with SQL compiled from the Table Schemas
(:mod:`.cells`); keys; cast into the typed shape; run the catalogue's SQL rules (:mod:`mcds.rules`).
The public API is :mod:`mcds.validate`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.catalogue import catalogue, make_issue
from mcds.engine import quote
from mcds.errors import InputError
from mcds.issues import Issue, Location, Severity
from mcds.readers import RawSubmission, RawTable, open_submission
from mcds.readers.as_meant import read_as_meant
from mcds.rules import RuleFinding, rule_types, run_rule
from mcds.validation.cells import TYPE_EXPECTED, CellFinding, create_codelists, find_cells, find_keys
from mcds.validation.faults import CellResult, ColumnFault, applies, cells_relation, check_cells
from mcds.validation.metadata import METADATA_RELATION, load_metadata, metadata_location, metadata_table
from mcds.validation.structure import check_header, match_tables
from mcds.validation.suggest import code_suggestion, did_you_mean

__all__ = ["EMITS", "Progress", "Validation", "cast_sql", "choose_version", "drop_raw", "present_tables",
           "structure_issues", "warning_codes"]

# Every code the validator emits besides the catalogue's rules (which it runs by their `rule` column).
EMITS = frozenset({
    "metadata-missing", "table-missing", "table-unknown", "column-missing", "column-unknown", "column-duplicate",
    "column-blank", "column-order", "row-blank", "row-extra-cells", "row-missing-cells", "required-missing",
    "type-error", "codelist-value", "pattern-mismatch", "out-of-range", "primary-key-duplicate",
    "foreign-key-missing", "code-deprecated", "field-deprecated", "code-not-in-use", "column-fault",
})

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
R = TypeVar("R")
VERSION_PATTERN = re.compile(r"^\d+\.\d+$")




def cast_sql(f: std.Field, column: str | None) -> str:
    """The typed value of a raw cell, as :func:`mcds.engine.cast_expression`; dates, months and times use
    DuckDB's own casts behind a LIKE that keeps them strict, several times faster than parsing with a
    format on a national file."""
    if column is None:
        return f"CAST(NULL AS {engine.sql_type(f)})"
    if f.type == "date":  # strict as the type check: YYYY-MM-DD only
        return f"CASE WHEN {column} LIKE '____-__-__' AND NOT contains({column}, ' ') THEN TRY_CAST({column} AS DATE) END"
    if f.type == "yearmonth":
        return f"CASE WHEN {column} LIKE '____-__' AND NOT contains({column}, ' ') THEN TRY_CAST({column} || '-01' AS DATE) END"
    if f.type == "time":
        return f"CASE WHEN {column} LIKE '__:__:__' AND NOT contains({column}, ' ') THEN TRY_CAST({column} AS TIME) END"
    return engine.cast_expression(f, column)


def choose_version(raw: RawSubmission, path: Path, requested: str | None = None) -> tuple[std.Standard, list[str]]:
    """The version of the standard to validate ``raw`` against (``requested``, else the one the data
    declares, else the current one), with notes for the report. An unsupported version is an
    :class:`~mcds.errors.InputError`."""
    notes: list[str] = []
    supported = std.supported_versions()
    declared = raw.metadata.values.get("standard_version")
    if declared is None:
        for k, v in raw.metadata.values.items():  # the workbook form may use the title
            if k.strip().casefold() in ("standard version", "standard_version"):
                declared = v
    if requested:
        if requested not in supported:
            raise InputError(path, f"version {requested} of the standard is not supported "
                                   f"(supported: {', '.join(supported)})")
        if declared and declared != requested:
            notes.append(f"The data says it follows version {declared} of the standard; it was validated "
                         f"against version {requested}, as asked.")
        version = requested
    elif declared and VERSION_PATTERN.match(declared.strip()):
        version = declared.strip()
        if version not in supported:
            raise InputError(path, f"the data follows version {version} of the standard, which this toolkit "
                                   f"does not support (supported: {', '.join(supported)}); use "
                                   "--standard-version to validate it against a supported version")
    else:
        version = std.current_version()
    current = std.current_version()
    if std.version_key(version) < std.version_key(current):
        notes.append(f"Version {current} of the standard is available; this submission was validated "
                     f"against version {version}, which it follows (`mcds upgrade` moves it to {current}).")
    return std.load(version), notes


class Validation:
    """One run of the validator over one submission.

    Iterate :meth:`issues` to run it; afterwards ``con`` holds the submission in the typed shape,
    ``standard`` the version it was validated against and ``notes`` remarks about the run."""

    STAGES = 5

    def __init__(self, path: Path, *, standard_version: str | None = None, progress: Progress | None = None,
                 keep_raw: bool = False, warnings: bool = True, threads: int | None = None,
                 max_issues: int | None = None) -> None:
        self.path = Path(path)
        # the most cell findings of each code (and table) fetched from DuckDB; the others are counted in
        # ``unlisted`` (all errors), by code
        self.max_issues = max_issues
        self.unlisted: Counter[str] = Counter()
        self.failed: dict[str, set[str]] = {}  # fields with cells that failed a check, by table: the rules skip them
        # warnings=False: skip the rules whose severity is warning and build no warning issues (for callers
        # that only need validity and the blocking issues, such as statistics)
        self.warnings = warnings
        self.requested_version = standard_version
        self.progress = progress
        self.keep_raw = keep_raw  # keep the raw cells (for an annotated copy) after the typed tables are made
        self.con: duckdb.DuckDBPyConnection = engine.connect()
        self.con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would write into the report
        if threads:  # e.g. 1 in a worker process that has a core of its own: no threads side by side either
            self.con.execute(f"SET threads = {int(threads)}")
        self.standard: std.Standard | None = None
        self.raw: RawSubmission | None = None
        self.notes: list[str] = []
        self.meta_keys: dict[str, str] = {}

    def _step(self, stage: str, n: int) -> None:
        if self.progress:
            self.progress(stage, n, self.STAGES)

    # ------------------------------------------------------------------ version

    def _choose_version(self, raw: RawSubmission) -> std.Standard:
        s, notes = choose_version(raw, self.path, self.requested_version)
        self.notes += notes
        return s

    # ------------------------------------------------------------------ issues

    def _cell_issue(self, s: std.Standard, raw: RawTable | None, table: std.Table, c: CellFinding,
                    suggestions: dict[tuple[str, str], str | None]) -> Issue:
        f = table.field(c.field) if c.field else None
        if raw is None:  # metadata
            loc = metadata_location(self.raw.metadata, self.meta_keys, c.field)  # type: ignore[union-attr]
        else:
            loc = Location(table=table.name, file=raw.file, sheet=raw.sheet, row=c.row,
                           column=raw.column_of(c.field) if c.field else None, field=c.field)
        v = s.version
        code = c.code
        if raw is None and code == "required-missing":
            return make_issue("metadata-missing", loc, version=v)
        params: dict[str, object] = {}
        if code == "type-error" and f:
            params = {"type": f.type, "expected": TYPE_EXPECTED.get(f.type, f.type)}
        elif code == "pattern-mismatch" and f:
            params = {"expected": f"pattern {f.constraints.get('pattern')}"}
        elif code == "out-of-range" and f:
            params = {"expected": ", ".join(f"{k} {f.constraints[k]}" for k in ("minimum", "maximum", "minLength", "maxLength")
                                            if k in f.constraints)}
        elif code in ("codelist-value", "code-deprecated") and f and f.codelist:
            key = (f.codelist, c.value or "")
            if key not in suggestions:
                suggestions[key] = code_suggestion(s, f, c.value or "")
            params = {"codelist": f.codelist, "suggestion": did_you_mean(suggestions[key])}
            if code == "code-deprecated":
                params["suggestion"] = f" ({c.param})" if c.param else ""
        elif code == "code-not-in-use" and f and f.codelist:
            code_row = s.codelist(f.codelist).by_code.get(c.value or "")
            extra = code_row.extra if code_row else {}
            params = {"codelist": f.codelist, "valid_from": extra.get("valid_from") or "the start",
                      "valid_to": extra.get("valid_to") or "now", "date_field": c.param or ""}
        elif code == "primary-key-duplicate":
            params = {"first_row": c.param}
        elif code == "foreign-key-missing":
            params = {"reference": c.param}
        if code == "row-blank":
            loc = Location(table=loc.table, file=loc.file, sheet=loc.sheet, row=loc.row)
        return make_issue(code, loc, value=c.value, version=v, **params)

    def _column_issue(self, s: std.Standard, raw: RawTable, table: std.Table, c: ColumnFault) -> Issue:
        f = table.field(c.field)
        check = catalogue(s.version)[c.code]
        expected = TYPE_EXPECTED.get(f.type, "") if c.code == "type-error" else ""
        loc = Location(table=table.name, file=raw.file, sheet=raw.sheet, column=raw.column_of(c.field), field=c.field)
        issue = make_issue("column-fault", loc, value=c.value, version=s.version, count=f"{c.count:,}",
                           check=check.title.lower(), check_code=c.code,
                           expected=f", not {expected}" if expected else "",
                           first=", ".join(map(str, c.rows[:5])))
        return dataclasses.replace(issue, count=c.count, rows=c.rows)

    def _rule_issue(self, s: std.Standard, r: RuleFinding, raws: dict[str, RawTable]) -> Issue:
        if r.table == "metadata" or r.table not in s.tables:
            loc = metadata_location(self.raw.metadata, self.meta_keys, r.field)  # type: ignore[union-attr]
        else:
            raw = raws.get(r.table)
            loc = Location(table=r.table, file=raw.file if raw else None, sheet=raw.sheet if raw else None, row=r.row,
                           column=raw.column_of(r.field) if raw and r.field else None, field=r.field,
                           record_id=r.record_id)
        return make_issue(r.code, loc, value=r.value, version=s.version, **r.params)

    def issues(self) -> Iterator[Issue]:
        con = self.con
        self._step("Reading", 0)
        with open_submission(self.path, con) as raw:
            self.raw = raw
            s = self.standard = self._choose_version(raw)
            v = s.version
            create_codelists(con, s)
            self._step("Checking structure", 1)
            yield from structure_issues(raw, s)
            yield from read_as_meant(con, raw, s)  # what Excel stores, as meant (the workbook form)
            present = present_tables(raw)

            self._step("Checking metadata", 2)
            self.meta_keys = load_metadata(con, raw.metadata, s, by_title=raw.form == "xlsx")
            mt = metadata_table(s)
            mcols = {f.name: f"c{i}" for i, f in enumerate(s.metadata_fields, start=1)}
            suggestions: dict[tuple[str, str], str | None] = {}
            # council codes in operation: the rule council-not-in-operation, which knows the reporting period
            for c in find_cells(con, s, mt, mcols, METADATA_RELATION, in_use=False):  # type: ignore[arg-type]
                if c.code != "row-blank" and not (c.code == "type-error" and c.field in raw.metadata.superseded):
                    yield self._cell_issue(s, None, mt, c, suggestions)

            self._step("Checking cells", 3)
            columns = {t: {f: r.sql_column(f) for f in s.tables[t].field_names} for t, r in present.items()}
            relations = {t: (r.relation, columns[t]) for t, r in present.items()}
            self._load_metadata_typed(s, mcols)

            def check_table(cur: duckdb.DuckDBPyConnection, t: str) -> CellResult:
                r, table = present[t], s.tables[t]
                found = check_cells(cur, s, table, columns[t], r.relation, absent_is_empty=r.kind == "key",  # type: ignore[arg-type]
                                    limit=self.max_issues, superseded=getattr(r, "superseded", frozenset()))
                found.listed += find_keys(cur, table, columns[t], r.relation, relations)  # type: ignore[arg-type]
                self._load_typed(cur, s, t, r, columns[t], blank=any(c.code == "row-blank" for c in found.listed))
                return found

            skip = set() if self.warnings else warning_codes(v)
            for t, result in zip(present, concurrently(con, check_table, list(present)), strict=True):
                yield from (self._column_issue(s, present[t], s.tables[t], c) for c in result.columns)
                self.unlisted.update(result.unlisted)
                found = result.listed
                yield from (self._cell_issue(s, present[t], s.tables[t], c, suggestions) for c in found
                            if c.code not in skip and (c.row, c.field) not in present[t].superseded)
        if not self.keep_raw and self.raw:  # the typed tables hold everything the rules need: free the memory first
            drop_raw(con, self.raw)
        self._step("Checking rules", 4)
        for t in present:
            self.failed[t] = {f for (f,) in con.execute(f"SELECT DISTINCT field FROM {cells_relation(t)}").fetchall()}
        failed = {t: f for t, f in self.failed.items() if f} if applies(v) else {}  # 1.0: rules on every row
        kinds = [k for k in rule_types(s.version) if self.warnings or k.severity is not Severity.WARNING]
        for findings in concurrently(con, lambda cur, kind: list(run_rule(cur, s, kind, failed)), kinds):
            yield from (self._rule_issue(s, f, present) for f in findings)
        for t in present:
            con.execute(f"DROP TABLE IF EXISTS {cells_relation(t)}")

    def _load_metadata_typed(self, s: std.Standard, mcols: dict[str, str]) -> None:
        engine.create_tables(self.con, s)
        exprs = ", ".join(engine.cast_expression(f, mcols[f.name]) for f in s.metadata_fields)
        self.con.execute(f"INSERT INTO metadata SELECT {exprs} FROM {METADATA_RELATION}")

    @staticmethod
    def _load_typed(cur: duckdb.DuckDBPyConnection, s: std.Standard, t: str, r: RawTable,
                    columns: dict[str, str | None], *, blank: bool) -> None:
        """Cast one raw table into its typed table (blank rows, if it has any, left out)."""
        raw_cols = [f"c{i}" for i in range(1, len(r.header) + 1)]
        exprs = ", ".join(cast_sql(f, columns[f.name]) for f in s.tables[t].fields)
        where = "WHERE FALSE" if not raw_cols else f"WHERE coalesce({', '.join(raw_cols)}) IS NOT NULL" if blank else ""
        cur.execute(f"INSERT INTO {quote(t)} SELECT {exprs}, _row FROM {r.relation} {where}")


def present_tables(raw: RawSubmission) -> dict[str, RawTable]:
    """The standard's tables found in ``raw`` (after :func:`structure_issues` has matched them)."""
    return {r.table: r for r in raw.tables if r.table and r.relation}


def structure_issues(raw: RawSubmission, s: std.Standard) -> Iterator[Issue]:
    """Tables present and missing, each header, and rows with too many or too few cells; matches
    ``raw``'s tables and columns to the standard's as it goes."""
    yield from match_tables(raw, s)
    present = present_tables(raw)
    for r in raw.tables:
        if r.table in present and present[r.table] is r:
            yield from check_header(r, s.tables[r.table], s)
    for r in present.values():
        for code, row in r.row_problems:
            yield make_issue(code, Location(table=r.table, file=r.file, sheet=r.sheet, row=row), version=s.version)


def drop_raw(con: duckdb.DuckDBPyConnection, *raws: RawSubmission) -> None:
    """Drop the raw cells of each of ``raws`` from ``con`` (their tables' relations, and what they are views of)."""
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    for raw in raws:
        for r in raw.tables:
            for name in (r.relation, f"{r.relation}_data") if r.relation else ():
                if name in kinds:
                    con.execute(f"DROP {'VIEW' if kinds[name] == 'VIEW' else 'TABLE'} {name}")
            r.relation = None


def warning_codes(version: str) -> frozenset[str]:
    return frozenset(code for code, t in catalogue(version).items() if t.severity is Severity.WARNING)


def concurrently(con: duckdb.DuckDBPyConnection, fn: Callable[[duckdb.DuckDBPyConnection, T], R],
                 items: list[T]) -> list[R]:
    """``fn(cursor, item)`` for every item, two at a time on cores enough, each on its own cursor of
    ``con``; the results in the items' order. DuckDB runs each query on its own threads as well, but
    many small queries side by side keep both cores busier than one after another."""
    workers = min(len(items), os.cpu_count() or 1, 2)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
    if workers < 2 or int(threads) == 1:  # one thread asked for (a worker process): one query at a time
        return [fn(con, item) for item in items]

    def run(item: T) -> R:
        cur = con.cursor()
        try:
            return fn(cur, item)
        finally:
            cur.close()

    con.execute("SET threads = 1")  # each query on one thread: less overhead, and the two run side by side
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run, items))
    finally:
        con.execute(f"SET threads = {int(threads)}")

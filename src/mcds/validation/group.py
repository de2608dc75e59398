"""Many submissions validated at once, for statistics over many councils.

Validating a submission costs a fixed fifth of a second or so however small it is: DuckDB plans
some sixty queries for its cells, keys and rules. A national run over 150 council returns pays that
150 times. A :class:`Group` takes each submission in and checks what belongs to it alone (its form,
tables and headers) on its own. Its cells go into shared tables, with a column ``_pkg`` numbering
the submissions: the CSV files of a table are read for every CSV package at once, by one DuckDB
``read_csv`` (other forms are read one by one). The checks of metadata, cells, keys and the
catalogue's rules then run once for all of them. The typed shape (:mod:`mcds.engine`) of every
submission is left in the schema ``grp`` of the connection, with ``_pkg``, for the statistics.

A group only ever says that submissions are valid; it never says why one is not. Whatever it cannot
prove valid, the caller validates on its own with :mod:`mcds.validate`, which gives the report.
So a group must never call valid a submission the validator would not. That rests on three things:

- keys are unique, and references found, within each submission (``_pkg`` is part of every key);
- in the typed tables, every field of a primary or foreign key is prefixed with the submission's
  number, so a rule that joins records joins them only within one submission;
- the catalogue's rules that read tables see a one-row ``metadata``: a group takes only submissions
  that agree on every metadata field those rules (and the caller's own SQL, such as the indicators)
  name. Rules that read only the metadata run over every submission's row.

A rule is then *separable*: over the submissions of a group, it finds a record wrong exactly when
it would over that record's own submission. ``tests/test_group.py`` checks this for every rule of
the catalogue against the conformance suite and the example data.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.engine import quote
from mcds.errors import InputError
from mcds.issues import Severity
from mcds.readers import RawSubmission, RawTable, detect_form, open_submission
from mcds.readers.csvpkg import fast_rows, header_of, read_options, read_table, survey_package
from mcds.rules import references, rule_types
from mcds.validation import cast_sql, choose_version, drop_raw, present_tables, structure_issues, warning_codes
from mcds.validation.cells import create_codelists, find_cells, find_keys
from mcds.validation.metadata import metadata_table, metadata_values

__all__ = ["SCHEMA", "SEP", "Group", "Member", "unprefixed"]

SCHEMA = "grp"  # the typed shape of every submission of the group, with _pkg
META_SCHEMA = "grp_metadata"  # ``metadata``: one row per submission, with _pkg
SEP = "|"  # between the submission's number and a key's value in the typed tables


@dataclass(frozen=True)
class Member:
    """A submission read into the group: ``number`` is its ``_pkg``."""

    path: Path
    number: int


@dataclass(frozen=True)
class _Pending:
    """A CSV file of a member, to be read at the check with the other members' files of its table."""

    member: int
    raw: RawTable
    path: Path


@dataclass(frozen=True)
class _Plan:
    """How a version's rules run in a group, and which metadata fields its members must share."""

    data_rules: tuple[str, ...]      # SQL of the blocking rules that read tables: over the group's tables
    metadata_rules: tuple[str, ...]  # SQL of the blocking rules that read only the metadata: over every row
    shared: tuple[str, ...]          # metadata fields that rules reading tables, or the caller's SQL, name
    key_fields: frozenset[str]       # fields of primary and foreign keys: prefixed in the typed tables


@functools.cache
def _plan(version: str, also: tuple[str, ...]) -> _Plan:
    s = std.load(version)
    con = engine.connect()
    try:
        meta_fields = {f.name for f in s.metadata_fields}
        data: list[str] = []
        only_meta: list[str] = []
        shared: set[str] = set()
        queries = [(k.sql(version) or "", k.severity is not Severity.WARNING) for k in rule_types(version)]
        for sql, blocking in [*queries, *((q, False) for q in also)]:
            sql = sql.strip().rstrip(";")
            if not sql:
                continue
            refs = references(con, sql)
            reads_tables = refs is None or bool(refs[0] & set(s.tables))
            if reads_tables:
                shared |= meta_fields if refs is None else refs[1] & meta_fields
            if blocking:
                (data if reads_tables else only_meta).append(sql)
    finally:
        con.close()
    keys = {k for t in s.tables.values() for k in t.primary_key}
    for t in s.tables.values():
        for fk in t.foreign_keys:
            keys |= set(fk["fields"]) | set(fk["reference"]["fields"])
    for t in s.tables.values():
        for f in t.fields:
            if f.name in keys and f.type != "string":
                msg = f"{t.name}.{f.name}: a key field must be a string to be made distinct between submissions"
                raise ValueError(msg)
    return _Plan(tuple(data), tuple(only_meta), tuple(f.name for f in s.metadata_fields if f.name in shared),
                 frozenset(keys))


class Group:
    """Submissions validated together (see the module's description).

    :meth:`add` each submission, then :meth:`check`. ``also``: SQL the caller will run over the typed
    shape afterwards (the members must agree on the metadata fields it names). ``standard_version``
    as for :func:`mcds.validate.validate`. ``threads``: DuckDB's threads."""

    def __init__(self, *, standard_version: str | None = None, also: Iterable[str] = (),
                 threads: int | None = None) -> None:
        self.requested_version = standard_version
        self.also = tuple(also)
        self.con = engine.connect()
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.members: list[Member] = []
        self.standard: std.Standard | None = None
        self._plan: _Plan | None = None
        self._shared: tuple[str | None, ...] | None = None
        self._raw: list[RawSubmission] = []  # the members' raw cells, until the check gathers them
        self._pending: list[_Pending] = []  # CSV files the check reads
        self._metadata: list[list[str | None]] = []  # each member's _pkg, _row (0) and metadata cells
        self._drop: list[str] = []  # tables the check reads files into, dropped once the typed tables are made
        self._views: set[str] = set()  # tables whose ``_g_<table>`` is a view of one of those
        self.checked = False

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------------ one submission

    def add(self, path: Path | str) -> bool:
        """Take the submission at ``path`` into the group and check what belongs to it alone: its
        form, tables, headers and shared metadata. False if it did not join: its structure has a
        blocking issue, it cannot be read, or it follows another version of the standard or differs
        from the group in a shared metadata field. Validate such a submission on its own.

        The CSV files of a CSV package are read at :meth:`check`, each table of every member by one
        DuckDB statement; other forms are read here."""
        if self.checked:
            msg = "the group has been checked: add every submission first"
            raise RuntimeError(msg)
        path = Path(path)
        n = len(self.members)
        try:
            if detect_form(path) == "csv":
                return self._add_package(path, n)
            with open_submission(path, self.con, prefix=f"_raw_m{n}") as raw:  # read now, under names of its own
                return self._join_or_drop(path, raw, [])
        except InputError:
            return False

    def _add_package(self, path: Path, n: int) -> bool:
        from mcds.safety import memory_guard

        with memory_guard(path):
            raw, jobs = survey_package(path, prefix=f"_raw_m{n}")
            pending = []
            for r, file, relation in jobs:
                r.header, fast = header_of(file)
                r.relation = relation
                if fast:
                    pending.append(_Pending(n, r, file))
                else:  # not UTF-8, or no header: read now, as the validator does
                    r.header, r.row_problems = read_table(self.con, file, relation)
            return self._join_or_drop(path, raw, pending)

    def _join_or_drop(self, path: Path, raw: RawSubmission, pending: list[_Pending]) -> bool:
        joined = False
        try:
            joined = self._join(path, raw)
        finally:
            if not joined:
                drop_raw(self.con, raw)
        if joined:
            present = present_tables(raw)
            self._pending += [p for p in pending if present.get(p.raw.table or "") is p.raw]
        return joined

    def _join(self, path: Path, raw: RawSubmission) -> bool:
        s, _notes = choose_version(raw, path, self.requested_version)
        if self.standard is None:
            self._start(s)
        elif s.version != self.standard.version:
            return False
        plan = self._plan
        assert plan is not None
        values, _keys = metadata_values(raw.metadata, s, raw.form == "xlsx")
        shared = tuple(values.get(f) for f in plan.shared)
        if self._shared is not None and shared != self._shared:
            return False
        if any(i.blocking for i in structure_issues(raw, s)):
            return False
        if raw.form == "xlsx":  # what Excel stores, read as meant, as the validator reads it
            from mcds.readers.as_meant import read_as_meant

            for _ in read_as_meant(self.con, raw, s):
                pass
            values, _keys = metadata_values(raw.metadata, s, True)
        n = len(self.members)
        self._metadata.append([n, 0, *(values.get(f.name) or None for f in s.metadata_fields)])
        self.members.append(Member(path, n))
        self._raw.append(raw)
        if self._shared is None:
            self._shared = shared
        return True

    def _start(self, s: std.Standard) -> None:
        self.standard = s
        self._plan = _plan(s.version, self.also)
        create_codelists(self.con, s)

    def _read_pending(self, s: std.Standard) -> dict[str, list[str]]:
        """Read the members' pending CSV files: those of a table with the same header, each once,
        by one ``read_csv`` (a statement per file costs more than parsing a small one). Returns, for
        each table, SELECTs of its cells in the gathered shape (``_pkg``, ``_row``, ``c1`` ..).

        Rows are numbered as in each file by DuckDB's row ids, which follow the order read: the
        read stands only if every file holds one record per line after its header, as the
        validator's reader requires. Otherwise each of those files is read on its own, as the
        validator reads it."""
        con = self.con
        batches: dict[tuple[str, int, tuple[str | None, ...]], list[_Pending]] = {}
        alone: list[_Pending] = []
        for p in self._pending:
            t = s.tables[p.raw.table or ""]
            key = (t.name, len(p.raw.header), tuple(p.raw.sql_column(f) for f in t.field_names))
            batch = batches.setdefault(key, [])
            if any(q.path == p.path for q in batch):  # the same file twice: DuckDB's file names would not tell them apart
                alone.append(p)
            else:
                batch.append(p)
        parts: dict[str, list[str]] = {}
        for k, ((t, width, columns), batch) in enumerate(batches.items()):
            sql = self._read_batch(k, batch, width, columns)
            if sql is None:
                alone += batch
            else:
                parts.setdefault(t, []).append(sql)
        for p in alone:
            p.raw.header, p.raw.row_problems = read_table(con, p.path, p.raw.relation or "")
        return parts

    def _read_batch(self, k: int, batch: list[_Pending], width: int, columns: tuple[str | None, ...]) -> str | None:
        """One ``read_csv`` of every file of ``batch``, or None if that read does not stand."""
        con = self.con
        expected = [fast_rows(p.path) for p in batch]
        if any(e is None for e in expected):
            return None
        data = f"_gb{k}"
        cells = ", ".join(f"{c or 'NULL'} AS c{i}" for i, c in enumerate(columns, start=1))
        members = [p.member for p in batch]  # DuckDB numbers the files read from 0, in the order given
        try:
            con.execute(f"CREATE TABLE {data} AS SELECT CAST(list_extract({members!r}, CAST(file_index AS INTEGER) + 1) "
                        f"AS INTEGER) AS _pkg, {cells} FROM read_csv(?, {read_options(width)})",
                        [[str(p.path) for p in batch]])
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error:  # a file DuckDB will not take as it is: each is read on its own
            return None
        self._drop.append(data)
        found = {pkg: (count, first, last) for pkg, count, first, last in con.execute(
            f"SELECT _pkg, count(*), min(rowid), max(rowid) FROM {data} GROUP BY _pkg").fetchall()}
        offsets, start = {}, 0
        for p, rows in zip(batch, expected, strict=True):
            offsets[p.member] = start
            start += rows or 0
        if found != {p.member: (rows, offsets[p.member], offsets[p.member] + rows - 1)
                     for p, rows in zip(batch, expected, strict=True) if rows}:
            con.execute(f"DROP TABLE {data}")
            return None
        first = [offsets.get(i, 0) for i in range(len(self.members))]
        for p in batch:
            p.raw.relation = None  # in the batch, not a relation of its own
        return (f"SELECT _pkg, CAST(rowid - list_extract({first!r}, _pkg + 1) + 2 AS INTEGER) AS _row, "
                f"{', '.join(f'c{i}' for i in range(1, len(columns) + 1))} FROM {data}")

    def _check_metadata(self, s: std.Standard) -> bool:
        """Every member's metadata in ``_g_metadata`` (one row each, with ``_pkg``), its cells checked
        at once as the validator checks each submission's (a blank row is no blank row here)."""
        con = self.con
        cols = ", ".join(f"c{i} VARCHAR" for i in range(1, len(s.metadata_fields) + 1))
        con.execute(f"CREATE TABLE _g_metadata (_pkg INTEGER, _row INTEGER, {cols})")
        one = f"({', '.join('?' * (len(s.metadata_fields) + 2))})"
        con.execute(f"INSERT INTO _g_metadata VALUES {', '.join([one] * len(self._metadata))}",
                    [v for row in self._metadata for v in row])
        mcols = {f.name: f"c{i}" for i, f in enumerate(s.metadata_fields, start=1)}
        skip = {"row-blank", *warning_codes(s.version)}
        return not any(c.code not in skip for c in find_cells(con, s, metadata_table(s), mcols, "_g_metadata",  # type: ignore[arg-type]
                                                             in_use=False, group="_pkg"))

    def _gather(self, s: std.Standard) -> bool:
        """Every member's cells of each table in one relation ``_g_<table>`` (``_pkg``, ``_row``, then
        one column per field in the standard's order). A table read by one statement (the usual case)
        is a view of what was read; otherwise one statement gathers it: appending submission by
        submission costs DuckDB several times more."""
        con = self.con
        read = self._read_pending(s)
        for t in s.tables.values():
            parts = list(read.get(t.name, []))
            for m, raw in zip(self.members, self._raw, strict=True):
                r = next((r for r in raw.tables if r.table == t.name and r.relation), None)
                if r is not None:
                    cells = ", ".join(f"{r.sql_column(f) or 'NULL'} AS c{i}" for i, f in enumerate(t.field_names, start=1))
                    parts.append(f"SELECT {m.number} AS _pkg, _row, {cells} FROM {r.relation}")
            if not parts:
                parts = ["SELECT NULL::INTEGER AS _pkg, NULL::INTEGER AS _row, "
                         + ", ".join(f"NULL::VARCHAR AS c{i}" for i in range(1, len(t.fields) + 1)) + " WHERE FALSE"]
            kind = "VIEW" if len(parts) == 1 and t.name in read else "TABLE"  # else a copy
            if kind == "VIEW":
                self._views.add(t.name)
            con.execute(f"CREATE {kind} {quote('_g_' + t.name)} AS " + "\nUNION ALL\n".join(parts))
        ragged = any(r.row_problems for raw in self._raw for r in raw.tables if r.relation)
        drop_raw(con, *self._raw)
        self._raw.clear()
        return not ragged

    # ------------------------------------------------------------------ all at once

    def check(self) -> bool:
        """Check the cells, keys and rules of every member at once, leaving their typed shape in the
        schema ``grp``. True if every member is valid; False if any may not be (then validate each on
        its own to find which, and why)."""
        if self.checked:
            msg = "a group is checked once"
            raise RuntimeError(msg)
        self.checked = True
        s, plan, con = self.standard, self._plan, self.con
        if s is None or plan is None or not self.members:
            return True
        try:
            if not self._check_metadata(s) or not self._gather(s):
                return False
        except duckdb.OutOfMemoryException:
            return False  # each validated on its own says which is too large
        skip = warning_codes(s.version)
        relations = {t: (quote("_g_" + t), {f: f"c{i}" for i, f in enumerate(s.tables[t].field_names, start=1)})
                     for t in s.tables}
        for t, (rel, columns) in relations.items():
            table = s.tables[t]
            if any(c.code not in skip for c in find_cells(con, s, table, columns, rel, group="_pkg")):  # type: ignore[arg-type]
                return False
            if any(True for _ in find_keys(con, table, columns, rel, relations, group="_pkg")):  # type: ignore[arg-type]
                return False
        self._load_typed(s, plan, relations)
        for schema, rules in ((SCHEMA, plan.data_rules), (META_SCHEMA, plan.metadata_rules)):
            con.execute(f"SET search_path = '{schema},main'")
            for sql in rules:
                if con.execute(f"SELECT EXISTS (\n{sql}\n)").fetchone()[0]:  # type: ignore[index]
                    return False
        con.execute(f"SET search_path = '{SCHEMA},main'")  # for the caller's SQL
        return True

    def _load_typed(self, s: std.Standard, plan: _Plan, relations: dict[str, tuple[str, dict[str, str]]]) -> None:
        """The typed shape (:mod:`mcds.engine`) with ``_pkg``: every member in ``grp``, and every
        member's metadata row in ``grp_metadata``, the first member's alone in ``grp``. Each table is
        made by one ``CREATE TABLE .. AS``, which DuckDB writes far faster than an ``INSERT``."""
        con = self.con
        for schema in (SCHEMA, META_SCHEMA):
            con.execute(f"CREATE SCHEMA {schema}")
        mexprs = ", ".join(f"CAST({engine.cast_expression(f, f'c{i}')} AS {engine.sql_type(f)}) AS {quote(f.name)}"
                           for i, f in enumerate(s.metadata_fields, start=1))
        con.execute(f"CREATE TABLE {META_SCHEMA}.metadata AS SELECT {mexprs}, _pkg FROM _g_metadata")
        con.execute(f"CREATE TABLE {SCHEMA}.metadata AS SELECT * FROM {META_SCHEMA}.metadata WHERE _pkg = 0")
        for t, (rel, columns) in relations.items():
            exprs = []
            for f in s.tables[t].fields:
                e = f"CAST({cast_sql(f, columns[f.name])} AS {engine.sql_type(f)})"
                if f.name in plan.key_fields:  # distinct between submissions: joins stay within one
                    e = f"CAST(_pkg AS VARCHAR) || '{SEP}' || {e}"
                exprs.append(f"{e} AS {quote(f.name)}")
            con.execute(f"CREATE TABLE {SCHEMA}.{quote(t)} AS SELECT {', '.join(exprs)}, _row, _pkg FROM {rel}")
            con.execute(f"DROP {'VIEW' if t in self._views else 'TABLE'} {rel}")  # the typed table holds everything from here on
        for name in self._drop:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute("DROP TABLE _g_metadata")

    def members_metadata(self) -> list[tuple[object, ...]]:
        """The typed metadata of each member, in order: the metadata fields, then ``_pkg``."""
        return self.con.execute(f"SELECT * FROM {META_SCHEMA}.metadata ORDER BY _pkg").fetchall()


def unprefixed(column: str) -> str:
    """SQL of a key field's value as the submission has it (without the group's prefix)."""
    return f"substr({column}, strpos({column}, '{SEP}') + 1)"

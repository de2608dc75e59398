"""Many submissions validated at once, for statistics over many councils.

Validating a submission costs a fixed fifth of a second or so however small it is: DuckDB plans
some sixty queries for its cells, keys and rules. A national run over 150 council returns pays that
150 times. A :class:`Group` reads each submission into one connection and checks what belongs to it
alone (its form, tables, headers, metadata) on its own; its cells go into shared tables, with a
column ``_pkg`` numbering the submissions, and the checks of cells, keys and the catalogue's rules
then run once for all of them. The typed shape (:mod:`mcds.engine`) of every submission is left
in the schema ``grp`` of the connection, with ``_pkg``, for the statistics.

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
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.engine import quote
from mcds.errors import InputError
from mcds.issues import Severity
from mcds.readers import RawSubmission, open_submission
from mcds.rules import rule_types
from mcds.validation import cast_sql, choose_version, drop_raw, structure_issues, warning_codes
from mcds.validation.cells import create_codelists, find_cells, find_keys
from mcds.validation.metadata import METADATA_RELATION, load_metadata, metadata_table, metadata_values

__all__ = ["SCHEMA", "SEP", "Group", "Member", "unprefixed"]

SCHEMA = "grp"  # the typed shape of every submission of the group, with _pkg
META_SCHEMA = "grp_metadata"  # ``metadata``: one row per submission, with _pkg
SEP = "|"  # between the submission's number and a key's value in the typed tables


@dataclass(frozen=True)
class Member:
    """A submission read into the group: ``number`` is its ``_pkg``."""

    path: Path
    number: int


def _walk(node: object, tables: set[str], columns: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and isinstance(node.get("table_name"), str):
            tables.add(node["table_name"])
        if node.get("class") == "COLUMN_REF" and node.get("column_names"):
            columns.add(str(node["column_names"][-1]))
        for v in node.values():
            _walk(v, tables, columns)
    elif isinstance(node, list):
        for v in node:
            _walk(v, tables, columns)


def _references(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[set[str], set[str]] | None:
    """The tables and column names a query names, from DuckDB's own parse of it (None if it does not parse)."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])  # type: ignore[index]
    if tree.get("error"):
        return None
    tables: set[str] = set()
    columns: set[str] = set()
    _walk(tree, tables, columns)
    return tables, columns


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
            refs = _references(con, sql)
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
        self.checked = False

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------------ one submission

    def add(self, path: Path | str) -> bool:
        """Read the submission at ``path`` into the group and check what belongs to it alone. False if
        it did not join: its structure or metadata has a blocking issue, it cannot be read, or it
        follows another version of the standard or differs from the group in a shared metadata field.
        Validate such a submission on its own."""
        if self.checked:
            msg = "the group has been checked: add every submission first"
            raise RuntimeError(msg)
        path = Path(path)
        n = len(self.members)
        try:  # each submission's raw cells under names of its own, kept until the check
            with open_submission(path, self.con, prefix=f"_raw_m{n}") as raw:
                joined = False
                try:
                    joined = self._join(path, raw)
                finally:
                    if not joined:
                        drop_raw(self.con, raw)
                return joined
        except InputError:
            return False

    def _join(self, path: Path, raw: RawSubmission) -> bool:
        con = self.con
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
        load_metadata(con, raw.metadata, s, by_title=raw.form == "xlsx")
        mcols = {f.name: f"c{i}" for i, f in enumerate(s.metadata_fields, start=1)}
        skip = {"row-blank", *warning_codes(s.version)}  # as the validator: a blank metadata row is not a blank row
        if any(c.code not in skip for c in find_cells(con, s, metadata_table(s), mcols, METADATA_RELATION,  # type: ignore[arg-type]
                                                      in_use=False)):
            return False
        n = len(self.members)
        con.execute(f"INSERT INTO _g_metadata SELECT {n}, * EXCLUDE (_row) FROM {METADATA_RELATION}")
        self.members.append(Member(path, n))
        self._raw.append(raw)
        if self._shared is None:
            self._shared = shared
        return True

    def _start(self, s: std.Standard) -> None:
        self.standard = s
        self._plan = _plan(s.version, self.also)
        create_codelists(self.con, s)
        cols = ", ".join(f"c{i} VARCHAR" for i in range(1, len(s.metadata_fields) + 1))
        self.con.execute(f"CREATE TABLE _g_metadata (_pkg INTEGER, {cols})")

    def _gather(self, s: std.Standard) -> None:
        """Every member's cells of each table in one table ``_g_<table>`` (``_pkg``, ``_row``, then one
        column per field in the standard's order), made by one statement: appending submission by
        submission costs DuckDB several times more."""
        con = self.con
        for t in s.tables.values():
            parts = []
            for m, raw in zip(self.members, self._raw, strict=True):
                r = next((r for r in raw.tables if r.table == t.name and r.relation), None)
                if r is not None:
                    cells = ", ".join(f"{r.sql_column(f) or 'NULL'} AS c{i}" for i, f in enumerate(t.field_names, start=1))
                    parts.append(f"SELECT {m.number} AS _pkg, _row, {cells} FROM {r.relation}")
            if not parts:
                parts = ["SELECT NULL::INTEGER AS _pkg, NULL::INTEGER AS _row, "
                         + ", ".join(f"NULL::VARCHAR AS c{i}" for i in range(1, len(t.fields) + 1)) + " WHERE FALSE"]
            con.execute(f"CREATE TABLE {quote('_g_' + t.name)} AS " + "\nUNION ALL\n".join(parts))
        drop_raw(con, *self._raw)
        self._raw.clear()

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
        self._gather(s)
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
            con.execute(f"DROP TABLE {rel}")  # the typed table holds everything from here on
        con.execute("DROP TABLE _g_metadata")

    def members_metadata(self) -> list[tuple[object, ...]]:
        """The typed metadata of each member, in order: the metadata fields, then ``_pkg``."""
        return self.con.execute(f"SELECT * FROM {META_SCHEMA}.metadata ORDER BY _pkg").fetchall()


def unprefixed(column: str) -> str:
    """SQL of a key field's value as the submission has it (without the group's prefix)."""
    return f"substr({column}, strpos({column}, '{SEP}') + 1)"

"""Run the issue catalogue's rules: portable SQL in ``standard/<version>/rules/<code>.sql``.

Each rule is one ``SELECT`` over the typed shape (:mod:`mcds.engine`) returning one row per
offending record: ``table_name``, ``row_id`` (the record's primary key; for a key of several
fields, their values joined with ``|``), ``field`` and ``value``, and any further columns the
rule's message uses as parameters. Codelists are available as tables ``codelist_<name>``. The
toolkit finds the record's row in the user's file from its primary key.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb

from mcds import standard as std
from mcds.catalogue import IssueType, catalogue
from mcds.engine import quote

__all__ = ["RuleFinding", "key_sql", "references", "rule_types", "run_rule", "run_rules"]

REQUIRED_COLUMNS = ("table_name", "row_id", "field", "value")


@dataclass(frozen=True, slots=True)
class RuleFinding:
    code: str
    table: str
    record_id: str | None
    row: int | None
    field: str | None
    value: str | None
    params: dict[str, object]


def rule_types(version: str) -> list[IssueType]:
    return [t for t in catalogue(version).values() if t.rule]


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return str(v)


def key_sql(table: std.Table, alias: str = "") -> str | None:
    """SQL of a record's id: its primary key, as text ('|' between the fields of a composite key)."""
    if not table.primary_key:
        return None
    cols = [f"CAST({alias}{quote(k)} AS VARCHAR)" for k in table.primary_key]
    return cols[0] if len(cols) == 1 else f"concat_ws('|', {', '.join(cols)})"


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


def references(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[set[str], set[str]] | None:
    """The tables and column names a query names, from DuckDB's own parse of it (None if it does not parse)."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])  # type: ignore[index]
    if tree.get("error"):
        return None
    tables: set[str] = set()
    columns: set[str] = set()
    _walk(tree, tables, columns)
    return tables, columns


def _hashable(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


def run_rule(con: duckdb.DuckDBPyConnection, s: std.Standard, kind: IssueType,
             failed: dict[str, set[str]] | None = None) -> Iterator[RuleFinding]:
    """The records ``kind``'s rule finds wrong. ``failed``: the fields whose cells failed a check, by
    table; the rule then skips the rows that failed in a field it reads (:func:`mcds.validation.faults.rule_sql`)."""
    sql = kind.sql(s.version)
    if not sql:
        return
    sql = sql.strip().rstrip(";")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    skipping = None
    if failed and rows:  # a finding must not hang on a value that failed its check: see rule_sql
        from mcds.validation.faults import rule_sql

        skipping = rule_sql(sql, s, failed, references(con, sql))
    if skipping:
        kept = {_hashable(r) for r in con.execute(skipping).fetchall()}
        rows = [r for r in rows if _hashable(r) in kept]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        msg = f"rule {kind.code} does not return the columns {missing}"
        raise ValueError(msg)
    rows = [dict(zip(names, r, strict=True)) for r in rows]
    if not rows:
        return
    located: dict[tuple[str, str], int] = {}
    by_table: dict[str, set[str]] = {}
    for r in rows:
        if r["table_name"] in s.tables and r["row_id"] is not None:
            by_table.setdefault(r["table_name"], set()).add(str(r["row_id"]))
    for tname, ids in by_table.items():
        key = key_sql(s.tables[tname])
        if key is None:
            continue
        for rid, row in con.execute(f"SELECT {key} AS k, min(_row) FROM {quote(tname)} WHERE {key} IN "
                                    f"(SELECT unnest(?::VARCHAR[])) GROUP BY k", [sorted(ids)]).fetchall():
            located[(tname, rid)] = row
    for r in rows:
        rid = None if r["row_id"] is None else str(r["row_id"])
        params = {k: _text(v) for k, v in r.items() if k not in REQUIRED_COLUMNS}
        yield RuleFinding(kind.code, r["table_name"], rid, located.get((r["table_name"], rid or "")), r["field"],
                          _text(r["value"]), params)


def run_rules(con: duckdb.DuckDBPyConnection, s: std.Standard,
              progress: Callable[[str], None] | None = None) -> Iterator[RuleFinding]:
    for kind in rule_types(s.version):
        if progress:
            progress(kind.code)
        yield from run_rule(con, s, kind)

"""Run the issue catalogue's rules: portable SQL in ``standard/<version>/rules/<code>.sql``.

Each rule is one ``SELECT`` over the typed shape (:mod:`mcds.engine`) returning one row per
offending record: ``table_name``, ``row_id`` (the record's primary key; for a key of several
fields, their values joined with ``|``), ``field`` and ``value``, and any further columns the
rule's message uses as parameters. Codelists are available as tables ``codelist_<name>``. The
toolkit finds the record's row in the user's file from its primary key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb

from mcds import standard as std
from mcds.catalogue import IssueType, catalogue
from mcds.engine import quote

__all__ = ["RuleFinding", "key_sql", "rule_types", "run_rule", "run_rules"]

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


def run_rule(con: duckdb.DuckDBPyConnection, s: std.Standard, kind: IssueType) -> Iterator[RuleFinding]:
    sql = kind.sql(s.version)
    if not sql:
        return
    cur = con.execute(sql.strip().rstrip(";"))
    names = [d[0] for d in cur.description]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        msg = f"rule {kind.code} does not return the columns {missing}"
        raise ValueError(msg)
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
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

"""The DuckDB shape of a submission, shared by the validator, rules and statistics.

Contract: in a connection, every table of the standard exists under its own name with one
column per field, typed from the Table Schema (see ``SQL_TYPES``), plus ``_row`` (INTEGER: the
row as the user sees it in their file, header = 1). The submission's metadata is the one-row
table ``metadata``. The portable SQL of the issue and indicator catalogues runs against
exactly this shape.
"""

from __future__ import annotations

import duckdb

from mcds import standard as std
from mcds.submission import Submission

__all__ = ["SQL_TYPES", "connect", "create_tables", "load_submission", "sql_type"]

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "datetime": "TIMESTAMP",
    "yearmonth": "DATE",  # the first day of the month
    "list": "VARCHAR[]",
}


def sql_type(f: std.Field) -> str:
    return SQL_TYPES[f.type]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def create_tables(con: duckdb.DuckDBPyConnection, s: std.Standard) -> None:
    cols = ", ".join(f"{quote(f.name)} {sql_type(f)}" for f in s.metadata_fields)
    con.execute(f"CREATE OR REPLACE TABLE metadata ({cols})")
    for t in s.tables.values():
        cols = ", ".join([*(f"{quote(f.name)} {sql_type(f)}" for f in t.fields), "_row INTEGER"])
        con.execute(f"CREATE OR REPLACE TABLE {quote(t.name)} ({cols})")


def cast_expression(f: std.Field, column: str) -> str:
    """SQL turning a VARCHAR cell into the field's type (NULL where it cannot)."""
    c = f"NULLIF({column}, '')"
    if f.type == "boolean":
        return (f"CASE WHEN {c} IN ('true','True','TRUE','1') THEN TRUE "
                f"WHEN {c} IN ('false','False','FALSE','0') THEN FALSE END")
    if f.type == "yearmonth":
        return f"TRY_CAST(TRY_STRPTIME({c}, '%Y-%m') AS DATE)"
    if f.type == "date":
        return f"TRY_CAST(TRY_STRPTIME({c}, '%Y-%m-%d') AS DATE)"
    if f.type == "time":
        return f"TRY_CAST(TRY_STRPTIME({c}, '%H:%M:%S') AS TIME)"
    if f.type == "list":
        delim = f.descriptor.get("delimiter", ";").replace("'", "''")
        return f"list_filter(string_split({c}, '{delim}'), lambda x: x <> '')"
    return f"TRY_CAST({c} AS {sql_type(f)})"


def load_submission(sub: Submission, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """Load an in-memory submission into the typed shape (rows numbered from 2, in list order). The
    cells go through a CSV file as the readers' do (:func:`mcds.readers.base.load_rows`): DuckDB
    takes rows one by one from Python a thousand times slower."""
    from mcds.readers.base import load_rows

    con = con or connect()
    s = sub.standard
    create_tables(con, s)
    tables = [("metadata", s.metadata_fields, [sub.metadata]),
              *((t.name, t.fields, sub.tables.get(t.name, [])) for t in s.tables.values())]
    for name, fields, rows in tables:
        if not rows:
            continue
        load_rows(con, "_load_text", len(fields),
                  ((n, [r.get(f.name) for f in fields]) for n, r in enumerate(rows, start=2)))
        exprs = ", ".join(cast_expression(f, f"c{i}") for i, f in enumerate(fields, start=1))
        row = ", _row" if name != "metadata" else ""
        con.execute(f"INSERT INTO {quote(name)} SELECT {exprs}{row} FROM _load_text ORDER BY _row")
    con.execute("DROP TABLE IF EXISTS _load_text")
    return con

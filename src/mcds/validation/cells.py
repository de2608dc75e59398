"""Cell, row and key checks, compiled from the Table Schemas into set-based SQL.

Every check is one ``SELECT`` over a raw table (``_row``, ``c1`` .. ``cN``, all VARCHAR) that
returns the offending cells as ``(code, field, _row, value, param)``; they are joined with
``UNION ALL`` so DuckDB runs them in one pass per table. Nothing here names a field: each check
comes from a field's type, constraints, codelist or the table's keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

from mcds import derive
from mcds import standard as std
from mcds.engine import quote

__all__ = [
    "TYPE_EXPECTED",
    "CellFinding",
    "codelist_relation",
    "create_codelists",
    "find_cells",
    "find_keys",
    "type_valid_sql",
]


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bare(pattern: str) -> str:
    return pattern.removeprefix("^").removesuffix("$")


TRUE_FALSE = ("true", "True", "TRUE", "1", "false", "False", "FALSE", "0")

TYPE_EXPECTED = {
    "date": "a date written as YYYY-MM-DD",
    "yearmonth": "a year and month written as YYYY-MM",
    "time": "a time written as HH:MM:SS",
    "datetime": "a date and time written as YYYY-MM-DDTHH:MM:SS, with Z or an offset if known",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def type_valid_sql(f: std.Field, c: str) -> str | None:
    """SQL true when the non-empty cell ``c`` is a valid value of the field's type (None: any text)."""
    t = f.type
    if t == "date":  # the LIKE and the space test make DuckDB's lenient date cast strict (YYYY-MM-DD only)
        return f"({c} LIKE '____-__-__' AND NOT contains({c}, ' ') AND TRY_CAST({c} AS DATE) IS NOT NULL)"
    if t == "yearmonth":
        return f"regexp_full_match({c}, {_lit(_bare(derive.YEARMONTH_PATTERN))})"
    if t == "time":
        return f"regexp_full_match({c}, {_lit(_bare(derive.TIME_PATTERN))})"
    if t == "datetime":
        return (f"(regexp_full_match({c}, {_lit(_bare(derive.DATETIME_PATTERN))}) "
                f"AND TRY_CAST(left({c}, 19) AS TIMESTAMP) IS NOT NULL)")
    if t == "boolean":
        return f"{c} IN ({', '.join(map(_lit, TRUE_FALSE))})"
    if t == "integer":
        return f"(regexp_full_match({c}, '[+-]?[0-9]+') AND TRY_CAST({c} AS BIGINT) IS NOT NULL)"
    if t == "number":
        number = "[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"
        return f"(regexp_full_match({c}, '{number}') AND TRY_CAST({c} AS DOUBLE) IS NOT NULL)"
    return None


def _typed_sql(f: std.Field, c: str) -> str:
    """The cell as a comparable value of its type, for range checks."""
    return {"integer": f"TRY_CAST({c} AS BIGINT)", "number": f"TRY_CAST({c} AS DOUBLE)",
            "date": f"TRY_CAST(TRY_STRPTIME({c}, '%Y-%m-%d') AS DATE)"}.get(f.type, c)


def codelist_relation(name: str) -> str:
    """The table holding a codelist in a validation connection (every column VARCHAR)."""
    return quote(f"codelist_{name}")


def create_codelists(con: duckdb.DuckDBPyConnection, s: std.Standard) -> None:
    """Every codelist as a table ``codelist_<name>`` with the CSV's columns (VARCHAR, '' when empty)."""
    for name, cl in s.codelists.items():
        cols = ["code", "title", "description", *(c for c in cl.columns if c not in ("code", "title", "description"))]
        con.execute(f"CREATE OR REPLACE TABLE {codelist_relation(name)} ({', '.join(quote(c) + ' VARCHAR' for c in cols)})")
        rows = [[c.code, c.title, c.description, *(c.extra.get(k) or "" for k in cols[3:])] for c in cl.codes]
        if rows:  # one statement: DuckDB takes many rows at once far faster than row by row
            one = f"({', '.join('?' * len(cols))})"
            con.execute(f"INSERT INTO {codelist_relation(name)} VALUES {', '.join([one] * len(rows))}",
                        [v for r in rows for v in r])


@dataclass(frozen=True, slots=True)
class CellFinding:
    code: str
    field: str
    row: int
    value: str | None
    param: str | None = None
    group: int | None = None  # the submission, when several are checked at once (mcds.validation.group)


def _codes_sql(f: std.Field) -> str:
    key = quote(f.codelist_key)
    return f"SELECT {key} FROM {codelist_relation(f.codelist or '')} WHERE {key} <> ''"


def _date_field(table: std.Table) -> std.Field | None:
    """The date a record's codes are in use on: its first required date (for example a start date)."""
    return next((f for f in table.fields if f.type == "date" and f.required), None)


def cell_checks(s: std.Standard, table: std.Table, columns: dict[str, str | None], relation: str,
                all_columns: list[str], *, absent_is_empty: bool, in_use: bool = True,
                group: str | None = None) -> list[str]:
    """The SELECTs finding every offending cell of ``relation``.

    ``columns`` maps each field to its raw column (None if the column is absent). Absent columns
    are reported once as a header problem, unless ``absent_is_empty`` (the JSON form, where an
    object may leave out a property) or the field is deprecated, in which case their cells count as
    empty. A deprecated field whose column holds a value is reported at its first value. ``all_columns``:
    every raw column, when the table has blank rows to leave out (else empty). ``group``: a column
    of ``relation`` numbering the submissions it holds (:mod:`mcds.validation.group`), returned
    after ``_row``."""
    src = f"(SELECT * FROM {relation} WHERE coalesce({', '.join(all_columns)}) IS NOT NULL)" if all_columns else relation
    rowcols = f"_row, {group}" if group else "_row"
    out = []

    def sel(code: str, f: std.Field, where: str, value: str, param: str = "NULL", frm: str = src) -> None:
        out.append(f"SELECT {_lit(code)} AS code, {_lit(f.name)} AS field, {rowcols}, {value} AS value, "
                   f"CAST({param} AS VARCHAR) AS param FROM {frm} WHERE {where}")

    date_field = _date_field(table) if in_use else None
    date_col = columns.get(date_field.name) if date_field else None
    for f in table.fields:
        c = columns.get(f.name)
        if c is None:  # a deprecated field's column may be left out in every form
            if (absent_is_empty or f.deprecated) and f.required:
                sel("required-missing", f, "TRUE", "NULL")
            continue
        if f.deprecated:  # in use: reported once per table (per submission), at its first value
            first = f"row_number() OVER ({f'PARTITION BY {group} ' if group else ''}ORDER BY _row) = 1"
            sel("field-deprecated", f, "TRUE", c, frm=f"(SELECT * FROM {src} WHERE {c} IS NOT NULL QUALIFY {first})")
        cons = f.constraints
        if f.required:
            sel("required-missing", f, f"{c} IS NULL", "NULL")
        valid = type_valid_sql(f, c)
        if valid:
            sel("type-error", f, f"{c} IS NOT NULL AND NOT {valid}", c)
        if "pattern" in cons and f.type == "string":
            anchored = f"^(?:{_bare(cons['pattern'])})$"  # Table Schema patterns match the whole value
            sel("pattern-mismatch", f, f"{c} IS NOT NULL AND NOT regexp_matches({c}, {_lit(anchored)})", c)
        typed = _typed_sql(f, c)
        for key, op in (("minimum", "<"), ("maximum", ">")):
            if key in cons:
                bound = _lit(str(cons[key]))
                sel("out-of-range", f, f"{c} IS NOT NULL AND {typed} {op} CAST({bound} AS {_sqltype(f)})", c)
        for key, op in (("minLength", "<"), ("maxLength", ">")):
            if key in cons:
                sel("out-of-range", f, f"{c} IS NOT NULL AND length({c}) {op} {int(cons[key])}", c)
        if f.codelist:
            codes = _codes_sql(f)
            cl = codelist_relation(f.codelist)
            item = "_item"
            if f.is_list:
                delim = _lit(f.descriptor.get("delimiter", ";"))
                frm = f"(SELECT {rowcols}, unnest(string_split({c}, {delim})) AS _item FROM {src} WHERE {c} IS NOT NULL)"
                where_from = f"{item} <> ''"
            else:
                frm, item, where_from = src, c, f"{c} IS NOT NULL"
            sel("codelist-value", f, f"{where_from} AND {item} NOT IN ({codes})", item, frm=frm)
            cl_cols = s.codelist(f.codelist).columns
            if "deprecated" in cl_cols:
                sel("code-deprecated", f, f"{where_from} AND {item} IN (SELECT {quote(f.codelist_key)} FROM {cl} "
                    "WHERE deprecated <> '')", item,
                    param=f"(SELECT first(deprecated) FROM {cl} d WHERE d.{quote(f.codelist_key)} = {item})", frm=frm)
            if "valid_to" in cl_cols and date_col and not f.is_list:
                # A record that began after its code was withdrawn. (A record that began before a code was
                # introduced may still use it once it is: a placement carries the current code.)
                on = f"TRY_CAST(TRY_STRPTIME({date_col}, '%Y-%m-%d') AS DATE)"
                sel("code-not-in-use", f,
                    f"{c} IS NOT NULL AND EXISTS (SELECT 1 FROM {cl} v WHERE v.{quote(f.codelist_key)} = {c} AND "
                    f"v.valid_to <> '' AND {on} > CAST(v.valid_to AS DATE))", c)
    return out


def _sqltype(f: std.Field) -> str:
    return {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}.get(f.type, "VARCHAR")


def find_cells(con: duckdb.DuckDBPyConnection, s: std.Standard, table: std.Table, columns: dict[str, str | None],
               relation: str, *, absent_is_empty: bool = False, in_use: bool = True,
               group: str | None = None) -> Iterator[CellFinding]:
    """Every offending cell of ``relation`` (see :func:`cell_checks`), by row; with ``group``, each
    finding also says which submission it is in."""
    width_cols = sorted(_all_columns(con, relation), key=_colnum)
    rowcols = f"_row, {group}" if group else "_row, NULL"
    # blank rows are reported as such, and their cells are not checked (as Frictionless does). Only a
    # table that has some pays for leaving them out: each check then reads one column, not all.
    blank = []
    if width_cols:
        blank = con.execute(f"SELECT {rowcols} FROM {relation} WHERE coalesce({', '.join(width_cols)}) IS NULL "
                            "ORDER BY _row").fetchall()
    selects = cell_checks(s, table, columns, relation, width_cols if blank else [], absent_is_empty=absent_is_empty,
                          in_use=in_use, group=group)
    found = [CellFinding("row-blank", "", r, None, group=g) for r, g in blank]
    if selects:
        rows = con.execute(" UNION ALL ".join(selects)).fetchall()
        if group:
            found += [CellFinding(code, field, row, value, param, g) for code, field, row, g, value, param in rows]
        else:
            found += [CellFinding(code, field, row, value, param) for code, field, row, value, param in rows]
    found.sort(key=lambda c: (c.group or 0, c.row, c.code))
    yield from found


def _colnum(c: str) -> int:
    return int(c[1:])


def _all_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    cols = [r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    return [c for c in cols if re.fullmatch(r"c\d+", c)]


def find_keys(con: duckdb.DuckDBPyConnection, table: std.Table, columns: dict[str, str | None], relation: str,
              relations: dict[str, tuple[str, dict[str, str | None]]], *,
              group: str | None = None) -> Iterator[CellFinding]:
    """Primary keys repeated (every row after the first) and foreign keys that match no row.

    ``relations`` maps each present table to its raw relation and field columns. With ``group`` (a
    column numbering the submissions the relations hold), keys are unique and references found
    within each submission."""
    pk = [columns.get(k) for k in table.primary_key]
    g = [group] if group else []
    if pk and all(pk):
        keys = ", ".join([*g, *pk])  # type: ignore[list-item]
        nonnull = " AND ".join(f"{c} IS NOT NULL" for c in pk)
        # find the repeated keys by hashing (cheap: no other column read), then the rows that hold them
        match = " AND ".join(f"t.{c} = d.{c}" for c in [*g, *pk])  # type: ignore[str-bytes-safe]
        sql = (f"WITH d AS (SELECT {keys} FROM {relation} WHERE {nonnull} GROUP BY {keys} HAVING count(*) > 1), "
               f"r AS (SELECT t._row, t.{pk[0]} AS _value, {f't.{group}' if group else 'NULL'} AS _group, "
               f"min(t._row) OVER (PARTITION BY {', '.join(f't.{c}' for c in [*g, *pk])}) AS first_row "  # type: ignore[str-bytes-safe]
               f"FROM {relation} t JOIN d ON {match}) "
               f"SELECT _row, _value, first_row, _group FROM r WHERE _row > first_row ORDER BY _row")
        for row, value, first, n in con.execute(sql).fetchall():
            yield CellFinding("primary-key-duplicate", table.primary_key[0], row, value, str(first), n)
    for fk in table.foreign_keys:
        ref = fk["reference"]
        target = ref.get("resource") or table.name
        if target not in relations:
            continue
        ref_rel, ref_cols = relations[target]
        local = [columns.get(n) for n in fk["fields"]]
        remote = [ref_cols.get(n) for n in ref["fields"]]
        if not all(local) or not all(remote):
            continue
        nonnull = " AND ".join(f"{c} IS NOT NULL" for c in local)
        match = " AND ".join(f"r.{rc} = t.{lc}" for lc, rc in zip([*g, *local], [*g, *remote], strict=True))
        sql = (f"SELECT t._row, t.{local[0]}, {f't.{group}' if group else 'NULL'} FROM {relation} t WHERE {nonnull} "
               f"AND NOT EXISTS (SELECT 1 FROM {ref_rel} r WHERE {match}) ORDER BY t._row")
        for row, value, n in con.execute(sql).fetchall():
            yield CellFinding("foreign-key-missing", fk["fields"][0], row, value, target, n)

"""Apply migration maps to a submission in memory: every row and value carried over, new fields
blank or derived, new tables empty or derived, the metadata moved to the new version.

Derivations run on DuckDB over the previous version's tables in the typed shape of
:mod:`mcds.engine` (rows numbered from 2, in the submission's order), so a derived field lands in
the row it was computed from. Nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.engine import quote
from mcds.errors import MCDSError
from mcds.migration import Change, Derivation, Migration
from mcds.submission import Submission

__all__ = ["Added", "Step", "Usage", "apply", "cell_text", "changed_in_use", "derived_columns", "in_use",
           "uncollected_source", "usage"]

NOT_COLLECTED = "not_collected"
# a column a table derivation sets to a NULL literal (NULL, NULL::TYPE or CAST(NULL AS TYPE)) is one the
# previous version could not hold: it is not derived but not collected
_NULL_COLUMN = re.compile(r'(?:\bCAST\s*\(\s*NULL\s+AS\s+[\w\[\] ]+?\s*\)|\bNULL(?:\s*::\s*[\w\[\]]+)?)\s+AS\s+"?(\w+)"?',
                          re.IGNORECASE)


@dataclass
class Added:
    """A table or field a step added: derived (with the rows or values it was given) or not collected."""

    table: str
    field: str | None = None
    derived: int | None = None      # rows made (table) or values filled (field); None when not derived
    not_collected: bool = False
    note: str = ""


@dataclass
class Step:
    """What one map did to the submission."""

    source: str
    target: str
    added: list[Added] = field(default_factory=list)


def cell_text(f: std.Field, value: Any) -> str | None:
    """A value DuckDB computed, as the text of a cell of field ``f`` in the CSV form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        parts = [t for v in value if (t := cell_text(f, v)) is not None]
        return f.descriptor.get("delimiter", ";").join(parts) or None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if f.type == "yearmonth" else value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text != "" else None


def _not_collected(meta: dict[str, str | None]) -> list[str]:
    return [p.strip() for p in (meta.get(NOT_COLLECTED) or "").split(";") if p.strip()]


def _mentions(sql: str, names: list[str]) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", sql) for n in names)


def derived_columns(d: Derivation, columns: list[str]) -> list[str]:
    """The columns of a table derivation's query (``columns``, as DuckDB names them) that it derives:
    all but those it sets to a NULL literal, which the older version could not hold (not collected)."""
    nulls = {c.group(1) for c in _NULL_COLUMN.finditer(d.sql)}
    return [c for c in columns if c not in nulls]


def uncollected_source(d: Derivation, old: std.Standard, missing: list[str]) -> bool:
    """Whether a derivation reads something the submission says it did not collect (a table, or a
    field the SQL names): what is made from data never collected is not collected either."""
    source = d.from_ or d.table
    if source in missing:
        return True
    fields = [p.split(".", 1)[1] for p in missing if p.startswith(f"{source}.")]
    return bool(fields) and _mentions(d.sql, fields)


def _fail(m: Migration, d: Derivation, exc: Exception) -> MCDSError:
    what = f"{d.table}.{d.field}" if d.field else d.table
    return MCDSError(f"the migration map to version {m.to} cannot derive {what}: {exc}")


def _derive_table(con: duckdb.DuckDBPyConnection, m: Migration, d: Derivation,
                  table: std.Table) -> tuple[list[str], list[dict[str, str | None]]]:
    try:
        rel = con.sql(d.sql)
        columns, rows = rel.columns, rel.fetchall()
    except duckdb.Error as exc:
        raise _fail(m, d, exc) from None
    unknown = [c for c in columns if c not in table.field_names]
    if unknown:
        raise _fail(m, d, ValueError(f"its query gives columns that are not fields of {table.name}: {', '.join(unknown)}"))
    fields = [table.field(c) for c in columns]
    return columns, [{f.name: cell_text(f, v) for f, v in zip(fields, row, strict=True)} for row in rows]


def _derive_field(con: duckdb.DuckDBPyConnection, m: Migration, d: Derivation, f: std.Field,
                  rows: list[dict[str, str | None]]) -> int:
    try:
        found = con.execute(f"SELECT _row, ({d.sql}) FROM {quote(d.table)} ORDER BY _row").fetchall()
    except duckdb.Error as exc:
        raise _fail(m, d, exc) from None
    filled = 0
    for number, value in found:
        text = cell_text(f, value)
        rows[number - 2][f.name] = text
        filled += text is not None
    return filled


def _step(sub: Submission, m: Migration) -> tuple[Submission, Step]:
    old, new = std.load(m.from_), std.load(m.to)
    missing = _not_collected(sub.metadata)
    report = Step(m.from_, m.to)
    meta = dict(sub.metadata)
    meta["standard_version"] = m.to
    out = Submission(meta)
    for t in new.tables.values():
        if t.name in old.tables:
            lost = [f for f in old.tables[t.name].field_names if f not in t.field_names]
            if lost:
                raise MCDSError(f"version {m.to} of the standard has no field {t.name}.{lost[0]}: "
                                "its values could not be carried over")
            out.tables[t.name] = [{n: row.get(n) for n in t.field_names} for row in sub.tables.get(t.name, [])]
        else:
            out.tables[t.name] = []
    lost_tables = [t for t in old.tables if t not in new.tables]
    if lost_tables:
        raise MCDSError(f"version {m.to} of the standard has no table {lost_tables[0]}: its rows could not be carried over")
    con = engine.load_submission(sub) if m.derive else engine.connect()
    try:
        for t in new.tables.values():
            if t.name not in old.tables:
                d = m.table_derivation(t.name)
                uncollected = d is None or uncollected_source(d, old, missing)
                if d is not None and not uncollected:
                    columns, derived = _derive_table(con, m, d, t)
                    made = set(derived_columns(d, columns))
                    out.tables[t.name] = [{n: r.get(n) for n in t.field_names} for r in derived]
                    report.added.append(Added(t.name, derived=len(out.tables[t.name]), note=d.note))
                    report.added += [Added(t.name, f, not_collected=True) for f in t.field_names if f not in made]
                else:
                    report.added.append(Added(t.name, not_collected=True))
                continue
            for f in t.fields:
                if f.name in old.tables[t.name].field_names:
                    continue
                d = m.field_derivation(t.name, f.name)
                if d is not None and not uncollected_source(d, old, missing):
                    filled = _derive_field(con, m, d, f, out.tables[t.name])
                    report.added.append(Added(t.name, f.name, derived=filled, note=d.note))
                else:
                    report.added.append(Added(t.name, f.name, not_collected=True))
    finally:
        con.close()
    gaps = [a.table if a.field is None else f"{a.table}.{a.field}" for a in report.added if a.not_collected]
    if (pruned := _prune(missing, gaps, report)) is not None:
        meta[NOT_COLLECTED] = pruned
    return out, report


def _prune(missing: list[str], gaps: list[str], report: Step) -> str | None:
    """The new ``not_collected``: the old entries, then the gaps (a field of a table not collected
    as a whole is not listed again). None when there is nothing to say."""
    whole = {g for g in [*missing, *gaps] if "." not in g}
    entries = list(missing)
    entries += [g for g in gaps if g not in entries and not ("." in g and g.split(".", 1)[0] in whole)]
    for a in report.added:  # a field of a table not collected as a whole is not collected either
        if a.field and a.table in whole:
            a.not_collected, a.derived = True, None
    return ";".join(entries) if entries else None


def apply(sub: Submission, steps: list[Migration]) -> tuple[Submission, list[Step]]:
    """``sub`` moved through each map of ``steps`` in turn (``sub`` itself is not changed)."""
    done = []
    for m in steps:
        if sub.version != m.from_:
            raise MCDSError(f"the migration map from version {m.from_} cannot apply to data of version {sub.version}")
        sub, step = _step(sub, m)
        done.append(step)
    return sub, done


@dataclass
class Usage:
    """How a submission uses one field: the rows with a value, and for a coded field the rows using each code."""

    rows: int
    codes: dict[str, int] = field(default_factory=dict)


def usage(sub: Submission) -> dict[tuple[str, str], Usage]:
    """Every field of ``sub``'s tables that holds a value in some row, by ``(table, field)``."""
    out = {}
    for t in sub.standard.tables.values():
        rows = sub.tables.get(t.name, [])
        for f in t.fields:
            values = [v for r in rows if (v := r.get(f.name)) is not None]
            if not values:
                continue
            use = out[t.name, f.name] = Usage(len(values))
            if f.codelist:
                for v in values:
                    for item in {p.strip() for p in (v.split(f.descriptor.get("delimiter", ";")) if f.is_list else [v])}:
                        use.codes[item] = use.codes.get(item, 0) + 1
    return out


def in_use(sub: Submission, used: dict[tuple[str, str], Usage]) -> tuple[list[tuple[str, str, int, str]],
                                                                        list[tuple[str, str, str, str, int, str]]]:
    """The deprecated fields ``(table, field, rows, deprecated)`` and deprecated codes ``(table, field,
    codelist, code, rows, deprecated)`` that ``sub`` uses (``used``: its :func:`usage`), in its own version."""
    s = sub.standard
    fields: list[tuple[str, str, int, str]] = []
    codes: list[tuple[str, str, str, str, int, str]] = []
    for (table, name), use in used.items():
        f = s.tables[table].field(name)
        if f.deprecated:
            fields.append((table, name, use.rows, f.deprecated))
        if f.codelist:
            key = f.codelist_key
            retired = {(c.code if key == "code" else c.extra.get(key, "")): c.deprecated
                       for c in s.codelist(f.codelist).codes if c.deprecated}
            codes += [(table, name, f.codelist, c, n, retired[c]) for c, n in sorted(use.codes.items()) if c in retired]
    return fields, codes


def changed_in_use(sub: Submission, used: dict[tuple[str, str], Usage],
                   steps: list[Migration]) -> list[tuple[Change, str, str, int]]:
    """The fields and codes that ``steps`` changed (``field-changed``, ``code-changed``) and ``sub`` uses:
    ``(change, table, field, rows)``, the change's note saying what to check."""
    s = sub.standard
    out = []
    for m in steps:
        for c in m.of_kind("field-changed"):
            if (use := used.get((c.table, c.field))) is not None:  # type: ignore[arg-type]
                out.append((c, c.table, c.field, use.rows))
        for c in m.of_kind("code-changed"):
            for (table, name), use in used.items():
                f = s.tables[table].field(name)
                if f.codelist == c.codelist and f.codelist_key == "code" and use.codes.get(c.code or ""):
                    out.append((c, table, name, use.codes[c.code or ""]))
    return out  # type: ignore[return-value]

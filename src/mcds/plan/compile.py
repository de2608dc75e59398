"""Compile a version of the standard to its validation plan (see :mod:`mcds.plan`).

The plan is made from what the validator itself uses, so nothing is typed twice: the cell checks are
:func:`mcds.validation.cells.cell_checks` compiled over the relation ``raw_<table>`` (one VARCHAR column per
field, by the field's name), the typed load is :func:`mcds.validation.cast_sql`, the rules are the catalogue's
portable SQL with the tables and columns DuckDB's parser finds in them and the types they return, and the
column faults' settings are :mod:`mcds.validation.faults`'. Every column a rule returns is wrapped into text
written as the report writes it, so a runner in any language reads strings only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.convert import provenance
from mcds.engine import quote
from mcds.plan import PLANS
from mcds.rules import REQUIRED_COLUMNS, key_sql, references, rule_types
from mcds.validation import cast_sql
from mcds.validation.cells import TYPE_EXPECTED, cell_checks
from mcds.validation.faults import _FORM, FIRST_ROWS, MIN_COLUMN, cells_relation, rule_sql, summarised_codes
from mcds.validation.metadata import metadata_table

__all__ = ["PLAN_FORMAT", "STRUCTURE", "compile_plan", "plan_files", "plan_text", "raw_relation"]

PLAN_FORMAT = 1

# Header and table matching, and "did you mean" (mcds.validation.structure and .suggest): the cut-offs of
# rapidfuzz's ratio there, as data for every runner.
STRUCTURE = {
    "normalise": "casefold; each run of whitespace or underscores becomes one space; trimmed",
    "similarity": "indel",
    "suggest": {"table": 70, "column": 75, "code": 80, "code_min_length": 4},
    "suggestion_text": " (did you mean '{suggestion}'?)",
}

NOTES = {
    "older_version": "Version {current} of the standard is available; this submission was validated against "
                     "version {version}, which it follows (`mcds upgrade` moves it to {current}).",
    "version_asked": "The data says it follows version {declared} of the standard; it was validated against "
                     "version {version}, as asked.",
}


_HEAD = re.compile(r"^SELECT '((?:[^']|'')*)' AS code, '((?:[^']|'')*)' AS field, ")


def raw_relation(table: str) -> str:
    """The relation a plan's SQL reads a table's cells from (``raw_metadata`` for the metadata)."""
    return f"raw_{table}"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(s: std.Standard, f: std.Field) -> dict[str, Any]:
    return {"name": f.name, "title": f.title, "type": f.type, "sql_type": engine.sql_type(f), "required": f.required,
            "deprecated": bool(f.deprecated), "codelist": f.codelist, "codelist_key": f.codelist_key,
            "is_list": f.is_list}


def _params(f: std.Field, code: str) -> dict[str, Any]:
    """What a cell check's issue needs besides the finding (mcds.validation.Validation._cell_issue)."""
    cons = f.constraints
    if code == "type-error":
        return {"params": {"type": f.type, "expected": TYPE_EXPECTED.get(f.type, f.type)}}
    if code == "pattern-mismatch":
        return {"params": {"expected": f"pattern {cons.get('pattern')}"}}
    if code == "out-of-range":
        return {"params": {"expected": ", ".join(f"{k} {cons[k]}" for k in ("minimum", "maximum", "minLength", "maxLength")
                                                 if k in cons)}}
    if code == "codelist-value":
        return {"params": {"codelist": f.codelist}, "suggest": True}
    if code == "code-deprecated":
        return {"params": {"codelist": f.codelist}, "param_format": {"suggestion": " ({param})"}}
    if code == "code-not-in-use":
        return {"params": {"codelist": f.codelist}, "param_as": "date_field",
                "lookup": {"codelist": f.codelist, "key": f.codelist_key,
                           "params": {"valid_from": ["valid_from", "the start"], "valid_to": ["valid_to", "now"]}}}
    return {}


def _date_field(table: std.Table) -> str | None:
    return next((f.name for f in table.fields if f.type == "date" and f.required), None)


def _cell_steps(s: std.Standard, table: std.Table, *, in_use: bool) -> list[dict[str, Any]]:
    rel = raw_relation(table.name)
    present = {f.name: quote(f.name) for f in table.fields}
    absent = dict.fromkeys(table.field_names)
    date_field = _date_field(table) if in_use else None
    runs = [("present", None, cell_checks(s, table, present, rel, [], absent_is_empty=False, in_use=in_use))]
    anywhere = cell_checks(s, table, absent, rel, [], absent_is_empty=False, in_use=in_use)
    as_key = [q for q in cell_checks(s, table, absent, rel, [], absent_is_empty=True, in_use=in_use) if q not in anywhere]
    runs += [("absent", None, anywhere), ("absent", ["key"], as_key)]
    steps = []
    for when, forms, selects in runs:
        for sql in selects:
            m = _HEAD.match(sql)
            assert m, sql
            code, name = m.group(1).replace("''", "'"), m.group(2).replace("''", "'")
            requires = [[table.name, name]] if when == "present" else []
            if code == "code-not-in-use" and date_field:
                requires.append([table.name, date_field])
            step: dict[str, Any] = {"id": f"cells/{table.name}/{name}/{code}/{when}{'/key' if forms else ''}",
                                    "stage": "cells", "table": table.name, "field": name, "code": code, "when": when,
                                    "forms": forms, "requires": requires, "sql": sql, "reads": [rel],
                                    "returns": ["code", "field", "_row", "value", "param"]}
            step.update(_params(table.field(name), code))
            n = sum(1 for x in steps if x["id"].startswith(step["id"]))
            if n:
                step["id"] += f"/{n + 1}"
            steps.append(step)
    return steps


def _key_steps(s: std.Standard, table: std.Table) -> list[dict[str, Any]]:
    rel = raw_relation(table.name)
    steps = []
    pk = [quote(k) for k in table.primary_key]
    if pk:
        keys = ", ".join(pk)
        nonnull = " AND ".join(f"{c} IS NOT NULL" for c in pk)
        match = " AND ".join(f"t.{c} = d.{c}" for c in pk)
        sql = (f"WITH d AS (SELECT {keys} FROM {rel} WHERE {nonnull} GROUP BY {keys} HAVING count(*) > 1), "
               f"r AS (SELECT t._row, t.{pk[0]} AS _value, min(t._row) OVER (PARTITION BY {', '.join(f't.{c}' for c in pk)}) "
               f"AS first_row FROM {rel} t JOIN d ON {match}) "
               "SELECT _row, _value AS value, CAST(first_row AS VARCHAR) AS param FROM r WHERE _row > first_row ORDER BY _row")
        steps.append({"id": f"keys/{table.name}/primary-key", "stage": "keys", "table": table.name,
                      "field": table.primary_key[0], "code": "primary-key-duplicate", "target": None,
                      "requires": [[table.name, k] for k in table.primary_key], "sql": sql, "reads": [rel],
                      "returns": ["_row", "value", "param"], "param_as": "first_row"})
    for i, fk in enumerate(table.foreign_keys):
        ref = fk["reference"]
        target = ref.get("resource") or table.name
        local, remote = [quote(n) for n in fk["fields"]], [quote(n) for n in ref["fields"]]
        nonnull = " AND ".join(f"t.{c} IS NOT NULL" for c in local)
        match = " AND ".join(f"r.{rc} = t.{lc}" for lc, rc in zip(local, remote, strict=True))
        sql = (f"SELECT t._row, t.{local[0]} AS value, {_lit(target)} AS param FROM {rel} t WHERE {nonnull} "
               f"AND NOT EXISTS (SELECT 1 FROM {raw_relation(target)} r WHERE {match}) ORDER BY t._row")
        steps.append({"id": f"keys/{table.name}/foreign-key/{i + 1}", "stage": "keys", "table": table.name,
                      "field": fk["fields"][0], "code": "foreign-key-missing", "target": target,
                      "requires": [[table.name, n] for n in fk["fields"]] + [[target, n] for n in ref["fields"]],
                      "sql": sql, "reads": sorted({rel, raw_relation(target)}), "returns": ["_row", "value", "param"],
                      "param_as": "reference"})
    return steps


def _load_step(s: std.Standard, table: std.Table | None) -> dict[str, Any]:
    if table is None:
        exprs = ", ".join(engine.cast_expression(f, quote(f.name)) for f in s.metadata_fields)
        return {"id": "load/metadata", "stage": "load", "table": "metadata", "reads": ["raw_metadata"], "returns": [],
                "sql": f"INSERT INTO metadata SELECT {exprs} FROM raw_metadata"}
    exprs = ", ".join(cast_sql(f, quote(f.name)) for f in table.fields)
    rel = raw_relation(table.name)
    return {"id": f"load/{table.name}", "stage": "load", "table": table.name, "reads": [rel], "returns": [],
            "sql": f"INSERT INTO {quote(table.name)} SELECT {exprs}, _row FROM {rel}"}


class _Recorder:
    """Stands in for a DuckDB connection to keep the statements a function runs."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def execute(self, sql: str, params: object = None) -> None:
        assert params is None, "a recorded statement must not take parameters"
        self.sql.append(sql)


def _setup(s: std.Standard) -> list[str]:
    out = []
    for name, cl in s.codelists.items():
        cols = ["code", "title", "description", *(c for c in cl.columns if c not in ("code", "title", "description"))]
        rel = quote(f"codelist_{name}")
        out.append(f"CREATE OR REPLACE TABLE {rel} ({', '.join(quote(c) + ' VARCHAR' for c in cols)})")
        rows = [[c.code, c.title, c.description, *(c.extra.get(k) or "" for k in cols[3:])] for c in cl.codes]
        if rows:
            out.append(f"INSERT INTO {rel} VALUES " + ", ".join("(" + ", ".join(map(_lit, r)) + ")" for r in rows))
    rec = _Recorder()
    engine.create_tables(rec, s)  # type: ignore[arg-type]
    cells = [f"CREATE OR REPLACE TABLE {cells_relation(t)} (code VARCHAR, field VARCHAR, _row INTEGER, value VARCHAR, "
             "param VARCHAR, form VARCHAR)" for t in s.tables]
    return out + rec.sql + cells


def _child_id_sql(t: std.Table) -> str | None:
    """Each row's child identifier (``_row, child_id``) for the report (mcds.convert.provenance.with_child_ids)."""
    if t.name in provenance.CHILD_OF:
        return provenance.CHILD_OF[t.name]
    return f"SELECT _row, child_id FROM {quote(t.name)}" if "child_id" in t.field_names else None


def _text_sql(name: str, sql_type: str) -> str:
    """A rule's returned column as the report writes it (mcds.rules._text)."""
    c = f"r.{quote(name)}"
    if sql_type.endswith("[]"):
        return f"array_to_string({c}, ';')"
    if sql_type.startswith("TIMESTAMP"):
        return f"strftime({c}, '%Y-%m-%dT%H:%M:%S')"
    if sql_type == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    return f"CAST({c} AS VARCHAR)"


REWRITES = Path(__file__).with_name("rewrites.json")


def rewritten(version: str, code: str, sql: str) -> str:
    """A rule's SQL with the plan's rewrites for older engines applied (``rewrites.json``, which says why
    each returns the same rows). A listed fragment that is not in the rule is an error: the rule changed."""
    for r in json.loads(REWRITES.read_text(encoding="utf-8"))["rewrites"]:
        if code in r["rules"] and version in r["versions"]:
            if r["from"] not in sql:
                msg = f"rewrites.json: {r['from']!r} is not in rule {code} of version {version}"
                raise ValueError(msg)
            sql = sql.replace(r["from"], r["to"])
    return sql


def _rule_steps(s: std.Standard, con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    steps = []
    for kind in rule_types(s.version):
        inner = rewritten(s.version, kind.code, (kind.sql(s.version) or "").strip().rstrip(";"))
        described = con.execute(f"DESCRIBE {inner}").fetchall()
        names = [r[0] for r in described]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            msg = f"rule {kind.code} does not return the columns {missing}"
            raise ValueError(msg)
        read = references(con, inner)
        # the rule without the records that hang on a cell that failed its check: every field it reads
        # counted as failed, so the statement is fixed; _cells_<table> holds only the cells that did fail
        every = {t.name: set(t.field_names) for t in s.tables.values()}
        knock_on = rule_sql(inner, s, every, read)
        cols = ", ".join(f"{_text_sql(n, t)} AS {quote(n)}" for n, t, *_ in described)
        wrap = f"SELECT {cols} FROM (\n{{inner}}\n) r"
        steps.append({"id": f"rules/{kind.code}", "stage": "rules", "code": kind.code, "table": None,
                      "sql": wrap.replace("{inner}", inner), "wrap": wrap,
                      "knock_on_sql": wrap.replace("{inner}", knock_on) if knock_on else None,
                      "reads": {"tables": sorted(read[0]), "columns": sorted(read[1])} if read else None,
                      "returns": names})
    return steps


def compile_plan(version: str) -> dict[str, Any]:
    """The validation plan of ``version``, as JSON-ready data (see ``plan.schema.json``)."""
    s = std.load(version)
    kinds = catalogue(version)
    con = duckdb.connect(":memory:")
    setup = _setup(s)
    for sql in setup:
        con.execute(sql)
    steps = _cell_steps(s, metadata_table(s), in_use=False)
    steps.append(_load_step(s, None))
    for t in s.tables.values():
        steps += _cell_steps(s, t, in_use=True) + _key_steps(s, t)
        steps.append(_load_step(s, t))
    steps += _rule_steps(s, con)
    con.close()
    return {
        "plan": PLAN_FORMAT,
        "standard_version": version,
        "current_version": std.current_version(),
        "notes": NOTES,
        "issues": {k.code: {"severity": k.severity.value, "category": k.category, "title": k.title,
                            "message": k.message, "guidance": k.guidance} for k in kinds.values()},
        "codelists": {name: {"columns": list(cl.columns),
                             "rows": [[c.code if col == "code" else c.title if col == "title"
                                       else c.description if col == "description" else c.extra.get(col) or ""
                                       for col in cl.columns] for c in cl.codes]}
                      for name, cl in s.codelists.items()},
        "metadata": {"fields": [_field(s, f) for f in s.metadata_fields]},
        "report_child_ids": provenance.reports_child_ids(s),
        "tables": [{"name": t.name, "title": t.title, "sheet": t.title[:31], "primary_key": list(t.primary_key),
                    "record_id_sql": key_sql(t), "child_id_sql": _child_id_sql(t),
                    "fields": [_field(s, f) for f in t.fields]}
                   for t in s.tables.values()],
        "structure": STRUCTURE,
        "type_expected": TYPE_EXPECTED,
        "setup": setup,
        "steps": steps,
        "column_faults": {"enabled": "column-fault" in kinds, "min": MIN_COLUMN, "first_rows": FIRST_ROWS,
                          "message_rows": 5, "codes": sorted(summarised_codes(version)), "form_sql": _FORM},
    }


def plan_text(version: str) -> str:
    return json.dumps(compile_plan(version), indent=1, ensure_ascii=False) + "\n"


def plan_files() -> dict[str, str]:
    """File name under :data:`mcds.plan.PLANS` -> the text it should hold, for every supported version."""
    return {f"{v}.json": plan_text(v) for v in std.supported_versions()}


if __name__ == "__main__":  # python -m mcds.plan.compile: write the plans (as python -m mcds.generate does)
    for name, text in plan_files().items():
        (PLANS / name).write_text(text, encoding="utf-8")

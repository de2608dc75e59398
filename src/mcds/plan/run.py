"""Run a validation plan (:mod:`mcds.plan`) on DuckDB over a submission, giving the same report as
:func:`mcds.validate`.

Everything the standard defines comes from the plan; the code here is only what every runner has
(``plan-contract``, "pieces each runner implements"): reading the forms (:mod:`mcds.readers`), choosing the
version, matching tables and headers with "did you mean", filling message templates, placing each issue in
the user's coordinates, column faults and listing limits, keeping the rules' findings found both ways,
and the report's order. Python only: the workbook's values read as meant (:mod:`mcds.readers.as_meant`) and a converted
package's provenance.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from mcds import engine
from mcds import standard as std
from mcds.errors import InputError
from mcds.issues import Issue, Location, Report, Severity, Unlisted
from mcds.plan import plan_path
from mcds.readers import RawSubmission, RawTable, open_submission
from mcds.validation import concurrently

__all__ = ["Plan", "closest", "load_plan", "ratio", "run_plan"]

_VERSION = re.compile(r"^\d+\.\d+$")


# ---------------------------------------------------------------------------------------- the plan


class Plan:
    """A plan read from its JSON, with lookups the runner needs."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.version: str = data["standard_version"]
        self.issues: dict[str, dict[str, Any]] = data["issues"]
        self.tables: dict[str, dict[str, Any]] = {t["name"]: t for t in data["tables"]}
        self.metadata_fields: list[dict[str, Any]] = data["metadata"]["fields"]
        self.steps: list[dict[str, Any]] = data["steps"]
        self.structure: dict[str, Any] = data["structure"]

    def field(self, table: str, name: str) -> dict[str, Any]:
        fields = self.metadata_fields if table == "metadata" else self.tables[table]["fields"]
        return next(f for f in fields if f["name"] == name)

    def codes(self, codelist: str, key: str) -> list[str]:
        """The codelist's distinct non-empty values of ``key``, in file order."""
        cl = self.data["codelists"][codelist]
        i = cl["columns"].index(key) if key in cl["columns"] else None
        return list(dict.fromkeys(r[i] for r in cl["rows"] if i is not None and r[i]))

    def code_row(self, codelist: str, key: str, value: str) -> dict[str, str] | None:
        cl = self.data["codelists"][codelist]
        if key not in cl["columns"]:
            return None
        i = cl["columns"].index(key)
        row = next((r for r in cl["rows"] if r[i] == value), None)
        return dict(zip(cl["columns"], row, strict=True)) if row else None

    def issue(self, code: str, location: Location, value: str | None = None, **params: object) -> Issue:
        """An issue of the catalogue, its message template filled (``{name}``; None is empty)."""
        kind = self.issues[code]
        params.setdefault("table", location.table)
        params.setdefault("field", location.field)
        params.setdefault("row", location.row)
        params.setdefault("value", value)
        message = kind["message"].format(**{k: "" if v is None else v for k, v in params.items()})
        return Issue(code=code, severity=Severity(kind["severity"]), message=message, location=location, value=value)


@functools.cache
def _plan(version: str) -> Plan:
    return Plan(json.loads(plan_path(version).read_text(encoding="utf-8")))


def load_plan(version: str) -> Plan:
    """The generated plan of ``version`` (``src/mcds/plan/plans/<version>.json``)."""
    return _plan(version)


# ------------------------------------------------------------------------- matching and suggestions


def norm(text: object) -> str:
    """Casefold; each run of whitespace or underscores one space; trimmed (the plan's ``normalise``)."""
    return re.sub(r"[\s_]+", " ", str(text or "")).strip().casefold()


def ratio(a: str, b: str) -> float:
    """rapidfuzz's ``fuzz.ratio``: 100 * (1 - indel distance / (len a + len b)), indel from the longest
    common subsequence."""
    if not a and not b:
        return 100.0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    indel = len(a) + len(b) - 2 * prev[-1]
    return 100.0 * (1 - indel / (len(a) + len(b)))


def closest(value: str, choices: list[str], cutoff: float) -> str | None:
    """The choice closest to ``value``: equal when normalised, else the best ratio at least ``cutoff``
    (the first of equals)."""
    choices = list(dict.fromkeys(choices))
    key = norm(value)
    for c in choices:
        if norm(c) == key:
            return c
    if not key:
        return None
    best, score = None, -1.0
    for c in choices:
        r = ratio(key, norm(c))
        if r >= cutoff and r > score:
            best, score = c, r
    return best


def _did_you_mean(plan: Plan, hint: str | None) -> str:
    return plan.structure["suggestion_text"].format(suggestion=hint) if hint else ""


def code_suggestion(plan: Plan, f: dict[str, Any], value: str) -> str | None:
    """The code a wrong value most likely meant (the plan's ``structure.suggest``)."""
    codes = plan.codes(f["codelist"], f["codelist_key"])
    titles = None
    if f["codelist_key"] == "code":
        cl = plan.data["codelists"][f["codelist"]]
        titles = {r[0]: r[cl["columns"].index("title")] for r in cl["rows"]}
    key = norm(value)
    hint = next((c for c in codes if norm(c) == key), None)
    if hint is None and titles:
        hint = next((c for c, t in titles.items() if norm(t) == key), None)
    if hint is None:
        cut = plan.structure["suggest"]
        if len(key) >= cut["code_min_length"]:
            hint = closest(value, [c for c in codes if len(c) >= cut["code_min_length"]], cut["code"])
        if hint is not None and not any(re.search(r"[a-z_]", x) for x in codes):
            return None  # codes that are not words: never a guess between look-alikes
    return hint


def _match_table(plan: Plan, raw: RawTable) -> str | None:
    if raw.kind == "sheet":
        key = norm(raw.name)
        return next((t["name"] for t in plan.data["tables"] if key in (norm(t["name"]), norm(t["title"]))), None)
    return raw.name if raw.name in plan.tables else None


def _match_field(raw: RawTable, header: str, table: dict[str, Any]) -> str | None:
    names = [f["name"] for f in table["fields"]]
    if raw.kind == "sheet":
        key = norm(header)
        return next((f["name"] for f in table["fields"] if key in (norm(f["name"]), norm(f["title"]))), None)
    return header if header in names else None


def structure_issues(plan: Plan, raw: RawSubmission) -> Iterator[Issue]:
    """Tables present and missing, each header, rows with too many or too few cells; sets each raw
    table's ``table`` and ``fields``."""
    seen: set[str] = set()
    for r in raw.tables:
        t = _match_table(plan, r)
        r.table = t if t and t not in seen else None
        if r.table:
            seen.add(r.table)
    missing = [t for t in plan.tables if t not in seen]
    cut = plan.structure["suggest"]
    for r in raw.tables:
        if r.table or r.hidden:
            continue
        choices = [*missing, *(plan.tables[t]["title"] for t in missing)] if r.kind == "sheet" else missing
        yield plan.issue("table-unknown", Location(file=r.file, sheet=r.sheet), r.name,
                         suggestion=_did_you_mean(plan, closest(r.name, choices, cut["table"])))
    for r in raw.tables:
        if r.table and r.relation is None:
            seen.discard(r.table)
            yield plan.issue("table-missing", Location(table=r.table, file=r.file))
    for t in missing:
        yield plan.issue("table-missing", Location(table=t))
    present = _present(raw)
    for r in raw.tables:
        if r.table in present and present[r.table] is r:
            yield from _header(plan, r, plan.tables[r.table])
    for r in present.values():
        for code, row in r.row_problems:
            yield plan.issue(code, Location(table=r.table, file=r.file, sheet=r.sheet, row=row))


def _header(plan: Plan, raw: RawTable, table: dict[str, Any]) -> Iterator[Issue]:
    name = table["name"]
    names = [f["name"] for f in table["fields"]]
    fields: list[str | None] = []
    unknown: list[int] = []
    row = raw.header_row if raw.has_columns else None
    for i, h in enumerate(raw.header):
        where = Location(table=name, file=raw.file, sheet=raw.sheet, row=row, column=raw.column(i))
        if h is None or not str(h).strip():
            fields.append(None)
            yield plan.issue("column-blank", where)
            continue
        f = _match_field(raw, h, table)
        if f is not None and f in fields:
            fields.append(None)
            yield plan.issue("column-duplicate", dataclasses.replace(where, field=f), h)
            continue
        fields.append(f)
        if f is None:
            unknown.append(i)
    raw.fields = fields
    absent = [f for f in names if f not in fields]
    titles = {f["name"]: f["title"] for f in table["fields"]}
    meant: set[str] = set()
    for i in unknown:
        h = str(raw.header[i])
        choices = absent + ([titles[f] for f in absent] if raw.kind == "sheet" else [])
        hint = closest(h, choices, plan.structure["suggest"]["column"])
        if hint and hint not in absent:
            hint = next(f for f in absent if titles[f] == hint)
        if hint:
            meant.add(hint)
        yield plan.issue("column-unknown", Location(table=name, file=raw.file, sheet=raw.sheet, row=row,
                                                     column=raw.column(i)), h, suggestion=_did_you_mean(plan, hint))
    if raw.kind != "key":
        for f in absent:
            if f in meant or plan.field(name, f)["deprecated"]:
                continue
            yield plan.issue("column-missing", Location(table=name, file=raw.file, sheet=raw.sheet, field=f),
                             suggestion="")
    if raw.positional:
        order = [names.index(f) for f in fields if f is not None]
        for prev, cur in itertools.pairwise(order):
            if cur < prev:
                col = fields.index(names[cur])
                yield plan.issue("column-order", Location(table=name, file=raw.file, sheet=raw.sheet, row=raw.header_row,
                                                          column=raw.column(col), field=names[cur]),
                                 raw.header[col], expected=cur + 1)
                break


def _present(raw: RawSubmission) -> dict[str, RawTable]:
    return {r.table: r for r in raw.tables if r.table and r.relation}


# ------------------------------------------------------------------------------------- the version


def choose_version(raw: RawSubmission, path: Path, requested: str | None) -> tuple[str, list[str]]:
    """The version to validate against and the notes about it (as :func:`mcds.validation.choose_version`)."""
    supported = std.supported_versions()
    declared = raw.metadata.values.get("standard_version")
    if declared is None:
        for k, v in raw.metadata.values.items():
            if k.strip().casefold() in ("standard version", "standard_version"):
                declared = v
    notes: list[str] = []
    if requested:
        if requested not in supported:
            raise InputError(path, f"version {requested} of the standard is not supported "
                                   f"(supported: {', '.join(supported)})")
        version = requested
        if declared and declared != requested:
            notes.append(load_plan(version).data["notes"]["version_asked"].format(declared=declared, version=version))
    elif declared and _VERSION.match(declared.strip()):
        version = declared.strip()
        if version not in supported:
            raise InputError(path, f"the data follows version {version} of the standard, which this toolkit "
                                   f"does not support (supported: {', '.join(supported)}); use "
                                   "--standard-version to validate it against a supported version")
    else:
        version = std.current_version()
    plan = load_plan(version)
    current = plan.data["current_version"]
    if std.version_key(version) < std.version_key(current):
        notes.append(plan.data["notes"]["older_version"].format(current=current, version=version))
    return version, notes


# ----------------------------------------------------------------------------------------- the run


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Run:
    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, max_issues: int | None) -> None:
        self.path, self.con, self.max_issues = path, con, max_issues
        self.unlisted_by: dict[str, Counter[str]] = {}  # cell findings counted, not listed, by table
        self.notes: list[str] = []

    # metadata ------------------------------------------------------------------------------
    def _metadata(self, plan: Plan, raw: RawSubmission) -> Iterator[Issue]:
        meta = raw.metadata
        by_title = raw.form == "xlsx"
        values: dict[str, str | None] = {}
        self.meta_keys: dict[str, str] = {}
        for f in plan.metadata_fields:
            for k, v in meta.values.items():
                if k == f["name"] or (by_title and norm(k) in (norm(f["name"]), norm(f["title"]))):
                    values[f["name"]], self.meta_keys[f["name"]] = v, k
                    break
        cols = ", ".join(f"{_q(f['name'])} VARCHAR" for f in plan.metadata_fields)
        con = self.con
        con.execute(f"CREATE OR REPLACE TABLE raw_metadata (_row INTEGER, {cols})")
        con.execute(f"INSERT INTO raw_metadata VALUES (0, {', '.join('?' * len(plan.metadata_fields))})",
                    [values.get(f["name"]) or None for f in plan.metadata_fields])
        if any(values.get(f["name"]) for f in plan.metadata_fields):
            present = {("metadata", f["name"]) for f in plan.metadata_fields}
            steps = [s for s in plan.steps if s["stage"] == "cells" and s["table"] == "metadata"
                     and self._runnable(s, present, "metadata")]
            found = con.execute(" UNION ALL ".join(s["sql"] for s in steps)).fetchall() if steps else []
            by_check = {(s["code"], s["field"]): s for s in steps}
            found.sort(key=lambda c: (c[2], c[0]))
            for code, name, _row, value, param in found:
                if code == "type-error" and name in meta.superseded:
                    continue
                loc = self._meta_location(raw, name)
                if code == "required-missing":
                    yield plan.issue("metadata-missing", loc)
                else:
                    yield self._cell_issue(plan, by_check[(code, name)], loc, value, param)
        self._step(plan, "load/metadata")

    def _meta_location(self, raw: RawSubmission, name: str | None) -> Location:
        meta = raw.metadata
        row = meta.rows.get(self.meta_keys.get(name or "", ""))
        return Location(table="metadata", file=meta.file, sheet=meta.sheet if meta.present else None, row=row,
                        column=meta.column if row else None, field=name)

    def _step(self, plan: Plan, step_id: str) -> None:
        self.con.execute(next(s["sql"] for s in plan.steps if s["id"] == step_id))

    @staticmethod
    def _runnable(step: dict[str, Any], present: set[tuple[str, str]], kind: str) -> bool:
        if step["when"] == "absent":
            return (step["table"], step["field"]) not in present and (step["forms"] is None or kind in step["forms"])
        return all(tuple(r) in present for r in step["requires"])

    def _cell_issue(self, plan: Plan, step: dict[str, Any], loc: Location, value: str | None,
                    param: str | None) -> Issue:
        params: dict[str, object] = dict(step.get("params") or {})
        if step.get("param_as"):
            params[step["param_as"]] = param
        for name, text in (step.get("param_format") or {}).items():
            params[name] = text.format(param=param) if param else ""
        if step.get("suggest"):
            f = plan.field(step["table"], step["field"])
            params["suggestion"] = _did_you_mean(plan, self._suggest(plan, f, value or ""))
        lookup = step.get("lookup")
        if lookup:
            row = plan.code_row(lookup["codelist"], lookup["key"], value or "") or {}
            for name, (col, default) in lookup["params"].items():
                params[name] = row.get(col) or default
        return plan.issue(step["code"], loc, value, **params)

    @functools.cache  # noqa: B019 (one run: the cache goes with it)
    def _suggest_cached(self, plan: Plan, codelist: str, key: str, value: str) -> str | None:
        return code_suggestion(plan, {"codelist": codelist, "codelist_key": key}, value)

    def _suggest(self, plan: Plan, f: dict[str, Any], value: str) -> str | None:
        return self._suggest_cached(plan, f["codelist"], f["codelist_key"], value)

    # tables -----------------------------------------------------------------------------------
    def _views(self, plan: Plan, present: dict[str, RawTable]) -> dict[str, list[int]]:
        blank: dict[str, list[int]] = {}
        for t, r in present.items():
            width = len(r.header)
            cols = [f"c{i}" for i in range(1, width + 1)]
            exprs = ", ".join(f"{r.sql_column(f['name']) or 'CAST(NULL AS VARCHAR)'} AS {_q(f['name'])}"
                              for f in plan.tables[t]["fields"])
            blank[t] = [x for (x,) in self.con.execute(
                f"SELECT _row FROM {r.relation} WHERE coalesce({', '.join(cols)}) IS NULL ORDER BY _row").fetchall()] \
                if cols else []
            where = f" WHERE coalesce({', '.join(cols)}) IS NOT NULL" if blank[t] else ""
            if not cols:
                where = " WHERE FALSE"
            self.con.execute(f"CREATE OR REPLACE VIEW raw_{t} AS SELECT _row, {exprs} FROM {r.relation}{where}")
        return blank

    def _table(self, con: duckdb.DuckDBPyConnection, plan: Plan, t: str, r: RawTable, blank: list[int],
               present: set[tuple[str, str]]) -> Iterator[Issue]:
        cf = plan.data["column_faults"]
        steps = [s for s in plan.steps if s["stage"] == "cells" and s["table"] == t and self._runnable(s, present, r.kind)]
        by_check: dict[tuple[str, str], dict[str, Any]] = {}
        for s in steps:
            by_check.setdefault((s["code"], s["field"]), s)
        codes = ", ".join(map(_lit, cf["codes"]))
        body = " UNION ALL ".join(s["sql"] for s in steps) if steps else (
            "SELECT NULL::VARCHAR AS code, NULL::VARCHAR AS field, NULL::INTEGER AS _row, NULL::VARCHAR AS value, "
            "NULL::VARCHAR AS param WHERE FALSE")
        rel = _q(f"_cells_{t}")
        con.execute(f"CREATE OR REPLACE TABLE {rel} AS SELECT *, CASE WHEN code IN ({codes}) THEN {cf['form_sql']} END "
                    f"AS form FROM ({body}) c")
        if r.superseded:
            sup = _q(f"_superseded_{t}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {sup} (_row INTEGER, field VARCHAR)")
            con.executemany(f"INSERT INTO {sup} VALUES (?, ?)", sorted(r.superseded))
            con.execute(f"DELETE FROM {rel} c USING {sup} x WHERE c._row = x._row AND c.field = x.field")
        faults = []
        if cf["enabled"]:
            groups = con.execute(f"SELECT code, field, form, count(*) FROM {rel} WHERE form IS NOT NULL GROUP BY ALL "
                                 f"HAVING count(*) >= {int(cf['min'])}").fetchall()
            for code, name, form, n in groups:
                col = r.sql_column(name)
                if col is None:
                    continue
                whole = "count(*)" if code == "required-missing" else f"count({col})"
                (of,) = con.execute(f"SELECT {whole} FROM {r.relation}").fetchone()  # type: ignore[misc]
                if 2 * n <= of:
                    continue
                first = con.execute(f"SELECT _row, value FROM {rel} WHERE code = ? AND field = ? AND form = ? "
                                    f"ORDER BY _row LIMIT {int(cf['first_rows'])}", [code, name, form]).fetchall()
                faults.append((code, name, n, tuple(x for x, _ in first), first[0][1], form))
        names = [f["name"] for f in plan.tables[t]["fields"]]
        faults.sort(key=lambda f: (names.index(f[1]), f[0]))
        for code, name, n, rows, value, _form in faults:
            f = plan.field(t, name)
            expected = plan.data["type_expected"].get(f["type"], "") if code == "type-error" else ""
            loc = Location(table=t, file=r.file, sheet=r.sheet, column=r.column_of(name), field=name)
            issue = plan.issue("column-fault", loc, value, count=f"{n:,}", check=plan.issues[code]["title"].lower(),
                               check_code=code, expected=f", not {expected}" if expected else "",
                               first=", ".join(map(str, rows[:cf["message_rows"]])))
            yield dataclasses.replace(issue, count=n, rows=rows)
        keep = "TRUE"
        if faults:
            keep = "NOT (" + " OR ".join(f"(code = {_lit(c)} AND field = {_lit(f)} AND form = {_lit(fm)})"
                                         for c, f, _, _, _, fm in faults) + ")"
        counts = dict(con.execute(f"SELECT code, count(*) FROM {rel} WHERE {keep} GROUP BY code").fetchall())
        limit = self.max_issues
        qualify = f"QUALIFY row_number() OVER (PARTITION BY code ORDER BY _row, field) <= {int(limit)}" \
            if limit is not None else ""
        listed = con.execute(f"SELECT code, field, _row, value, param FROM {rel} WHERE {keep} {qualify} "
                             "ORDER BY _row, code, field").fetchall()
        n_listed = Counter(c for c, *_ in listed)
        self.unlisted_by[t] = Counter({c: n - n_listed[c] for c, n in counts.items() if n > n_listed[c]})
        con.execute(f"DELETE FROM {rel} WHERE code NOT IN ({codes})")
        for row in blank:
            yield plan.issue("row-blank", Location(table=t, file=r.file, sheet=r.sheet, row=row))
        for code, name, row, value, param in listed:
            if (row, name) in r.superseded:
                continue
            loc = Location(table=t, file=r.file, sheet=r.sheet, row=row, column=r.column_of(name), field=name)
            yield self._cell_issue(plan, by_check[(code, name)], loc, value, param)
        for s in plan.steps:
            if s["stage"] != "keys" or s["table"] != t or not all(tuple(x) in present for x in s["requires"]):
                continue
            for row, value, param in con.execute(s["sql"]).fetchall():
                if (row, s["field"]) in r.superseded:
                    continue
                loc = Location(table=t, file=r.file, sheet=r.sheet, row=row, column=r.column_of(s["field"]), field=s["field"])
                yield self._cell_issue(plan, s, loc, value, param)
        con.execute(next(s["sql"] for s in plan.steps if s["id"] == f"load/{t}"))

    # rules ------------------------------------------------------------------------------------
    def _rule(self, con: duckdb.DuckDBPyConnection, plan: Plan, raw: RawSubmission, present: dict[str, RawTable],
              s: dict[str, Any], failed: dict[str, set[str]]) -> Iterator[Issue]:
        cur = con.execute(s["sql"])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if rows and s["knock_on_sql"] and _reads_failed(s, failed):  # keep what the rule finds both ways
            kept = set(con.execute(s["knock_on_sql"]).fetchall())
            rows = [x for x in rows if x in kept]
        found = [dict(zip(names, x, strict=True)) for x in rows]
        located: dict[tuple[str, str], int] = {}
        by_table: dict[str, set[str]] = {}
        for f in found:
            if f["table_name"] in plan.tables and f["row_id"] is not None:
                by_table.setdefault(f["table_name"], set()).add(f["row_id"])
        for t, ids in by_table.items():
            key = plan.tables[t]["record_id_sql"]
            if key is None:
                continue
            for rid, row in con.execute(f"SELECT {key} AS k, min(_row) FROM {_q(t)} WHERE {key} IN "
                                        "(SELECT unnest(?::VARCHAR[])) GROUP BY k", [sorted(ids)]).fetchall():
                located[(t, rid)] = row
        for f in found:
            t, name = f["table_name"], f["field"]
            params = {k: v for k, v in f.items() if k not in ("table_name", "row_id", "field", "value")}
            if t == "metadata" or t not in plan.tables:
                loc = self._meta_location(raw, name)
            else:
                r = present.get(t)
                rid = f["row_id"]
                loc = Location(table=t, file=r.file if r else None, sheet=r.sheet if r else None,
                               row=located.get((t, rid or "")), column=r.column_of(name) if r and name else None,
                               field=name, record_id=rid)
            yield plan.issue(s["code"], loc, f["value"], **params)

    def issues(self, requested: str | None) -> Iterator[Issue]:
        con = self.con
        with open_submission(self.path, con) as raw:
            self.raw = raw
            version, self.notes = choose_version(raw, self.path, requested)
            plan = self.plan = load_plan(version)
            for sql in plan.data["setup"]:
                con.execute(sql)
            yield from structure_issues(plan, raw)
            from mcds.readers.as_meant import read_as_meant

            yield from read_as_meant(con, raw, std.load(version))
            present = _present(raw)
            yield from self._metadata(plan, raw)
            have = {(t, f) for t, r in present.items() for f in r.fields if f}
            blank = self._views(plan, present)
            tables = list(present.items())
            for found in concurrently(con, lambda cur, x: list(self._table(cur, plan, x[0], x[1], blank[x[0]], have)),
                                      tables):
                yield from found
            failed = {t: {f for (f,) in con.execute(f"SELECT DISTINCT field FROM {_q('_cells_' + t)}").fetchall()}
                      for t in present}
            rules = [s for s in plan.steps if s["stage"] == "rules"]
            for found in concurrently(con, lambda cur, s: list(self._rule(cur, plan, raw, present, s, failed)), rules):
                yield from found


def _reads_failed(step: dict[str, Any], failed: dict[str, set[str]]) -> bool:
    """Does the rule read a field of a table in which a cell failed its check?"""
    read = step["reads"]
    if read is None:
        return any(failed.values())
    return any(failed.get(t, set()) & set(read["columns"]) for t in read["tables"])


def _sort_key(plan: Plan):  # type: ignore[no-untyped-def]
    order = {name: i for i, name in enumerate(plan.tables)}

    def key(i: Issue) -> tuple[object, ...]:
        loc = i.location
        table = -2 if loc.table == "metadata" else order.get(loc.table or "", -1)
        col = (len(loc.column), loc.column) if loc.column else (0, "")
        return (table, loc.file or "", loc.sheet or "", loc.row or 0, col, i.code)

    return key


def _with_child_ids(plan: Plan, con: duckdb.DuckDBPyConnection, issues: list[Issue]) -> list[Issue]:
    """Each issue on a row of a table naming children gains the row's ``child_id`` (the tables' ``child_id_sql``)."""
    wanted = {i.location.table for i in issues if i.location.row is not None and i.location.child_id is None}
    ids: dict[tuple[str, int], str] = {}
    for t in sorted(x for x in wanted if x in plan.tables):
        sql = plan.tables[t]["child_id_sql"]
        if sql:
            ids.update({(t, r): str(c) for r, c in con.execute(sql).fetchall() if c is not None})
    return [dataclasses.replace(i, location=dataclasses.replace(i.location, child_id=ids[key]))
            if (key := (i.location.table or "", i.location.row or 0)) in ids and i.location.child_id is None else i
            for i in issues]


def run_plan(path: Path | str, *, standard_version: str | None = None, max_issues: int | None = None,
             threads: int | None = None) -> Report:
    """Validate the submission at ``path`` by running its version's plan: the same report as
    :func:`mcds.validate` (listing at most ``max_issues`` of each code, counting every one)."""
    path = Path(path)
    con = engine.connect()
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    run = _Run(path, con, max_issues)
    try:
        found = list(run.issues(standard_version))
        plan = run.plan
        key = _sort_key(plan)
        unlisted = Unlisted()
        by_code: dict[str, list[Issue]] = {}
        for i in found:
            by_code.setdefault(i.code, []).append(i)
        issues: list[Issue] = []
        for kept in by_code.values():
            if max_issues is not None and len(kept) > max_issues:
                kept.sort(key=key)
                for i in kept[max_issues:]:
                    unlisted.add(i)
                del kept[max_issues:]
            issues += kept
        for code, n in sum(run.unlisted_by.values(), Counter()).items():
            severity = plan.issues[code]["severity"]
            unlisted.by_code[code] = unlisted.by_code.get(code, 0) + n
            unlisted.severity[code] = severity
            unlisted.blocking += n if severity == "error" else 0
        notes = list(run.notes)
        if issues:
            from mcds.convert import provenance

            if plan.data["report_child_ids"]:
                issues = _with_child_ids(plan, con, issues)
            issues, located = provenance.apply(issues, path)
            notes += located
        issues.sort(key=key)
        return Report(tuple(issues), plan.version, source=str(path), notes=tuple(notes), unlisted=unlisted)
    finally:
        con.close()

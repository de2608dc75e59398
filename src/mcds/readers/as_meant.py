"""What Excel stores, read as the person meant it (the workbook form).

A person recording in Excel types ``Medium`` for the code ``medium``, ``Yes`` in a yes/no column,
picks ``AFG Afghanistan`` from the template's drop-down, pastes a date of birth into a year-and-month
column, or types ``25/04/2025`` into a column formatted as text. Each reading comes from the
field's type and codelist in the Table Schema (nothing here names a field):

- a codelist field: the code in another letter case or with stray spaces, the code's title, or the
  code and its title as the template's drop-down writes it (``AFG Afghanistan``: read silently),
  wherever exactly one code is meant;
- a yes/no field: ``Yes``/``No``, ``Y``/``N``;
- a date field: a date and a midnight time (``2025-04-03 00:00:00``), or a day, month and year
  written ``dd/mm/yyyy`` where only one reading is a date (``25/04/2025``);
- a year-and-month field: a whole date (``2009-04-01`` is April 2009);
- a time field: ``HH:MM`` (``22:30`` is ``22:30:00``).

A certain reading replaces the cell before any check, and is reported as the warning
``value-read-as`` with the value used: the data stays valid. A value with more than one reading
(``03/04/2025``: 3 April or 4 March) is the error ``value-ambiguous`` naming the readings, and takes
the place of the type error the cell checks find in it. An empty ``created`` is filled from the
time the workbook was last saved (``value-filled``): a person never types it.

Only the workbook form is read this way: the CSV package and the JSON form are machine exchange
formats and must hold the standard's own spelling (a CSV file that Excel re-saved is reported by
the cell checks, column by column).

Cells are read in bulk: each field's distinct values that fail its type or codelist are read once
in Python, then the cells holding them are replaced by one ``UPDATE`` per field.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import standard as std
from mcds.catalogue import catalogue, make_issue
from mcds.issues import Issue, Location
from mcds.readers.base import RawSubmission, RawTable

__all__ = ["Reading", "read_as_meant", "read_value"]

YES = frozenset({"yes", "y"})
NO = frozenset({"no", "n"})
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: 00:00(?::00)?)?")
_HM = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class Reading:
    """How a cell is read: ``value`` the value used (None when several are possible, listed in
    ``readings``), ``reason`` why, for the warning; ``silent`` for what the template itself writes."""

    value: str | None
    reason: str
    readings: tuple[str, ...] = ()
    silent: bool = False


def _space(text: str) -> str:
    return " ".join(text.split())


def _date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _read_date(text: str) -> Reading | None:
    if m := _ISO_DATE.fullmatch(text):
        if _date(*map(int, m.group(1).split("-"))):
            return Reading(m.group(1), "a date and a midnight time: the date")
        return None
    if m := _DMY.fullmatch(text):
        a, b, y = (int(g) for g in m.groups())
        dmy, mdy = _date(y, b, a), _date(y, a, b)
        if dmy and mdy and dmy != mdy:
            return Reading(None, "day and month could be either way round", (dmy, mdy))
        if dmy or mdy:
            used = dmy or mdy
            return Reading(used, "the only date it can be" if dmy != mdy else "day and month are the same")
    return None


def _code_reading(s: std.Standard, f: std.Field, text: str) -> Reading | None:
    cl = s.codelist(f.codelist or "")
    key = _space(text).casefold()
    values = cl.values(f.codelist_key)
    by_key = [v for v in values if v.casefold() == key]
    if len(by_key) == 1:
        return Reading(by_key[0], "the code in the codelist's own spelling")
    if f.codelist_key != "code":
        return None
    titles = [c.code for c in cl.codes if c.title.casefold() == key]
    if len(titles) == 1:
        return Reading(titles[0], "the code whose title this is")
    listed = [c.code for c in cl.codes if f"{c.code} {_space(c.title)}".casefold() == key]
    if len(listed) == 1:  # what the template's drop-down writes: the code and its title
        exact = _space(text) == f"{listed[0]} {_space(cl.by_code[listed[0]].title)}"
        return Reading(listed[0], "the code of the drop-down's choice", silent=exact and text == _space(text))
    return None


def read_value(s: std.Standard, f: std.Field, text: str) -> Reading | None:
    """How a cell of ``f`` that fails its type or codelist is read, or None if it cannot be."""
    if f.codelist and f.is_list:
        delim = f.descriptor.get("delimiter", ";")
        items = [i for i in text.split(delim)]
        got = [(item, None if item.strip() == "" else _code_reading(s, f, item)) for item in items]
        if any(r is None and item.strip() for item, r in got) or any(r and r.value is None for _, r in got):
            return None
        used = delim.join(r.value for _, r in got if r and r.value)
        return Reading(used, "each code in the codelist's own spelling") if used != text else None
    if f.codelist:
        return _code_reading(s, f, text)
    key = text.strip()
    if f.type == "boolean":
        k = key.casefold()
        if k in YES or k in NO:
            return Reading("true" if k in YES else "false", "yes/no as true/false")
        if k in ("true", "false"):
            return Reading(k, "without the spaces")
        return None
    if f.type == "date":
        return _read_date(key)
    if f.type == "yearmonth":
        r = _read_date(key)
        if r and r.value:
            return Reading(r.value[:7], "a whole date: its year and month")
        return r if r and r.readings and len({v[:7] for v in r.readings}) > 1 else None
    if f.type == "time" and (m := _HM.fullmatch(key)):
        h, mi = int(m.group(1)), int(m.group(2))
        if h < 24 and mi < 60:
            return Reading(f"{h:02d}:{mi:02d}:00", "a time without seconds")
    return None


def _failing_sql(s: std.Standard, f: std.Field, c: str) -> str | None:
    """SQL true when the non-empty cell ``c`` fails the field's type or codelist (None: no reading)."""
    from mcds.validation.cells import codelist_relation, type_valid_sql

    if f.codelist:
        key = f'"{f.codelist_key}"'
        codes = f"SELECT {key} FROM {codelist_relation(f.codelist)} WHERE {key} <> ''"
        if f.is_list:
            delim = "'" + f.descriptor.get("delimiter", ";").replace("'", "''") + "'"
            return f"EXISTS (SELECT 1 FROM unnest(string_split({c}, {delim})) AS u(i) WHERE i NOT IN ({codes}))"
        return f"{c} NOT IN ({codes})"
    if f.type in ("boolean", "date", "yearmonth", "time"):
        valid = type_valid_sql(f, c)
        return f"NOT {valid}" if valid else None
    return None


def _version_of(code: str, s: std.Standard) -> str:
    """The version whose catalogue defines ``code``: the submission's, else the newest that does."""
    if code in catalogue(s.version):
        return s.version
    return next(v for v in reversed(std.supported_versions()) if code in catalogue(v))


def _issue(code: str, s: std.Standard, loc: Location, value: str | None, **params: object) -> Issue:
    return make_issue(code, loc, value=value, version=_version_of(code, s), **params)


def _base(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The table holding a raw relation's cells (a CSV file read fast is a view over ``_data``)."""
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [relation]).fetchone()
    return f"{relation}_data" if kind and kind[0] == "VIEW" else relation


def _read_table(con: duckdb.DuckDBPyConnection, s: std.Standard, raw: RawTable) -> Iterator[Issue]:
    table = s.tables[raw.table or ""]
    for f in table.fields:
        c = raw.sql_column(f.name)
        failing = _failing_sql(s, f, c) if c else None
        if not c or not failing or not raw.relation:
            continue
        values = [v for (v,) in con.execute(f"SELECT DISTINCT {c} FROM {raw.relation} WHERE {c} IS NOT NULL "
                                            f"AND {failing}").fetchall()]
        readings = {v: r for v in values if (r := read_value(s, f, v)) is not None}
        if not readings:
            continue
        con.execute("CREATE OR REPLACE TEMP TABLE _as_meant (raw VARCHAR, used VARCHAR)")
        con.executemany("INSERT INTO _as_meant VALUES (?, ?)", [[v, r.value] for v, r in readings.items()])
        rows = con.execute(f"SELECT _row, {c} FROM {raw.relation} WHERE {c} IN (SELECT raw FROM _as_meant) "
                           "ORDER BY _row").fetchall()
        column = raw.column_of(f.name)
        for row, v in rows:
            r = readings[v]
            loc = Location(table=table.name, file=raw.file, sheet=raw.sheet, row=row, column=column, field=f.name)
            if r.value is None:
                raw.superseded.add((row, f.name))
                yield _issue("value-ambiguous", s, loc, v, readings=" or ".join(r.readings), reason=r.reason)
            elif not r.silent:
                yield _issue("value-read-as", s, loc, v, used=r.value, reason=r.reason)
        base = _base(con, raw.relation)
        con.execute(f"UPDATE {base} SET {c} = m.used FROM _as_meant m WHERE {base}.{c} = m.raw AND m.used IS NOT NULL")
        con.execute("DROP TABLE _as_meant")


def _saved_at(path: Path) -> str | None:
    """When the workbook was last saved (its core properties: ``dcterms:modified``), as ISO 8601 in UTC."""
    import defusedxml.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as zf:
            root = ET.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, ET.ParseError):
        return None
    for tag in ("modified", "created"):
        el = root.find(f"{{http://purl.org/dc/terms/}}{tag}")
        if el is not None and el.text:
            try:
                when = dt.datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            when = when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)
            return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def _read_metadata(raw: RawSubmission, s: std.Standard) -> Iterator[Issue]:
    from mcds.validation.metadata import metadata_location, metadata_values

    meta = raw.metadata
    if not meta.present:
        return
    values, keys = metadata_values(meta, s, by_title=True)
    for f in s.metadata_fields:
        v = values.get(f.name)
        key = keys.get(f.name, f.name)
        loc = metadata_location(meta, keys, f.name)
        if v is None and f.name == "created" and (saved := _saved_at(Path(raw.source))):
            meta.values[key] = saved
            yield _issue("value-filled", s, loc, saved, reason="when the workbook was last saved")
            continue
        if v is None or _valid_metadata(s, f, v):
            continue
        r = read_value(s, f, v)
        if r is None:
            continue
        if r.value is None:
            yield _issue("value-ambiguous", s, loc, v, readings=" or ".join(r.readings), reason=r.reason)
            meta.superseded.add(f.name)
        else:
            meta.values[key] = r.value
            if not r.silent:
                yield _issue("value-read-as", s, loc, v, used=r.value, reason=r.reason)


def _valid_metadata(s: std.Standard, f: std.Field, v: str) -> bool:
    """Whether a metadata value already passes its type and codelist (one value: checked in Python)."""
    from mcds import derive
    from mcds.validation.cells import TRUE_FALSE

    if f.codelist:
        return all(i in s.codelist(f.codelist).values(f.codelist_key)
                   for i in (v.split(f.descriptor.get("delimiter", ";")) if f.is_list else [v]))
    if f.type == "boolean":
        return v in TRUE_FALSE
    if f.type == "date":
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)) and _date(*map(int, v.split("-"))) is not None
    pattern = {"yearmonth": derive.YEARMONTH_PATTERN, "time": derive.TIME_PATTERN}.get(f.type)
    return pattern is None or re.search(pattern, v) is not None


def read_as_meant(con: duckdb.DuckDBPyConnection, raw: RawSubmission, s: std.Standard) -> Iterator[Issue]:
    """Read a workbook's cells as meant (see the module), after its tables and columns are matched
    (:func:`mcds.validation.structure_issues`) and before they are checked; the codelists must be in
    ``con`` (:func:`mcds.validation.cells.create_codelists`). Other forms are left as they are."""
    if raw.form != "xlsx":
        return
    yield from _read_metadata(raw, s)
    for t in raw.tables:
        if t.table and t.relation and t.fields:
            yield from _read_table(con, s, t)
